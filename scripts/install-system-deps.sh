#!/usr/bin/env bash
# Install the Debian packages the test suite needs, only those that are missing.
#
#   chromium        browser tests, screenshots, print-to-PDF (/usr/bin/chromium)
#   fonts-noto-cjk  Chinese glyphs in Chromium and WeasyPrint (a new machine has no CJK font)
#   poppler-utils   pdfinfo / pdffonts / pdftoppm
#   zbar-tools      zbarimg (decode QR codes)
#
# Idempotent: when everything is present it does nothing (no apt-get update).
set -euo pipefail

PACKAGES=(chromium fonts-noto-cjk poppler-utils zbar-tools)

# A command each package provides, used when dpkg-query is unavailable.
declare -A PROBE_COMMAND=(
    [chromium]=chromium
    [poppler-utils]=pdfinfo
    [zbar-tools]=zbarimg
)

is_installed() {
    local pkg=$1 status
    if command -v dpkg-query >/dev/null 2>&1; then
        status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
        [[ $status == "install ok installed" ]]
        return
    fi
    if [[ -n ${PROBE_COMMAND[$pkg]:-} ]]; then
        command -v "${PROBE_COMMAND[$pkg]}" >/dev/null 2>&1
        return
    fi
    if [[ $pkg == fonts-noto-cjk ]] && command -v fc-list >/dev/null 2>&1; then
        [[ -n $(fc-list :lang=zh family 2>/dev/null || true) ]]
        return
    fi
    return 1
}

missing=()
for pkg in "${PACKAGES[@]}"; do
    if ! is_installed "$pkg"; then
        missing+=("$pkg")
    fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
    exit 0
fi

echo "install-system-deps: installing ${missing[*]}" >&2

if [[ $(id -u) -eq 0 ]]; then
    SUDO=()
elif command -v sudo >/dev/null 2>&1; then
    SUDO=(sudo)
else
    echo "install-system-deps: not root and sudo is not available." >&2
    echo "Install these Debian packages, then run again:" >&2
    echo "    apt-get update && apt-get install -y ${missing[*]}" >&2
    exit 1
fi

if ! command -v apt-get >/dev/null 2>&1; then
    echo "install-system-deps: apt-get not found; install these packages by hand: ${missing[*]}" >&2
    exit 1
fi

export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -qq -o Dpkg::Use-Pty=0 "${missing[@]}" >/dev/null

# Fonts installed by the package are picked up by a fresh fontconfig cache.
if command -v fc-cache >/dev/null 2>&1; then
    fc-cache -s >/dev/null 2>&1 || true
fi

still_missing=()
for pkg in "${missing[@]}"; do
    if ! is_installed "$pkg"; then
        still_missing+=("$pkg")
    fi
done
if [[ ${#still_missing[@]} -gt 0 ]]; then
    echo "install-system-deps: still missing after install: ${still_missing[*]}" >&2
    exit 1
fi
echo "install-system-deps: done" >&2

#!/usr/bin/env bash
# Install the Debian/Ubuntu packages the test suite needs, only those that are missing, without their
# recommendations (a fresh Debian 12 pulls about 180 packages with them left out, 330 with them).
#
#   chromium        browser tests, screenshots, print-to-PDF (/usr/bin/chromium)
#   fonts-noto-cjk  Chinese glyphs in Chromium and WeasyPrint (a new machine has no CJK font)
#   poppler-utils   pdfinfo / pdffonts / pdftoppm
#   zbar-tools      zbarimg (decode QR codes)
#   libatomic1      needed by the Node.js inside Playwright's Python package (its driver); minimal
#                   images lack it ("libatomic.so.1: cannot open shared object file")
#   npm             only when there is no npm at all (scripts/install-node-deps.sh: axe-core, decap-cms);
#                   Debian's brings about 360 small node-* packages, a NodeSource Node.js has its own
#
# Quiet: apt's output goes to a log file, shown only when it fails; one line says what was installed.
# Idempotent: when everything is present it does nothing (no apt-get update).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=scripts/lib/apt.sh
source scripts/lib/apt.sh

PACKAGES=(chromium fonts-noto-cjk poppler-utils zbar-tools libatomic1)
command -v npm >/dev/null 2>&1 || PACKAGES+=(npm)

# A command each package provides, used when dpkg-query is unavailable.
declare -A PROBE_COMMAND=(
    [chromium]=chromium
    [poppler-utils]=pdfinfo
    [zbar-tools]=zbarimg
    [npm]=npm
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
    if [[ $pkg == libatomic1 ]] && command -v ldconfig >/dev/null 2>&1; then
        ldconfig -p 2>/dev/null | grep -q 'libatomic\.so\.1 '
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

apt_install "${missing[@]}"

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
    echo "${0##*/}: still missing after install: ${still_missing[*]}" >&2
    exit 1
fi

#!/usr/bin/env bash
# Refresh requirements/lock.txt, the exact Python packages scripts/test.sh, scripts/build-sample.sh and
# so CI install:
#
#   bash scripts/lock.sh
#
# Run it after changing a dependency in pyproject.toml, or to move to newer releases; then run
# `bash scripts/test.sh` and commit the lock together with the change. It installs `.[test,pdf]`, the
# newest versions pyproject.toml allows, into a fresh virtual environment (no constraint from the
# machine's pip configuration) and writes `pip freeze` of it, plus the build backend of
# [build-system] that pip uses to install the checkout.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=scripts/lib/python-env.sh
source scripts/lib/python-env.sh

tmp=$(mktemp -d "${TMPDIR:-/tmp}/site-builder-lock.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

made=$(_make_venv "$tmp/venv")
py=$tmp/venv/bin/python
export PIP_CONSTRAINT=/dev/null  # nothing from /etc/pip.conf & co.: the lock alone decides
"$py" -m pip install -q -e '.[test,pdf]'
# The build backend, as pyproject.toml asks for it (pip installs the checkout with it).
mapfile -t backend < <("$py" -c 'import tomllib; print(*tomllib.load(open("pyproject.toml", "rb"))["build-system"]["requires"], sep="\n")')
"$py" -m pip install -q --upgrade "${backend[@]}"

{
    echo "# The exact Python packages of \`pip install -e '.[test,pdf]'\` (and the build backend), used as pip"
    echo "# constraints by scripts/test.sh and scripts/build-sample.sh. Do not edit: made by \`bash scripts/lock.sh\`"
    echo "# (pip freeze of a fresh virtual environment, Python ${made##* (}; run it again after changing pyproject.toml."
    "$py" -m pip freeze --all --exclude-editable | grep -v -i -E '^(pip|site-builder)==' | LC_ALL=C sort -f -t= -k1,1
} >"$tmp/lock.txt"

mkdir -p "$(dirname "$LOCK_FILE")"
if [[ -f $LOCK_FILE ]] && diff -q <(grep -v '^#' "$LOCK_FILE") <(grep -v '^#' "$tmp/lock.txt") >/dev/null; then
    echo "lock.sh: $LOCK_FILE is up to date ($(grep -c '==' "$LOCK_FILE") packages)"
    exit 0
fi
changes=$(diff <(grep -v '^#' "$LOCK_FILE" 2>/dev/null || true) <(grep -v '^#' "$tmp/lock.txt") | sed -n 's/^> //p' | paste -sd ' ' || true)
cp "$tmp/lock.txt" "$LOCK_FILE"
echo "lock.sh: wrote $LOCK_FILE ($(grep -c '==' "$LOCK_FILE") packages); new or changed: ${changes:-none}"

#!/usr/bin/env bash
# Build the sample site in the repo root into ./output.
#   bash scripts/build-sample.sh [extra site-builder build args...]
# Outside a virtual environment it makes and uses .venv/ (scripts/lib/python-env.sh); inside one, that one.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=scripts/lib/python-env.sh
source scripts/lib/python-env.sh

python_env
install_site_builder pdf
# The editing app /admin/ comes from npm (decap-cms); without npm the site is built without it.
if command -v npm >/dev/null 2>&1; then
    bash scripts/install-node-deps.sh
else
    echo "build-sample.sh: npm not found, building without the editing app /admin/" >&2
fi
site-builder build "$@"

#!/usr/bin/env bash
# Build the sample site in the repo root into ./output.
#   bash scripts/build-sample.sh [extra site-builder build args...]
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

PYTHON=${PYTHON:-python}
export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_ROOT_USER_ACTION=ignore

"$PYTHON" -m pip install -q -e .
# Chinese full-text search comes from npm (pagefind 1.6.0); without npm the site is built without it.
if command -v npm >/dev/null 2>&1; then
    bash scripts/install-node-deps.sh
else
    echo "build-sample.sh: npm not found, building without the search index" >&2
fi
site-builder build "$@"

#!/usr/bin/env bash
# Build the sample site in the repo root into ./output.
#   bash scripts/build-sample.sh [extra site-builder build args...]
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

PYTHON=${PYTHON:-python}
export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_ROOT_USER_ACTION=ignore

"$PYTHON" -m pip install -q -e .
site-builder build "$@"

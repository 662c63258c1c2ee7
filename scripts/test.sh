#!/usr/bin/env bash
# The test command: installs what the tests need, then runs pytest.
#   bash scripts/test.sh [pytest args...]
# Set CI=true to make missing browsers / fonts / axe-core fail tests instead of skipping them.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

PYTHON=${PYTHON:-python}
export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_ROOT_USER_ACTION=ignore

bash scripts/install-system-deps.sh
bash scripts/install-node-deps.sh
"$PYTHON" -m pip install -q -e '.[test]'

status=0
"$PYTHON" -m pytest "$@" || status=$?

if [[ $status -eq 5 ]]; then
    echo "test.sh: pytest collected no tests; treating that as a failure" >&2
fi
exit "$status"

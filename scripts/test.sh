#!/usr/bin/env bash
# The test command: installs what the tests need, then runs pytest.
#   bash scripts/test.sh [pytest args...]            the Python packages of requirements/lock.txt
#   bash scripts/test.sh --newest [pytest args...]   the newest versions pyproject.toml allows, in .venv-newest/
# Outside a virtual environment it makes and uses .venv/ (scripts/lib/python-env.sh); inside one, that one.
# Set CI=true to make missing browsers / fonts / axe-core fail tests instead of skipping them.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=scripts/lib/python-env.sh
source scripts/lib/python-env.sh

newest=""
if [[ ${1:-} == --newest ]]; then
    newest=--newest
    shift
fi

bash scripts/install-system-deps.sh
bash scripts/install-node-deps.sh
python_env $newest
install_site_builder test,pdf $newest

status=0
python -m pytest "$@" || status=$?

if [[ $status -eq 5 ]]; then
    echo "test.sh: pytest collected no tests; treating that as a failure" >&2
fi
exit "$status"

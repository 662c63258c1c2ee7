#!/usr/bin/env bash
# Install the Node packages the tests use (axe-core) into the repo's node_modules,
# at the exact version pinned in package.json / package-lock.json.
# Skips npm entirely when node_modules already holds that version.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

if ! command -v npm >/dev/null 2>&1 || ! command -v node >/dev/null 2>&1; then
    echo "install-node-deps: node and npm are required (Debian: apt-get install nodejs npm)" >&2
    exit 1
fi

# Version pinned in package.json (exact, e.g. "4.14.1").
wanted=$(node -p 'require("./package.json").devDependencies["axe-core"]')
installed=$(node -p 'try { require("./node_modules/axe-core/package.json").version } catch (e) { "" }')

if [[ -n $installed && $installed == "$wanted" && -f node_modules/axe-core/axe.min.js ]]; then
    exit 0
fi

echo "install-node-deps: installing axe-core@$wanted" >&2
if [[ -f package-lock.json ]]; then
    # Exactly what the lock file says.
    npm ci --no-audit --no-fund --loglevel=error
else
    npm install --no-audit --no-fund --loglevel=error --save-dev --save-exact "axe-core@$wanted"
fi

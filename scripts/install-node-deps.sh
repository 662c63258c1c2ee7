#!/usr/bin/env bash
# Install the Node packages into the repo's node_modules, at the exact versions pinned in
# package.json / package-lock.json:
#   axe-core   accessibility checks in the browser tests;
#   pagefind   the search index builder (its pagefind_extended binary; site_builder/search.py).
# Skips npm entirely when node_modules already holds those versions.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

if ! command -v npm >/dev/null 2>&1 || ! command -v node >/dev/null 2>&1; then
    echo "install-node-deps: node and npm are required (Debian: apt-get install nodejs npm)" >&2
    exit 1
fi

# Versions pinned in package.json (exact, e.g. "4.14.1").
missing=()
for pkg in axe-core pagefind; do
    wanted=$(node -p "require('./package.json').devDependencies['$pkg']")
    installed=$(node -p "try { require('./node_modules/$pkg/package.json').version } catch (e) { '' }")
    [[ -n $installed && $installed == "$wanted" ]] || missing+=("$pkg@$wanted")
done
[[ -f node_modules/axe-core/axe.min.js ]] || missing+=("axe-core")
compgen -G "node_modules/@pagefind/*/bin/pagefind_extended*" >/dev/null || missing+=("@pagefind binary")

if [[ ${#missing[@]} -eq 0 ]]; then
    exit 0
fi

echo "install-node-deps: installing ${missing[*]}" >&2
if [[ -f package-lock.json ]]; then
    # Exactly what the lock file says.
    npm ci --no-audit --no-fund --loglevel=error
else
    npm install --no-audit --no-fund --loglevel=error --save-dev --save-exact \
        "axe-core@$(node -p 'require("./package.json").devDependencies["axe-core"]')" \
        "pagefind@$(node -p 'require("./package.json").devDependencies["pagefind"]')"
fi

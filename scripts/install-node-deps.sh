#!/usr/bin/env bash
# Install the Node packages into the repo's node_modules, at the exact versions pinned in
# package.json / package-lock.json:
#   axe-core   accessibility checks in the browser tests;
#   decap-cms  the editing app /admin/ (its prebuilt dist/; site_builder/pages/admin.py), without its
#              npm dependencies, which that dist/ already contains (package.json `overrides`);
#   js-yaml    reads YAML in /admin/ (dist/js-yaml.min.js).
# Skips npm entirely when node_modules already holds those versions.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

if ! command -v npm >/dev/null 2>&1 || ! command -v node >/dev/null 2>&1; then
    echo "install-node-deps: node and npm are required: bash scripts/install-system-deps.sh installs them" \
         "(Debian/Ubuntu: apt-get install --no-install-recommends npm)" >&2
    exit 1
fi

# Each package at the version pinned in package.json (exact, e.g. "4.14.1"), with the file the
# tests and the build use: axe-core's axe.min.js, decap-cms's and js-yaml's dist/.
missing=()
for pkg in axe-core decap-cms js-yaml; do
    wanted=$(node -p "require('./package.json').devDependencies['$pkg']")
    installed=$(node -p "try { require('./node_modules/$pkg/package.json').version } catch (e) { '' }")
    case $pkg in
        axe-core) [[ -f node_modules/axe-core/axe.min.js ]] || installed="" ;;
        decap-cms) [[ -f node_modules/decap-cms/dist/decap-cms.js ]] || installed="" ;;
        js-yaml) [[ -f node_modules/js-yaml/dist/js-yaml.min.js ]] || installed="" ;;
    esac
    [[ $installed == "$wanted" ]] || missing+=("$pkg@$wanted")
done

if [[ ${#missing[@]} -eq 0 ]]; then
    exit 0
fi

# npm's own output is shown only when it fails.
if [[ -f package-lock.json ]]; then
    how="npm ci, from package-lock.json"  # exactly what the lock says (all of it, also what was present)
    out=$(npm ci --no-audit --no-fund --loglevel=error 2>&1) || status=$?
else
    how="npm install"
    out=$(npm install --no-audit --no-fund --loglevel=error --save-dev --save-exact "${missing[@]}" 2>&1) || status=$?
fi
if [[ ${status:-0} -ne 0 ]]; then
    echo "install-node-deps: $how failed (exit $status):" >&2
    echo "$out" >&2
    exit 1
fi
echo "install-node-deps: installed ${missing[*]} into node_modules/ ($how)" >&2

# shellcheck shell=bash
# The Python environment of scripts/build-sample.sh and scripts/test.sh. Sourced, not run, from the
# repository root:
#
#   python_env [--newest]
#       Inside an active virtual environment ($VIRTUAL_ENV) uses it. Otherwise makes (the first time)
#       and uses .venv/ in the repository, with the first Python >= 3.11 among $PYTHON, python3, python
#       (Debian and Ubuntu's own python3 refuse `pip install` outside a virtual environment, PEP 668),
#       and says so in one line. --newest: always .venv-newest/, never the active environment (it
#       gets upgraded). Without the venv module (Debian's python3-venv) it installs it with apt, as
#       scripts/install-system-deps.sh installs packages, or says what to do.
#       Afterwards python, pip and site-builder on PATH are the environment's.
#
#   install_site_builder EXTRAS [--newest]
#       `pip install -e ".[EXTRAS]"` at the versions of requirements/lock.txt (made by scripts/lock.sh),
#       skipped when the environment already holds them; --newest: the newest versions pyproject.toml
#       allows (no lock), and one line naming what differs from the lock.

# shellcheck source=scripts/lib/apt.sh
source "$(dirname "${BASH_SOURCE[0]}")/apt.sh"

LOCK_FILE=requirements/lock.txt
export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_ROOT_USER_ACTION=ignore

_min_python() {  # "3.11", from requires-python in pyproject.toml
    sed -n 's/^requires-python *= *">= *\([0-9][0-9.]*\)".*/\1/p' pyproject.toml | head -n 1
}

_python_ok() {  # PYTHON MIN: the interpreter runs and is at least MIN
    "$1" -c "import sys; sys.exit(sys.version_info < tuple(map(int, '$2'.split('.'))))" >/dev/null 2>&1
}

_venv_ok() {  # DIR: a virtual environment with a working python and pip
    [[ -x $1/bin/python ]] && "$1/bin/python" -c "import pip" >/dev/null 2>&1
}

_make_venv() {  # DIR
    local me=${0##*/} dir=$1 min py="" found=() cand version pkg out
    min=$(_min_python)
    min=${min:-3.11}
    for cand in ${PYTHON:-} python3 python; do
        command -v "$cand" >/dev/null 2>&1 || continue
        if _python_ok "$cand" "$min"; then
            py=$(command -v "$cand")
            break
        fi
        found+=("$cand $("$cand" -c 'import platform; print(platform.python_version())' 2>/dev/null || echo '?')")
    done
    if [[ -z $py ]]; then
        echo "$me: site-builder needs Python >= $min; found: ${found[*]:-no python3}." >&2
        echo "    Install it (Debian 12 and Ubuntu 24.04 have it as python3), or set PYTHON=/path/to/python3.x" >&2
        return 1
    fi
    version=$("$py" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
    if ! "$py" -c "import ensurepip, venv" >/dev/null 2>&1; then
        # Debian and Ubuntu ship the venv module's pip apart: python3.X-venv (python3-venv for the default).
        pkg=python$version-venv
        if [[ $(readlink -f "$py") == "$(readlink -f /usr/bin/python3 2>/dev/null)" ]]; then
            pkg=python3-venv
        fi
        if [[ $(readlink -f "$py") != /usr/bin/* ]] || ! command -v apt-get >/dev/null 2>&1; then
            echo "$me: $py cannot make a virtual environment (no ensurepip). Install its venv module" \
                 "(Debian/Ubuntu: apt-get install $pkg), or activate a virtual environment and run again." >&2
            return 1
        fi
        apt_install "$pkg" || return 1
    fi
    rm -rf "$dir"
    if ! out=$("$py" -m venv "$dir" 2>&1); then
        echo "$me: \`$py -m venv $dir\` failed: $out" >&2
        rm -rf "$dir"
        return 1
    fi
    echo "$py ($("$py" -c 'import platform; print(platform.python_version())'))"
}

python_env() {
    local me=${0##*/} dir why made=""
    if [[ ${1:-} == --newest ]]; then
        dir=.venv-newest why="--newest"
    elif [[ -n ${VIRTUAL_ENV:-} ]]; then
        if ! _venv_ok "$VIRTUAL_ENV"; then
            echo "$me: the active virtual environment $VIRTUAL_ENV has no working python with pip" >&2
            return 1
        fi
        export PATH="$VIRTUAL_ENV/bin:$PATH"
        return 0
    else
        dir=.venv why="not run inside one"
    fi
    if ! _venv_ok "$dir"; then
        made=$(_make_venv "$dir") || return 1
    fi
    export VIRTUAL_ENV="$PWD/$dir"
    export PATH="$VIRTUAL_ENV/bin:$PATH"
    unset PYTHONHOME
    if [[ -n $made ]]; then
        made="made the virtual environment $dir/ with $made, using it"
    else
        made="using the virtual environment $dir/"
    fi
    echo "$me: $made ($why); afterwards: $dir/bin/site-builder, or \`source $dir/bin/activate\` first" >&2
}


_stamp_text() {  # what the stamp file says after installing this checkout with this lock
    echo "$PWD $(cat pyproject.toml "$LOCK_FILE" | sha256sum)"
}

_in_sync() {  # STAMP EXTRAS: installed from this checkout and lock with (at least) these extras,
              # and still at the lock's versions
    local extra
    [[ -f $1 && $(head -n 1 "$1") == "$(_stamp_text)" ]] || return 1
    for extra in ${2//,/ }; do
        grep -qx "$extra" "$1" || return 1
    done
    python - "$LOCK_FILE" <<'EOF' >/dev/null 2>&1
import sys
from importlib.metadata import PackageNotFoundError, version

for line in open(sys.argv[1], encoding="utf-8"):
    line = line.split("#")[0].strip()
    if "==" in line:
        name, pinned = (part.strip() for part in line.split("=="))
        try:
            if version(name) != pinned and name != "setuptools":  # setuptools: only the build backend's
                sys.exit(1)
        except PackageNotFoundError:
            pass  # of an extra not installed here
import site_builder  # noqa: E402,F401  (from this checkout)
EOF
}

install_site_builder() {
    local me=${0##*/} extras=$1 newest=${2:-} stamp
    stamp="$VIRTUAL_ENV/.site-builder-installed"
    if [[ $newest == --newest ]]; then
        # PIP_CONSTRAINT=/dev/null: no constraint from the machine's pip configuration either.
        PIP_CONSTRAINT=/dev/null python -m pip install -q --upgrade --upgrade-strategy eager -e ".[$extras]"
        rm -f "$stamp"
        python - "$LOCK_FILE" "$me" <<'EOF' >&2
import sys
from importlib.metadata import PackageNotFoundError, version

other = []
for line in open(sys.argv[1], encoding="utf-8"):
    line = line.split("#")[0].strip()
    if "==" in line:
        name, pinned = (part.strip() for part in line.split("=="))
        try:
            installed = version(name)
        except PackageNotFoundError:
            continue
        if installed != pinned and name != "setuptools":  # the lock's setuptools: the build backend's
            other.append(f"{name} {installed} (lock {pinned})")
print(f"{sys.argv[2]}: versions other than {sys.argv[1]}'s: " + (", ".join(other) or "none"))
EOF
        return 0
    fi
    if [[ ! -f $LOCK_FILE ]]; then
        echo "$me: $LOCK_FILE is missing: run \`bash scripts/lock.sh\`" >&2
        return 1
    fi
    _in_sync "$stamp" "$extras" && return 0
    # Installed before with other extras: keep them (build-sample.sh after test.sh, and back).
    if [[ -f $stamp && $(head -n 1 "$stamp") == "$(_stamp_text)" ]]; then
        extras=$( (tail -n +2 "$stamp"; echo "${extras//,/$'\n'}") | grep . | sort -u | paste -sd ,)
    fi
    # As constraints: pip installs what pyproject.toml asks for, at the lock's versions. The variable
    # (not -c) also pins the build backend in pip's isolated build environment, and replaces any
    # constraint file of the machine's pip configuration.
    rm -f "$stamp"
    PIP_CONSTRAINT="$PWD/$LOCK_FILE" python -m pip install -q -e ".[$extras]"
    { _stamp_text; echo "${extras//,/$'\n'}"; } >"$stamp"
}

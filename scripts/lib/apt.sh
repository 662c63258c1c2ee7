# shellcheck shell=bash
# Installing Debian/Ubuntu packages for the scripts in scripts/. Sourced, not run:
#
#   apt_install PACKAGE...
#       Installs the packages without their recommendations (--no-install-recommends), as root or
#       through sudo. apt's output goes to a log file, shown only when apt fails; on success one line
#       says what was installed. Without root, sudo or apt-get it prints the command to run instead
#       and returns 1.
#
# Messages start with the name of the script that sourced this file.

apt_install() {
    local me=${0##*/} sudo=() log status summary
    if [[ $(id -u) -ne 0 ]]; then
        if command -v sudo >/dev/null 2>&1; then
            sudo=(sudo)
        else
            echo "$me: not root and sudo is not available. Install these packages, then run again:" >&2
            echo "    apt-get update && apt-get install -y --no-install-recommends $*" >&2
            return 1
        fi
    fi
    if ! command -v apt-get >/dev/null 2>&1; then
        echo "$me: apt-get not found; install these packages (or your system's equivalent) by hand: $*" >&2
        return 1
    fi
    log=$(mktemp "${TMPDIR:-/tmp}/site-builder-apt.XXXXXX.log")
    status=0
    {
        "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q &&
        "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
            -o Dpkg::Use-Pty=0 -o APT::Color=0 "$@"
    } </dev/null >"$log" 2>&1 || status=$?
    if [[ $status -ne 0 ]]; then
        echo "$me: apt-get failed (exit $status) installing $*; its output ($log):" >&2
        tail -n 60 "$log" >&2
        return 1
    fi
    # apt's "3 upgraded, 140 newly installed, 0 to remove and 10 not upgraded."
    summary=$(sed -n 's/^\([0-9]*\) upgraded, \([0-9]*\) newly installed.*/\2 newly installed with dependencies, \1 upgraded/p' "$log" | tail -n 1)
    echo "$me: installed $* (apt: ${summary:-see its log}; log: $log)" >&2
}

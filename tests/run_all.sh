#!/usr/bin/env bash
# The project's test command, for a fresh Debian 12 machine and for reruns:
#
#   sudo bash tests/run_all.sh                 # everything (as root: bash tests/run_all.sh)
#   bash tests/run_all.sh tests/unit -x        # extra arguments go to pytest
#
# Environment:
#   LABTUNNEL_SKIP_INSTALL=1   skip apt-get, the project venv's pip install and the Jupyter
#                              venv build (fast local reruns on a prepared machine)
#   LABTUNNEL_SKIP_CHECKS=1    skip ruff, mypy, shellcheck and the workflow linters (local
#                              reruns only; CI never sets it)
#   LABTUNNEL_TEST_JUPYTER_VENV  where the lab server's Jupyter venv lives (JupyterLab 4 and
#                              Notebook 7; default /opt/labtunnel-test/jupyter-venv)
#   LABTUNNEL_TEST_NOTEBOOK6_VENV  a server venv with only the classic Notebook 6
#                              (default /opt/labtunnel-test/notebook6-venv)
#
# Steps: system packages -> project venv (.venv) -> server-side Jupyter venv -> ruff, mypy
# (app and tests), shellcheck (every .sh), actionlint + check-jsonschema (the workflow) ->
# pytest inside a private D-Bus session with an unlocked gnome-keyring, no X display,
# QT_QPA_PLATFORM=offscreen and LABTUNNEL_REQUIRE_HARNESS=1 (missing harness pieces fail
# instead of skipping). The exit code is pytest's; "no tests collected" (5) fails too.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
umask 022

log() { printf '==> %s\n' "$*"; }
die() { printf 'run_all.sh: %s\n' "$*" >&2; exit 1; }

JUPYTER_VENV="${LABTUNNEL_TEST_JUPYTER_VENV:-/opt/labtunnel-test/jupyter-venv}"
NOTEBOOK6_VENV="${LABTUNNEL_TEST_NOTEBOOK6_VENV:-/opt/labtunnel-test/notebook6-venv}"
# What each server venv must import (run as an unprivileged user, like the lab's users).
JUPYTER_CHECK='import jupyter_server, jupyterlab, notebook
assert int(notebook.__version__.split(".")[0]) == 7, notebook.__version__'
NOTEBOOK6_CHECK='import importlib.util, notebook
assert notebook.__version__.startswith("6."), notebook.__version__
assert importlib.util.find_spec("jupyterlab") is None, "JupyterLab must not be there"'

# --- stage 2: inside dbus-run-session (re-entered below) -------------------------------------
if [[ "${LABTUNNEL_RUN_ALL_STAGE:-}" == "in-dbus-session" ]]; then
    unset LABTUNNEL_RUN_ALL_STAGE
    # A random password that only lives in this pipe: the keyring is created and unlocked
    # without any prompt (there is no X display yet, so nothing can pop up a dialog).
    keyring_env="$(head -c 32 /dev/urandom | base64 | gnome-keyring-daemon --unlock --components=secrets)"
    eval "$keyring_env"
    export GNOME_KEYRING_CONTROL="${GNOME_KEYRING_CONTROL:-$XDG_RUNTIME_DIR/keyring}"
    # throwaway: the harness may start a new daemon here if this one crashes
    # (tests/harness/keyring_env.py says why)
    export LABTUNNEL_TEST_KEYRINGS_DIR="$XDG_DATA_HOME/keyrings"
    export LABTUNNEL_REQUIRE_HARNESS="${LABTUNNEL_REQUIRE_HARNESS:-1}"
    export QT_QPA_PLATFORM=offscreen
    export LABTUNNEL_TEST_JUPYTER_VENV="$JUPYTER_VENV"
    export LABTUNNEL_TEST_NOTEBOOK6_VENV="$NOTEBOOK6_VENV"
    # The daemon dies with the bus when dbus-run-session returns.
    exec .venv/bin/python -m pytest "$@"
fi

# --- stage 1 --------------------------------------------------------------------------------
SUDO=()
if [[ "$(id -u)" -ne 0 ]]; then
    command -v sudo >/dev/null || die "run as root or install sudo"
    SUDO=(sudo)
fi

APT_PACKAGES=(
    openssh-server openssh-client gnome-keyring dbus dbus-x11 libsecret-tools xvfb trayer git
    xdotool imagemagick nftables iproute2 python3 python3-venv procps psmisc util-linux
    libxcb-icccm4 libxcb-keysyms1 libxcb-cursor0 libxkbcommon-x11-0 libegl1 libxcb-shape0
    libxcb-randr0 libxcb-render-util0 libxcb-image0 libxcb-xkb1 libgl1 libfontconfig1
    libdbus-1-3 fonts-noto-cjk libpam-google-authenticator oathtool
    slurmctld slurmd slurm-client munge
    dropbear-bin
    zsh fish tcsh
    chromium strace
)

install_system_packages() {
    local missing=() pkg status
    for pkg in "${APT_PACKAGES[@]}"; do
        status="$(dpkg-query -W -f='${db:Status-Abbrev}' "$pkg" 2>/dev/null || true)"
        [[ "$status" == "ii "* ]] || missing+=("$pkg")
    done
    if ((${#missing[@]} == 0)); then
        log "system packages: all ${#APT_PACKAGES[@]} present"
        return
    fi
    log "apt-get install ${missing[*]}"
    # Wait for the dpkg lock instead of failing when another install is running.
    local apt=(apt-get -q -o DPkg::Lock::Timeout=600 -o Dpkg::Use-Pty=0)
    "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive "${apt[@]}" update </dev/null
    "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive "${apt[@]}" install -y "${missing[@]}" </dev/null
    # The tests run their own Slurm cluster; where apt starts services (no policy-rc.d), keep
    # the packaged daemons, which would read the machine's /etc/slurm, from running.
    if [[ -d /run/systemd/system ]]; then
        "${SUDO[@]}" systemctl disable --now slurmctld slurmd >/dev/null 2>&1 || true
    fi
}

find_python() {
    local candidate
    for candidate in python3 python3.13 python3.12 python3.11 python3.10; do
        if command -v "$candidate" >/dev/null &&
            "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 10))' 2>/dev/null; then
            command -v "$candidate"
            return
        fi
    done
    die "no python3 >= 3.10 on PATH"
}

make_project_venv() {
    if ! .venv/bin/python -c 'import sys; sys.exit(sys.version_info < (3, 10))' 2>/dev/null; then
        local python
        python="$(find_python)"
        log "creating .venv with $python"
        rm -rf .venv
        "$python" -m venv .venv
    fi
    log "pip install -e '.[dev]'"
    .venv/bin/python -m pip install -q --disable-pip-version-check -e '.[dev]' </dev/null
}

# server_venv_works DIR CHECK: built, and the lab server's test users can run CHECK with it.
server_venv_works() {
    local venv="$1" check="$2"
    [[ -f "$venv/.labtunnel-ready" && -x "$venv/bin/jupyter" ]] || return 1
    local as_other_user=()
    # The lab server's test users must be able to run it, not only root.
    [[ "$(id -u)" -ne 0 ]] || as_other_user=(setpriv --reuid=65534 --regid=65534 --clear-groups)
    "${as_other_user[@]}" "$venv/bin/python" -c "$check" 2>/dev/null
}

# make_server_venv DIR CHECK REQUIREMENT...: a lab server's Python environment, built from
# Debian's /usr/bin/python3, not the one on PATH (test users cannot read /root's pyenv).
# A venv built by an older run that only lacks a newly listed package gets it added in
# place, pinned to what it has (other runs may be using it); anything else is rebuilt.
# The lowest paramiko pyproject.toml allows, for tests/integration/test_paramiko_floor.py:
# a small venv with only that paramiko; everything else comes from .venv (a .pth file).
PARAMIKO_FLOOR_VENV=".venv-paramiko-floor"
make_paramiko_floor_venv() {
    local floor site
    floor="$(sed -n 's/^ *"paramiko>=\([0-9.]*\),.*/\1/p' pyproject.toml)"
    [[ -n "$floor" ]] || die "no paramiko lower bound in pyproject.toml"
    if [[ "$(cat "$PARAMIKO_FLOOR_VENV/.labtunnel-paramiko" 2>/dev/null)" == "$floor" ]]; then
        log "paramiko $floor venv: reusing $PARAMIKO_FLOOR_VENV"
        return
    fi
    log "paramiko $floor venv: $PARAMIKO_FLOOR_VENV"
    rm -rf "$PARAMIKO_FLOOR_VENV"
    .venv/bin/python -m venv "$PARAMIKO_FLOOR_VENV"
    "$PARAMIKO_FLOOR_VENV/bin/python" -m pip install -q --disable-pip-version-check --no-deps \
        "paramiko==$floor" </dev/null
    site="$("$PARAMIKO_FLOOR_VENV/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
    # an "import" line: .venv's own .pth files (the editable labtunnel) are read too
    .venv/bin/python -c 'import sysconfig
print("import site; site.addsitedir(%r)" % sysconfig.get_paths()["purelib"])' \
        >"$site/zz-labtunnel-venv.pth"
    echo "$floor" >"$PARAMIKO_FLOOR_VENV/.labtunnel-paramiko"
}

make_server_venv() {
    local venv="$1" check="$2"
    shift 2
    if server_venv_works "$venv" "$check"; then
        log "server venv: reusing $venv"
        return
    fi
    local parent
    parent="$(dirname "$venv")"
    "${SUDO[@]}" mkdir -p "$parent"
    "${SUDO[@]}" chmod 755 "$parent"
    # Several runs may share this machine: one builds, the others wait and reuse.
    # shellcheck disable=SC2016  # the script's variables are the inner bash's
    "${SUDO[@]}" env VENV="$venv" CHECK="$check" flock "$parent/.build.lock" bash -euc '
        umask 022
        pip=("$VENV/bin/python" -m pip install -q --disable-pip-version-check)
        if [[ -f "$VENV/.labtunnel-ready" ]]; then
            "$VENV/bin/python" -c "$CHECK" 2>/dev/null && exit 0
            echo "==> adding $* to $VENV"
            "$VENV/bin/python" -m pip freeze --exclude-editable >"$VENV/.constraints.txt"
            if "${pip[@]}" -c "$VENV/.constraints.txt" "$@" </dev/null &&
                "$VENV/bin/python" -c "$CHECK"; then
                chmod -R a+rX "$VENV"
                exit 0
            fi
        fi
        echo "==> building server venv $VENV (Debian /usr/bin/python3): $*"
        rm -rf "$VENV"
        /usr/bin/python3 -m venv "$VENV"
        "${pip[@]}" "$@" </dev/null
        chmod -R a+rX "$VENV"
        touch "$VENV/.labtunnel-ready"
    ' make_server_venv "$@"
    server_venv_works "$venv" "$check" || die "the server venv at $venv does not work"
}

make_server_venvs() {
    make_server_venv "$JUPYTER_VENV" "$JUPYTER_CHECK" \
        "jupyterlab>=4,<5" "jupyter_server>=2,<3" "notebook>=7,<8"
    make_server_venv "$NOTEBOOK6_VENV" "$NOTEBOOK6_CHECK" "notebook>=6.5,<7"
}

check_python() {
    local failed=0
    log "ruff check"
    .venv/bin/ruff check app tests || failed=1
    log "ruff format --check"
    .venv/bin/ruff format --check app tests || failed=1
    log "mypy"
    .venv/bin/mypy || failed=1
    return "$failed"
}

# The GitHub workflow cannot run here: lint it (actionlint, with shellcheck on its run:
# scripts when shellcheck is on PATH) and validate it against the github-workflows schema.
check_workflows() {
    local failed=0 workflows=(.github/workflows/*.yml)
    log "actionlint ${workflows[*]}"
    # .venv/bin on PATH: actionlint shellchecks the run: scripts with the pinned shellcheck
    PATH="$ROOT/.venv/bin:$PATH" .venv/bin/actionlint "${workflows[@]}" || failed=1
    log "check-jsonschema (github-workflows) ${workflows[*]}"
    .venv/bin/check-jsonschema --builtin-schema vendor.github-workflows "${workflows[@]}" ||
        failed=1
    return "$failed"
}

# Every shell script of the project, the Jupyter scripts that run on lab servers included.
check_shell_scripts() {
    local scripts
    mapfile -t scripts < <(git ls-files '*.sh' 2>/dev/null || find . -name '*.sh' -not -path './.venv/*')
    log "shellcheck (${#scripts[@]} scripts)"
    .venv/bin/shellcheck "${scripts[@]}"
}

run_checks() {
    local failed=0
    check_python || failed=1
    check_shell_scripts || failed=1
    check_workflows || failed=1
    ((failed == 0)) || die "static checks failed"
}

started=$SECONDS
if [[ "${LABTUNNEL_SKIP_INSTALL:-}" == "1" ]]; then
    log "LABTUNNEL_SKIP_INSTALL=1: not installing anything"
    [[ -x .venv/bin/python ]] || die ".venv is missing: run once without LABTUNNEL_SKIP_INSTALL"
else
    install_system_packages
    make_project_venv
    make_paramiko_floor_venv
    make_server_venvs
fi
log "setup took $((SECONDS - started)) s"

if [[ "${LABTUNNEL_SKIP_CHECKS:-}" == "1" ]]; then
    log "LABTUNNEL_SKIP_CHECKS=1: not running ruff, mypy, shellcheck and the workflow linters"
else
    run_checks
fi

RUN_TMP="$(mktemp -d "${TMPDIR:-/tmp}/labtunnel-run.XXXXXX")"
# shellcheck disable=SC2317  # called by the EXIT trap
cleanup() { rm -rf "$RUN_TMP"; }
trap cleanup EXIT
mkdir -m 700 "$RUN_TMP/runtime" "$RUN_TMP/data"

log "pytest $* (private D-Bus session, unlocked gnome-keyring, QT_QPA_PLATFORM=offscreen)"
set +e
env -u DISPLAY -u WAYLAND_DISPLAY -u DBUS_SESSION_BUS_ADDRESS -u GNOME_KEYRING_CONTROL \
    XDG_RUNTIME_DIR="$RUN_TMP/runtime" XDG_DATA_HOME="$RUN_TMP/data" \
    LABTUNNEL_RUN_ALL_STAGE=in-dbus-session \
    dbus-run-session -- bash "$ROOT/tests/run_all.sh" "$@" </dev/null
rc=$?
set -e
if ((rc == 5)); then
    printf 'run_all.sh: pytest collected no tests: failing on purpose\n' >&2
fi
log "run_all.sh finished in $((SECONDS - started)) s with exit code $rc"
exit "$rc"

#!/usr/bin/env bash
# The project's test command, for a fresh Debian 12 machine and for reruns:
#
#   sudo bash tests/run_all.sh                 # everything (as root: bash tests/run_all.sh)
#   bash tests/run_all.sh tests/unit -x        # extra arguments go to pytest
#
# Environment:
#   LABTUNNEL_SKIP_INSTALL=1   skip apt-get, the project venv's pip install and the Jupyter
#                              venv build (fast local reruns on a prepared machine)
#   LABTUNNEL_SKIP_CHECKS=1    skip ruff and mypy (local reruns only; CI never sets it)
#   LABTUNNEL_TEST_JUPYTER_VENV  where the lab server's Jupyter venv lives
#                              (default /opt/labtunnel-test/jupyter-venv)
#
# Steps: system packages -> project venv (.venv) -> server-side Jupyter venv -> ruff + mypy ->
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

# --- stage 2: inside dbus-run-session (re-entered below) -------------------------------------
if [[ "${LABTUNNEL_RUN_ALL_STAGE:-}" == "in-dbus-session" ]]; then
    unset LABTUNNEL_RUN_ALL_STAGE
    # A random password that only lives in this pipe: the keyring is created and unlocked
    # without any prompt (there is no X display yet, so nothing can pop up a dialog).
    keyring_env="$(head -c 32 /dev/urandom | base64 | gnome-keyring-daemon --unlock --components=secrets)"
    eval "$keyring_env"
    export GNOME_KEYRING_CONTROL="${GNOME_KEYRING_CONTROL:-$XDG_RUNTIME_DIR/keyring}"
    export LABTUNNEL_REQUIRE_HARNESS="${LABTUNNEL_REQUIRE_HARNESS:-1}"
    export QT_QPA_PLATFORM=offscreen
    export LABTUNNEL_TEST_JUPYTER_VENV="$JUPYTER_VENV"
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
    libdbus-1-3 fonts-noto-cjk
    slurmctld slurmd slurm-client munge
    dropbear-bin
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

jupyter_venv_works() {
    [[ -f "$JUPYTER_VENV/.labtunnel-ready" && -x "$JUPYTER_VENV/bin/jupyter" ]] || return 1
    local as_other_user=()
    # The lab server's test users must be able to run it, not only root.
    [[ "$(id -u)" -ne 0 ]] || as_other_user=(setpriv --reuid=65534 --regid=65534 --clear-groups)
    "${as_other_user[@]}" "$JUPYTER_VENV/bin/python" -c 'import jupyter_server, jupyterlab' \
        2>/dev/null
}

# Debian's /usr/bin/python3, not the one on PATH: test users cannot read /root (pyenv).
make_jupyter_venv() {
    if jupyter_venv_works; then
        log "Jupyter venv: reusing $JUPYTER_VENV"
        return
    fi
    local parent
    parent="$(dirname "$JUPYTER_VENV")"
    "${SUDO[@]}" mkdir -p "$parent"
    "${SUDO[@]}" chmod 755 "$parent"
    # Several runs may share this machine: one builds, the others wait and reuse.
    "${SUDO[@]}" env JUPYTER_VENV="$JUPYTER_VENV" flock "$parent/.build.lock" bash -euc '
        umask 022
        if [[ -f "$JUPYTER_VENV/.labtunnel-ready" ]] &&
            "$JUPYTER_VENV/bin/python" -c "import jupyter_server, jupyterlab" 2>/dev/null; then
            exit 0
        fi
        echo "==> building Jupyter venv $JUPYTER_VENV (Debian /usr/bin/python3)"
        rm -rf "$JUPYTER_VENV"
        /usr/bin/python3 -m venv "$JUPYTER_VENV"
        "$JUPYTER_VENV/bin/python" -m pip install -q --disable-pip-version-check \
            "jupyterlab>=4,<5" "jupyter_server>=2,<3" </dev/null
        chmod -R a+rX "$JUPYTER_VENV"
        touch "$JUPYTER_VENV/.labtunnel-ready"
    '
    jupyter_venv_works || die "the Jupyter venv at $JUPYTER_VENV does not work"
}

run_checks() {
    local failed=0
    log "ruff check"
    .venv/bin/ruff check app tests || failed=1
    log "ruff format --check"
    .venv/bin/ruff format --check app tests || failed=1
    log "mypy"
    .venv/bin/mypy || failed=1
    ((failed == 0)) || die "static checks failed"
}

started=$SECONDS
if [[ "${LABTUNNEL_SKIP_INSTALL:-}" == "1" ]]; then
    log "LABTUNNEL_SKIP_INSTALL=1: not installing anything"
    [[ -x .venv/bin/python ]] || die ".venv is missing: run once without LABTUNNEL_SKIP_INSTALL"
else
    install_system_packages
    make_project_venv
    make_jupyter_venv
fi
log "setup took $((SECONDS - started)) s"

if [[ "${LABTUNNEL_SKIP_CHECKS:-}" == "1" ]]; then
    log "LABTUNNEL_SKIP_CHECKS=1: not running ruff and mypy"
else
    run_checks
fi

RUN_TMP="$(mktemp -d "${TMPDIR:-/tmp}/labtunnel-run.XXXXXX")"
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

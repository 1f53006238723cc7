#!/usr/bin/env bash
# Builds the Linux bundle with PyInstaller and checks that it runs:
#   1. `labtunnel --self-test` inside a private D-Bus session with an unlocked gnome-keyring
#      (version, keyring backend, icons rendered by the bundled Qt plugins, translations),
#      then `connect --help` and `profile list`;
#   2. the tray app under Xvfb (with a `trayer` tray when installed) for a few seconds, then
#      SIGTERM: it must have logged its start and must exit 0.
#
#   bash packaging/smoke_test.sh            # build + test (installs pyinstaller into .venv)
#   LABTUNNEL_SMOKE_NO_BUILD=1 bash ...     # test the bundle already in dist/
#
# Environment: LABTUNNEL_BUILD_PYTHON (default .venv/bin/python), LABTUNNEL_DIST_DIR
# (default dist/), LABTUNNEL_SMOKE_SECONDS (how long the tray runs, default 5).
# Needs: dbus-run-session, gnome-keyring-daemon, Xvfb, Qt's xcb libraries (tests/run_all.sh
# installs them). Prints the build time and bundle size.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

log() { printf '==> %s\n' "$*"; }
die() { printf 'smoke_test.sh: %s\n' "$*" >&2; exit 1; }

# --- stage 2: inside dbus-run-session, keyring unlocked (re-entered below) -------------------
if [[ "${LABTUNNEL_SMOKE_STAGE:-}" == "in-dbus-session" ]]; then
    unset LABTUNNEL_SMOKE_STAGE
    EXE="$1" WORK="$2"
    # A random password that only lives in this pipe; no X display exists yet, so the
    # keyring cannot pop up a dialog.
    eval "$(head -c 32 /dev/urandom | base64 | gnome-keyring-daemon --unlock --components=secrets)"
    export GNOME_KEYRING_CONTROL="${GNOME_KEYRING_CONTROL:-$XDG_RUNTIME_DIR/keyring}"

    log "self-test: $EXE --self-test"
    started=$(date +%s%N)
    report="$("$EXE" --self-test)" || { printf '%s\n' "$report"; die "the bundle's self-test failed"; }
    log "self-test took $(( ($(date +%s%N) - started) / 1000000 )) ms"
    printf '%s\n' "$report"
    # the package data (labtunnel.resources) of the bundle itself, not a checkout's folder
    resources="$(cd "$(dirname "$EXE")" && pwd)/_internal/labtunnel/resources"
    grep -qxF "resources: $resources" <<<"$report" || die "the bundle reads its resources elsewhere"
    # a command's code is imported only when it runs (the self-test imports them all)
    "$EXE" connect --help >"$WORK/help.out" 2>&1 \
        || { cat "$WORK/help.out" >&2; die "the bundle cannot run labtunnel connect"; }
    LABTUNNEL_CONFIG_DIR="$WORK/cli-config" "$EXE" profile list >"$WORK/cli.out" 2>&1 \
        || { cat "$WORK/cli.out" >&2; die "the bundle's labtunnel profile list failed"; }
    log "the bundle's CLI commands run"

    pids=()
    # shellcheck disable=SC2317  # called by the EXIT trap
    cleanup_x() {
        local pid
        for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
        for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    }
    trap cleanup_x EXIT

    Xvfb -displayfd 3 -screen 0 1280x800x24 -nolisten tcp 3>"$WORK/display" 2>"$WORK/xvfb.log" &
    pids+=($!)
    for _ in $(seq 100); do [[ -s "$WORK/display" ]] && break; sleep 0.1; done
    [[ -s "$WORK/display" ]] || die "Xvfb did not start: $(cat "$WORK/xvfb.log")"
    DISPLAY=":$(head -n1 "$WORK/display")"
    export DISPLAY
    unset QT_QPA_PLATFORM
    log "Xvfb on $DISPLAY"
    if command -v trayer >/dev/null; then
        trayer --align right --widthtype request --height 24 >/dev/null 2>&1 &
        pids+=($!)
        if command -v xdotool >/dev/null; then
            for _ in $(seq 50); do
                xdotool search --class trayer >/dev/null 2>&1 && break
                sleep 0.1
            done
        else
            sleep 1
        fi
        log "trayer started as the system tray"
    fi

    config="$WORK/config"
    mkdir -m 700 "$config"
    started=$(date +%s%N)
    LABTUNNEL_CONFIG_DIR="$config" "$EXE" >"$WORK/app.out" 2>"$WORK/app.err" &
    app=$!
    ready=""
    for _ in $(seq 300); do
        if grep -q "LabTunnel tray started" "$config/logs/labtunnel.log" 2>/dev/null; then
            ready=$(( ($(date +%s%N) - started) / 1000000 ))
            break
        fi
        kill -0 "$app" 2>/dev/null || break
        sleep 0.1
    done
    if [[ -z "$ready" ]]; then
        kill "$app" 2>/dev/null || true
        wait "$app" 2>/dev/null || true
        cat "$WORK/app.err" >&2
        die "the tray app did not start (log: $(cat "$config/logs/labtunnel.log" 2>/dev/null))"
    fi
    log "tray app ready after $ready ms; keeping it running ${LABTUNNEL_SMOKE_SECONDS:-5} s"
    sleep "${LABTUNNEL_SMOKE_SECONDS:-5}"
    kill -0 "$app" 2>/dev/null || die "the tray app died: $(cat "$WORK/app.err")"
    kill -TERM "$app"
    code=""
    for _ in $(seq 150); do
        kill -0 "$app" 2>/dev/null || { wait "$app" && code=0 || code=$?; break; }
        sleep 0.1
    done
    if [[ -z "$code" ]]; then
        kill -KILL "$app" 2>/dev/null || true
        wait "$app" 2>/dev/null || true
        die "the tray app did not quit within 15 s of SIGTERM"
    fi
    if grep -q "Traceback" "$WORK/app.err"; then
        cat "$WORK/app.err" >&2
        die "the tray app printed a traceback"
    fi
    ((code == 0)) || { cat "$WORK/app.err" >&2; die "the tray app exited with $code"; }
    log "tray app quit cleanly on SIGTERM"
    exit 0
fi

# --- stage 1: build ----------------------------------------------------------------------------
PYTHON="${LABTUNNEL_BUILD_PYTHON:-$ROOT/.venv/bin/python}"
DIST="${LABTUNNEL_DIST_DIR:-$ROOT/dist}"
BUILD="$ROOT/build/pyinstaller"
[[ -x "$PYTHON" ]] || die "no Python at $PYTHON (set LABTUNNEL_BUILD_PYTHON)"
for tool in dbus-run-session gnome-keyring-daemon Xvfb; do
    command -v "$tool" >/dev/null || die "$tool is missing (see tests/run_all.sh for packages)"
done

if [[ "${LABTUNNEL_SMOKE_NO_BUILD:-}" != "1" ]]; then
    if ! "$PYTHON" -m PyInstaller --version >/dev/null 2>&1; then
        log "pip install pyinstaller"
        "$PYTHON" -m pip install -q --disable-pip-version-check "pyinstaller>=6.10" </dev/null
    fi
    log "PyInstaller $("$PYTHON" -m PyInstaller --version): building the Linux bundle"
    mkdir -p "$BUILD"
    started=$SECONDS
    "$PYTHON" -m PyInstaller --noconfirm --clean --log-level WARN \
        --distpath "$DIST" --workpath "$BUILD" packaging/labtunnel.spec \
        >"$BUILD/build.log" 2>&1 || { tail -n 40 "$BUILD/build.log" >&2; die "build failed"; }
    log "build took $((SECONDS - started)) s (log: $BUILD/build.log)"
fi

BUNDLE="$DIST/LabTunnel"
EXE="$BUNDLE/labtunnel"
[[ -x "$EXE" ]] || die "no bundle at $EXE"
log "bundle size: $(du -sh "$BUNDLE" | cut -f1) ($(find "$BUNDLE" -type f | wc -l) files)"
[[ -f "$BUNDLE/labtunnel.desktop" ]] || die "the .desktop file is not in the bundle"
if command -v desktop-file-validate >/dev/null; then
    desktop-file-validate "$BUNDLE/labtunnel.desktop"
fi

WORK="$(mktemp -d "${TMPDIR:-/tmp}/labtunnel-smoke.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
mkdir -m 700 "$WORK/runtime" "$WORK/data"
env -u DISPLAY -u WAYLAND_DISPLAY -u DBUS_SESSION_BUS_ADDRESS -u GNOME_KEYRING_CONTROL \
    -u LABTUNNEL_CONFIG_DIR -u LABTUNNEL_RESOURCES \
    XDG_RUNTIME_DIR="$WORK/runtime" XDG_DATA_HOME="$WORK/data" HOME="$WORK" \
    LABTUNNEL_SMOKE_STAGE=in-dbus-session \
    dbus-run-session -- bash "$ROOT/packaging/smoke_test.sh" "$EXE" "$WORK" </dev/null
log "smoke test passed"

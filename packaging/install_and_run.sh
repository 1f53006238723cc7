#!/usr/bin/env bash
# Install LabTunnel from this checkout into .venv-app and start it (the tray app, or any
# `labtunnel` command given as arguments):
#
#   bash packaging/install_and_run.sh                # the tray app
#   bash packaging/install_and_run.sh profile list   # a command
#
# On Debian/Ubuntu it first installs what Qt's tray needs (with sudo when not root).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

QT_RUNTIME=(python3-venv libxcb-icccm4 libxcb-keysyms1 libxcb-cursor0 libxkbcommon-x11-0
    libegl1 libxcb-shape0 libxcb-randr0 libxcb-render-util0 libxcb-image0 libxcb-xkb1 libgl1
    libfontconfig1 libdbus-1-3 gnome-keyring)

if command -v dpkg-query >/dev/null && command -v apt-get >/dev/null; then
    missing=()
    for pkg in "${QT_RUNTIME[@]}"; do
        dpkg-query -W -f='${db:Status-Abbrev}' "$pkg" 2>/dev/null | grep -q '^ii' || missing+=("$pkg")
    done
    if ((${#missing[@]})); then
        sudo=()
        [[ "$(id -u)" -eq 0 ]] || sudo=(sudo)
        "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q </dev/null
        "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" </dev/null
    fi
fi

if ! .venv-app/bin/python -c 'import sys; sys.exit(sys.version_info < (3, 10))' 2>/dev/null; then
    python3 -m venv .venv-app
fi
.venv-app/bin/python -m pip install -q --disable-pip-version-check . </dev/null
exec .venv-app/bin/labtunnel "$@"

"""A whole first session in the real app, in its own process, and how that process ends.

welcome editor → host-key dialog → one-time-code dialog → connected → Disconnect →
Connect (code again) → connected → Quit, against the real sshd with a real TOTP second
factor (PAM) and the real keyring. With PySide6 6.12.0 on Python 3.11 this ended with
"Fatal Python error: bool_dealloc" and status -6 (SIGABRT) every time: the bindings drop
a reference to True on every signal emit (see tests/unit/test_qt_bindings.py). The exit
status and stderr are what a crash reporter would see, so they are what this checks.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from tests.harness import LabServer
from tests.harness.totp import TotpServer, start_totp_sshd

from labtunnel.core.profiles.remembered import RememberedServers
from labtunnel.core.profiles.store import ProfileStore

pytestmark = [pytest.mark.gui, pytest.mark.integration]

DRIVER = Path(__file__).with_name("first_session_driver.py")


@pytest.fixture(scope="module")
def totp_server(lab_server: LabServer) -> TotpServer:
    return start_totp_sshd(lab_server)


def _stop_jupyter_started_by(config: Path, lab_server: LabServer) -> None:
    """Quitting leaves Jupyter running on the server, by design: stop it here."""
    profiles = ProfileStore(config / "profiles.json")
    if not profiles.path.exists():
        return
    profiles.load()
    remembered = RememberedServers(config / "state.json")
    for profile in profiles.profiles():
        server = remembered.get(profile.id)
        if server is not None and server.pid:
            lab_server.ns_exec(["kill", str(server.pid)])


@pytest.mark.timeout(300)
def test_whole_first_session_then_quit_exits_0(
    lab_server: LabServer, totp_server: TotpServer, real_keyring: str, tmp_path: Path
) -> None:
    lab_server.require_jupyter()
    config = tmp_path / "config"
    config.mkdir(mode=0o700)
    steps = tmp_path / "steps.txt"
    env = {
        **os.environ,
        "LABTUNNEL_CONFIG_DIR": str(config),
        "LABTUNNEL_KEYRING_SERVICE": real_keyring,
        "QT_QPA_PLATFORM": "offscreen",
        "LABTUNNEL_DRIVER_HOST": totp_server.host,
        "LABTUNNEL_DRIVER_PORT": str(totp_server.port),
        "LABTUNNEL_DRIVER_USER": totp_server.user.name,
        "LABTUNNEL_DRIVER_PASSWORD": totp_server.user.password,
        "LABTUNNEL_DRIVER_TOTP_SECRET": totp_server.secret,
        "LABTUNNEL_DRIVER_STEPS": str(steps),
    }
    env.pop("LABTUNNEL_LOG_DIR", None)
    try:
        result = subprocess.run(
            [sys.executable, str(DRIVER)],
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=280,
        )
    finally:
        _stop_jupyter_started_by(config, lab_server)
    done = steps.read_text().splitlines() if steps.exists() else []
    fatal = [line for line in result.stderr.splitlines() if "Fatal Python error" in line]
    assert result.returncode == 0 and not fatal, (
        f"exit status {result.returncode}, {fatal or 'no fatal error'}; steps: {done}; "
        f"stderr tail: {result.stderr[-1500:]}"
    )
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    # the whole session happened: both codes asked by the real PAM module, twice connected
    assert done[0] == "welcome editor: save and connect", done
    assert "host-key dialog: trust" in done
    codes = [step for step in done if step.startswith("one-time-code dialog")]
    connected = [step for step in done if step.startswith("connected #")]
    assert len(codes) >= 2 and connected == ["connected #1", "connected #2"], done
    assert done[-1] == "menu: Quit LabTunnel", done
    log = (config / "logs" / "labtunnel.log").read_text()
    assert "LabTunnel tray started" in log

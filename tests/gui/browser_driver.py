"""The tray app's "Open in browser" in a process of its own, on a real X display, with
the app's own way of opening the browser (nothing replaced but the tunnel manager):
run by tests/gui/test_open_in_browser.py.

Environment: LABTUNNEL_DRIVER_DIR (a private folder: config, log, and the ``done`` file
the test writes when it has looked at every process), LABTUNNEL_DRIVER_URL (the Jupyter
URL a connected tunnel reports). Prints ``opened`` once the browser was asked.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from PySide6.QtWidgets import QApplication

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.gui.fakes import FakeManager  # noqa: E402

from labtunnel.core.events import TunnelState  # noqa: E402
from labtunnel.core.profiles.lifecycle import ProfileLifecycle  # noqa: E402
from labtunnel.core.profiles.model import HostProfile  # noqa: E402
from labtunnel.core.profiles.remembered import RememberedServers  # noqa: E402
from labtunnel.core.profiles.secrets import MemorySecretStore  # noqa: E402
from labtunnel.core.profiles.store import ProfileStore  # noqa: E402
from labtunnel.core.ssh.hostkeys import HostKeyStore  # noqa: E402
from labtunnel.ui.app import LabTunnelApp  # noqa: E402


def main() -> int:
    work = Path(os.environ["LABTUNNEL_DRIVER_DIR"])
    url = os.environ["LABTUNNEL_DRIVER_URL"]
    qt = QApplication(["labtunnel"])
    config = work / "config"
    config.mkdir(mode=0o700, exist_ok=True)
    store = ProfileStore(config / "profiles.json")
    store.load()
    profile = store.add(HostProfile(name="gpu-lab", host="gpu.lab.example", username="ada"))
    managers: list[FakeManager] = []

    def manager(listener, prompter):  # type: ignore[no-untyped-def]
        managers.append(FakeManager(store, listener))
        return managers[0]

    app = LabTunnelApp(
        profiles=ProfileLifecycle(store, MemorySecretStore(), RememberedServers(config / "s")),
        hostkeys=HostKeyStore(config / "known_hosts"),
        log_dir=work / "logs",
        manager_factory=manager,
        tray_available=lambda: False,
        tray_wait_ms=0,
        quit_app=lambda: None,
    )
    app.start()
    managers[0].set_state(profile, TunnelState.CONNECTED, local_url=url)
    qt.processEvents()
    assert app.controller.open_in_browser(profile.id)
    print("opened", flush=True)
    deadline = time.monotonic() + 30
    while not (work / "done").exists() and time.monotonic() < deadline:
        qt.processEvents()
        time.sleep(0.02)
    managers[0].set_state(profile, TunnelState.DISCONNECTED)
    deadline = time.monotonic() + 2
    while time.monotonic() < deadline:  # the "disconnected" event reaches the GUI thread
        qt.processEvents()
        time.sleep(0.02)
    print("disconnected", flush=True)
    app.shutdown()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

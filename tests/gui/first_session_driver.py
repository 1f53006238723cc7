"""Runs the real tray app (``labtunnel`` with no arguments) in this process and clicks
through a whole first session, like a new lab member would:

welcome editor (address, user, password) → "Save and connect" → host-key dialog (trust) →
one-time-code dialog (code) → connected → Disconnect → Connect → one-time code again →
connected → Quit LabTunnel.

Only the clicking is added: a timer looks at the app's top-level windows and menus and
acts on what a person would see. The process then ends the way the real app ends
(``raise SystemExit(main())``), so its exit status and stderr say whether quitting and
Python's finalization went well. The test runs this as a subprocess.

Arguments come from the environment (LABTUNNEL_DRIVER_*): host, port, user and
password of the lab server, the TOTP secret (base32) and a file where each step is
written as it happens (so a failing test can say how far it got). The driver imports
no test code (no pytest, no harness), so the process holds what the real app holds.
Codes come from ``oathtool --totp``, as a person's phone would show them.
"""

from __future__ import annotations

import os
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMenu, QWidget

import labtunnel.ui.main as ui_main
from labtunnel.cli import main
from labtunnel.ui.app import LabTunnelApp
from labtunnel.ui.dialogs.hostkey import HostKeyDialog
from labtunnel.ui.dialogs.jupyter_choice import JupyterChoiceDialog
from labtunnel.ui.dialogs.otp import OneTimeCodeDialog
from labtunnel.ui.dialogs.profile_editor import ProfileEditor

TICK_MS = 100
GIVE_UP_S = 240.0


def totp_code(secret_base32: str) -> str:
    result = subprocess.run(
        ["oathtool", "--totp", "--base32", secret_base32],
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


class Robot(QObject):
    """Acts on whatever window is up; steps advance as the app gets there."""

    def __init__(self, app: LabTunnelApp, env: dict[str, str]) -> None:
        super().__init__(app)
        self.app = app
        self.env = env
        self.steps_file = Path(env["LABTUNNEL_DRIVER_STEPS"])
        self.codes_asked = 0
        self.connected_times = 0
        self.started = time.monotonic()
        self.phase = "welcome"
        self.timer = QTimer(self)
        self.timer.setInterval(TICK_MS)
        self.timer.timeout.connect(self.tick)
        self.timer.start()

    def note(self, step: str) -> None:
        with self.steps_file.open("a", encoding="utf-8") as out:
            out.write(step + "\n")

    def tick(self) -> None:
        if time.monotonic() - self.started > GIVE_UP_S:
            self.note(f"gave up in phase {self.phase}")
            self.timer.stop()
            self.app.quit()
            return
        for window in QApplication.topLevelWidgets():
            if window.isVisible() and self.handle_window(window):
                return
        self.handle_menu()

    # --- dialogs ----------------------------------------------------------------------

    def handle_window(self, window: QWidget) -> bool:
        if isinstance(window, ProfileEditor) and self.phase == "welcome":
            QTest.keyClicks(window.host_edit, self.env["LABTUNNEL_DRIVER_HOST"])
            window.port_spin.setValue(int(self.env["LABTUNNEL_DRIVER_PORT"]))
            QTest.keyClicks(window.username_edit, self.env["LABTUNNEL_DRIVER_USER"])
            QTest.keyClicks(window.password_field.line, self.env["LABTUNNEL_DRIVER_PASSWORD"])
            assert window.save_connect_button is not None
            self.note("welcome editor: save and connect")
            self.phase = "connecting"
            window.save_connect_button.click()
            return True
        if isinstance(window, HostKeyDialog):
            self.note("host-key dialog: trust")
            window.trust_button.click()
            return True
        if isinstance(window, OneTimeCodeDialog):
            self.codes_asked += 1
            self.note(f"one-time-code dialog #{self.codes_asked}: sign in")
            for field in window.fields:
                field.setText(totp_code(self.env["LABTUNNEL_DRIVER_TOTP_SECRET"]))
            window.accept()
            return True
        if isinstance(window, JupyterChoiceDialog):
            self.note("Jupyter choice: use the one found")
            # other tests of the session may leave jupyters in the home: the harness's
            wanted = self.env.get("LABTUNNEL_TEST_JUPYTER_VENV", "") + "/bin/jupyter"
            offered = [window.choices.item(i).text() for i in range(window.choices.count())]
            if wanted in offered:
                window.choices.setCurrentRow(offered.index(wanted))
            window.use_button.click()
            return True
        return False

    # --- the tray menu (or the fallback window's) ---------------------------------------

    def menu(self) -> QMenu | None:
        if self.app.tray is not None:
            return self.app.tray.menu
        if self.app.fallback is not None:
            return self.app.fallback.menu
        return None

    def trigger(self, menu: QMenu, wanted: Callable[[str], bool]) -> bool:
        menu.aboutToShow.emit()  # what opening the menu does: rebuilt from the state now
        for action in menu.actions():
            if action.isEnabled() and wanted(action.text()):
                self.note(f"menu: {action.text()}")
                action.trigger()
                return True
        return False

    def handle_menu(self) -> None:
        menu = self.menu()
        if menu is None:
            return
        texts = [action.text() for action in menu.actions()]
        connected = "Disconnect" in texts and "Open in browser" in texts
        if self.phase == "connecting" and connected:
            self.connected_times += 1
            self.note(f"connected #{self.connected_times}")
            if self.connected_times == 1:
                self.phase = "disconnecting"
                self.trigger(menu, lambda text: text == "Disconnect")
            else:
                self.phase = "quitting"
                self.trigger(menu, lambda text: text == "Quit LabTunnel")
        elif (
            self.phase == "disconnecting"
            # (the manager ignores a connect while the old worker still cleans up)
            and not _tunnel_threads()
            and self.trigger(menu, lambda text: text.startswith("Connect to "))
        ):
            self.phase = "connecting"


def _tunnel_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("tunnel-")]


def _install_robot() -> None:
    env = dict(os.environ)
    original_start = LabTunnelApp.start

    def start(self: LabTunnelApp, open_file: Path | None = None) -> None:
        original_start(self, open_file)
        Robot(self, env)

    LabTunnelApp.start = start  # type: ignore[method-assign]
    assert ui_main.LabTunnelApp is LabTunnelApp  # type: ignore[attr-defined]


if __name__ == "__main__":
    _install_robot()
    raise SystemExit(main([]))

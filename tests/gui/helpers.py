"""Reading menus and waiting for the GUI thread in tests."""

from __future__ import annotations

import time

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu
from pytestqt.qtbot import QtBot
from tests.gui.fakes import FakeManager

from labtunnel.core.events import TunnelState, TunnelStatus
from labtunnel.core.profiles.model import HostProfile
from labtunnel.ui.app import LabTunnelApp


def texts(menu: QMenu) -> list[str]:
    """Menu items as shown; separators as "---", disabled items in [brackets]."""
    result = []
    for action in menu.actions():
        if action.isSeparator():
            result.append("---")
        elif action.isEnabled():
            result.append(action.text())
        else:
            result.append(f"[{action.text()}]")
    return result


def action(menu: QMenu, text: str) -> QAction:
    for candidate in menu.actions():
        if candidate.text() == text:
            return candidate
    raise AssertionError(f"no {text!r} in {texts(menu)}")


def submenu(menu: QMenu, title: str) -> QMenu:
    found = action(menu, title).menu()
    assert isinstance(found, QMenu), f"{title!r} is not a submenu"
    return found


def fake(app: LabTunnelApp) -> FakeManager:
    manager = app.manager
    assert isinstance(manager, FakeManager)
    return manager


def set_state(
    qtbot: QtBot, app: LabTunnelApp, profile: HostProfile, state: TunnelState, **changes: object
) -> TunnelStatus:
    """Deliver a status from a worker thread and wait until the GUI thread handled it."""
    with qtbot.waitSignal(app.controller.changed, timeout=3000):
        return fake(app).set_state(profile, state, **changes)


def open_menu(app: LabTunnelApp) -> QMenu:
    assert app.tray is not None
    app.tray.menu.aboutToShow.emit()
    return app.tray.menu


def make_profile(name: str = "gpu-lab", **changes: object) -> HostProfile:
    profile = HostProfile(name=name, host="gpu.lab.example", username="ada")
    return profile.with_changes(**changes) if changes else profile


class Budget:
    """One time limit for a whole GUI test against real servers: each wait gets at most
    what is left of it. So a slow or failed step fails the test with its own message
    before pytest-timeout fires: from inside a Qt wait its thread method can only end
    the whole run (and its signal method hung the run: the exception it raises inside a
    Qt slot keeps qtbot's event loop from ever quitting)."""

    def __init__(self, seconds: float = 100.0) -> None:
        self._deadline = time.monotonic() + seconds

    def ms(self, at_most_s: float) -> int:
        """A qtbot timeout: ``at_most_s`` seconds, or what is left if that is less."""
        left = min(at_most_s, self._deadline - time.monotonic())
        return max(1, int(left * 1000))

    def left(self, at_most_s: float) -> float:
        """The same in seconds, for a loop's own deadline."""
        return self.ms(at_most_s) / 1000

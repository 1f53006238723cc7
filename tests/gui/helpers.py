"""Reading menus, waiting for the GUI thread, and the tray app on real servers, in tests."""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QUrl
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu
from pytestqt.qtbot import QtBot
from tests.gui.fakes import FakeManager
from tests.harness.browser import recording_browser

from labtunnel.core.context import AppContext
from labtunnel.core.events import Listener, TunnelState, TunnelStatus
from labtunnel.core.profiles.model import HostProfile
from labtunnel.core.ssh.auth import Prompter
from labtunnel.core.tunnel.manager import TunnelManager
from labtunnel.ui.app import LabTunnelApp


def real_app(
    context: AppContext,
    opened: list[str],
    *,
    quit_app: Callable[[], None] = lambda: None,
    measure_stalls: bool = False,
) -> LabTunnelApp:
    """The tray app on ``context``'s real tunnels (its profiles, keyring, host keys),
    with a tray said to be there; every URL it opens or hands the browser lands in
    ``opened``."""

    def make_manager(listener: Listener, prompter: Prompter) -> TunnelManager:
        return TunnelManager(context.tunnel_deps(prompter), listener)

    def open_url(url: QUrl) -> bool:
        opened.append(url.toString())
        return True

    return LabTunnelApp(
        profiles=context.profiles,
        hostkeys=context.hostkeys,
        log_dir=context.paths.log_dir,
        manager_factory=make_manager,
        open_url=open_url,
        browser=recording_browser(opened, context.paths.config_dir),
        tray_available=lambda: True,
        tray_wait_ms=0,
        quit_app=quit_app,
        measure_stalls=measure_stalls,
    )


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

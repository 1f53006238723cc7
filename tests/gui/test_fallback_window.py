"""Without a tray: wait a little, then a small window with the same actions says why."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from pytestqt.qtbot import QtBot
from tests.gui.fakes import JUPYTER_URL, Recorder
from tests.gui.helpers import action, fake, make_profile, set_state, texts

from labtunnel.core.events import TunnelState
from labtunnel.core.profiles.store import ProfileStore
from labtunnel.ui.app import LabTunnelApp
from labtunnel.ui.tray_wait import TrayWaiter

pytestmark = pytest.mark.gui

AppFactory = Callable[..., LabTunnelApp]


def test_waiter_polls_with_a_timer_until_the_tray_appears(qtbot: QtBot) -> None:
    answers = iter([False, False, False, True])
    waiter = TrayWaiter(lambda: next(answers), wait_ms=5000, poll_ms=20)
    with qtbot.waitSignal(waiter.decided, timeout=3000) as decided:
        waiter.start()
        assert waiter.result is None  # did not block: the decision comes later
    assert decided.args == [True]


def test_waiter_gives_up_after_the_wait(qtbot: QtBot) -> None:
    waiter = TrayWaiter(lambda: False, wait_ms=200, poll_ms=20)
    with qtbot.waitSignal(waiter.decided, timeout=3000) as decided:
        waiter.start()
    assert decided.args == [False]


def test_no_tray_shows_the_fallback_window_with_the_same_actions(
    qtbot: QtBot, make_app: AppFactory, store: ProfileStore, recorder: Recorder
) -> None:
    profile = store.add(make_profile())
    app = make_app(tray=False, tray_wait_ms=100)
    app.start()
    assert app.fallback is None  # still waiting for a tray
    qtbot.waitUntil(lambda: app.fallback is not None and app.fallback.isVisible(), timeout=3000)
    window = app.fallback
    assert window is not None and app.tray is None
    assert "no system tray" in window.reason.text()
    assert window.primary_button.text() == "Connect to gpu-lab"
    window.rebuild_menu()
    assert texts(window.menu)[:2] == ["Connect to gpu-lab", "---"]
    window.primary_button.click()
    assert fake(app).called("connect") == [profile.id]
    set_state(qtbot, app, profile, TunnelState.CONNECTED)
    assert recorder.urls == [JUPYTER_URL]  # the connect opened the browser
    assert "gpu-lab: Connected" in window.status_label.text()
    assert window.primary_button.text() == "Open in browser"
    assert "Connected to gpu-lab" in window.notice_label.text()
    window.rebuild_menu()
    action(window.menu, "Disconnect").trigger()
    assert fake(app).called("disconnect") == [profile.id]


def test_second_launch_brings_the_fallback_window_back(
    qtbot: QtBot, make_app: AppFactory, store: ProfileStore
) -> None:
    store.add(make_profile())
    app = make_app(tray=False, tray_wait_ms=0)
    app.start()
    qtbot.waitUntil(lambda: app.fallback is not None, timeout=3000)
    assert app.fallback is not None
    app.fallback.close()
    app.handle_message("show")
    assert app.fallback.isVisible()

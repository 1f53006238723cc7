"""An idle tray app sleeps (issue 6: <= 1 wake-up a second): no short timers once it is
up, and the server figures (a command on the lab server) are fetched only while a menu
or window shows them. tests/benchmarks/bench_forward.py measures the real process."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtCore import QTimer
from pytestqt.qtbot import QtBot
from tests.gui.helpers import fake, make_profile, set_state, texts
from tests.gui.test_tray_menu import STATS

from labtunnel.core.events import StatsEvent, TunnelState
from labtunnel.core.profiles.store import ProfileStore
from labtunnel.ui.app import LabTunnelApp
from labtunnel.ui.controller import STATS_EVERY_MS
from labtunnel.ui.settings import SettingsStore

pytestmark = pytest.mark.gui

AppFactory = Callable[..., LabTunnelApp]


def active_timers(app: LabTunnelApp) -> list[int]:
    return sorted(t.interval() for t in app.findChildren(QTimer) if t.isActive())


def minute_tick(app: LabTunnelApp) -> None:
    app.controller._stats_timer.timeout.emit()


def test_a_connected_idle_app_runs_no_short_timer(
    qtbot: QtBot, make_app: AppFactory, store: ProfileStore
) -> None:
    profile = store.add(make_profile())
    SettingsStore(store).change(connect_at_start=True)
    app = make_app(tray=False, tray_wait_ms=200)
    app.start()
    assert 250 in active_timers(app)  # waiting for a tray
    qtbot.waitUntil(lambda: fake(app).called("connect") == [profile.id], timeout=3000)
    assert 5 not in active_timers(app)  # no GUI stall meter in production
    set_state(qtbot, app, profile, TunnelState.CONNECTED)
    assert active_timers(app) == [STATS_EVERY_MS]


def test_figures_are_fetched_each_minute_only_while_the_tray_menu_shows_them(
    qtbot: QtBot, make_app: AppFactory, store: ProfileStore
) -> None:
    profile = store.add(make_profile())
    app = make_app()
    app.start()
    assert app.tray is not None
    set_state(qtbot, app, profile, TunnelState.CONNECTED)
    asked = len(fake(app).called("refresh_stats"))
    assert asked == 1  # once when connected
    minute_tick(app)
    minute_tick(app)
    assert len(fake(app).called("refresh_stats")) == asked  # nobody looks
    menu = app.tray.menu
    app.tray.popup_menu()
    qtbot.waitUntil(menu.isVisible)
    assert "[GPU 0 NVIDIA A100: 37 % busy, 12.0 of 40.0 GB used]" not in texts(menu)
    minute_tick(app)
    assert len(fake(app).called("refresh_stats")) == asked + 1
    # figures that arrive while the menu is open show at once
    with qtbot.waitSignal(app.controller.changed):
        fake(app).deliver(StatsEvent(profile.id, STATS))
    assert "[GPU 0 NVIDIA A100: 37 % busy, 12.0 of 40.0 GB used]" in texts(menu)
    menu.hide()
    minute_tick(app)
    assert len(fake(app).called("refresh_stats")) == asked + 1


def test_the_fallback_window_keeps_its_figures_fresh_while_shown(
    qtbot: QtBot, make_app: AppFactory, store: ProfileStore
) -> None:
    profile = store.add(make_profile())
    app = make_app(tray=False)
    app.start()
    qtbot.waitUntil(lambda: app.fallback is not None, timeout=3000)
    window = app.fallback
    assert window is not None and window.isVisible()
    set_state(qtbot, app, profile, TunnelState.CONNECTED)
    asked = len(fake(app).called("refresh_stats"))
    minute_tick(app)
    assert len(fake(app).called("refresh_stats")) == asked + 1
    with qtbot.waitSignal(app.controller.changed):
        fake(app).deliver(StatsEvent(profile.id, STATS))
    assert "GPU 0 NVIDIA A100" in window.status_label.text()
    window.hide()
    minute_tick(app)
    assert len(fake(app).called("refresh_stats")) == asked + 1

"""The tray menu: its contents in each state and what each item does."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot
from tests.gui.fakes import JUPYTER_URL, FakeLoginItem, Recorder
from tests.gui.helpers import action, fake, make_profile, open_menu, set_state, submenu, texts

from labtunnel.core.errors import AuthFailed
from labtunnel.core.events import StatsEvent, TunnelState, TunnelStep
from labtunnel.core.platform.autostart.macos import MacLoginItem
from labtunnel.core.platform.browser import BrowserOpener
from labtunnel.core.profiles.store import ProfileStore
from labtunnel.core.server.stats import GpuStat, GpuStatus, ServerStats
from labtunnel.ui.app import LabTunnelApp
from labtunnel.ui.dialogs.log_viewer import LogViewer
from labtunnel.ui.dialogs.profile_editor import ProfileEditor
from labtunnel.ui.dialogs.servers import ServerList
from labtunnel.ui.dialogs.settings_dialog import SettingsDialog
from labtunnel.ui.dialogs.ssh_import import SshImportDialog
from labtunnel.ui.state import TrayState

pytestmark = pytest.mark.gui

AppFactory = Callable[..., LabTunnelApp]
IMPORTS = ["Import lab profile…", "Import from SSH config…"]
APP_ITEMS = [
    "Show log",
    "---",
    "Settings…",
    "Launch at login",
    "About LabTunnel",
    "Quit LabTunnel",
]
STATS = ServerStats(
    gpus=(GpuStat(0, "NVIDIA A100", 37, 12288, 40960),),
    load_1=2.31,
    load_5=2.0,
    load_15=1.5,
    cpu_count=32,
    mem_total_mib=262144,
    mem_available_mib=190464,
    hostname="gpu1",
    gpu_status=GpuStatus.OK,
)


def test_without_profiles_the_menu_offers_to_add_one(make_app: AppFactory) -> None:
    app = make_app()
    app.start()
    assert texts(open_menu(app)) == ["Add lab server…", *IMPORTS, *APP_ITEMS]


def test_one_idle_profile_first_item_connects(
    make_app: AppFactory, store: ProfileStore, recorder: Recorder
) -> None:
    profile = store.add(make_profile())
    app = make_app()
    app.start()
    menu = open_menu(app)
    assert texts(menu) == [
        "Connect to gpu-lab",
        "---",
        "Add lab server…",
        *IMPORTS,
        "Manage servers…",
        *APP_ITEMS,
    ]
    assert menu.defaultAction() is action(menu, "Connect to gpu-lab")
    # the menu opening to connect: the core may log in meanwhile (core/tunnel/ahead.py)
    assert fake(app).prepared == [profile.id]
    action(menu, "Connect to gpu-lab").trigger()
    assert fake(app).called("connect") == [profile.id]


def test_connected_profile_offers_browser_url_stats_and_stopping(
    qtbot: QtBot, make_app: AppFactory, store: ProfileStore, recorder: Recorder
) -> None:
    profile = store.add(make_profile())
    app = make_app()
    app.start()
    set_state(qtbot, app, profile, TunnelState.CONNECTED)
    with qtbot.waitSignal(app.controller.changed):
        fake(app).deliver(StatsEvent(profile.id, STATS))
    menu = open_menu(app)
    assert fake(app).prepared == []  # nothing to connect
    assert texts(menu) == [
        "[gpu-lab: Connected]",
        "Open in browser",
        "Copy URL",
        "---",
        "[GPU 0 NVIDIA A100: 37 % busy, 12.0 of 40.0 GB used]",
        "[CPU load 2.3 on 32 cores]",
        "[Free memory 186.0 of 256.0 GB]",
        "---",
        "Disconnect",
        "Stop Jupyter on server",
        "---",
        "Add lab server…",
        *IMPORTS,
        "Manage servers…",
        *APP_ITEMS,
    ]
    action(menu, "Open in browser").trigger()
    assert recorder.urls == [JUPYTER_URL]
    action(menu, "Copy URL").trigger()
    assert recorder.clipboard == [JUPYTER_URL]
    action(menu, "Disconnect").trigger()
    action(menu, "Stop Jupyter on server").trigger()
    assert fake(app).called("disconnect") == [profile.id]
    assert fake(app).called("stop_jupyter") == [profile.id]
    # opening the menu asks for fresh figures, at most every few seconds
    assert profile.id in fake(app).called("refresh_stats")


def test_remote_forward_profile_has_no_stop_jupyter(
    qtbot: QtBot, make_app: AppFactory, store: ProfileStore
) -> None:
    from labtunnel.core.profiles.model import RemoteForward

    profile = store.add(make_profile(target=RemoteForward("localhost", 6006)))
    app = make_app()
    app.start()
    set_state(qtbot, app, profile, TunnelState.CONNECTED, local_url="http://127.0.0.1:5000/")
    assert "Stop Jupyter on server" not in texts(open_menu(app))


@pytest.mark.parametrize(
    ("state", "changes", "headline", "items", "call"),
    [
        (
            TunnelState.CONNECTING,
            {"step": TunnelStep.AUTHENTICATING},
            "gpu-lab: Signing in…",
            ["Cancel"],
            "disconnect",
        ),
        (
            TunnelState.STARTING_JUPYTER,
            {"step": TunnelStep.STARTING_JUPYTER},
            "gpu-lab: Starting Jupyter on the server…",
            ["Cancel"],
            "disconnect",
        ),
        (
            TunnelState.RECONNECTING,
            {"retry_in": 4.2},
            "gpu-lab: Connection lost, retrying in 4 s",
            ["Retry now", "Disconnect"],
            "network_changed",
        ),
        (
            TunnelState.JUPYTER_DOWN,
            {},
            "gpu-lab: Jupyter stopped on the server",
            ["Start Jupyter again", "Disconnect"],
            "start_jupyter_again",
        ),
    ],
)
def test_busy_states_are_named_in_words(
    qtbot: QtBot,
    make_app: AppFactory,
    store: ProfileStore,
    state: TunnelState,
    changes: dict[str, object],
    headline: str,
    items: list[str],
    call: str,
) -> None:
    profile = store.add(make_profile())
    app = make_app()
    app.start()
    set_state(qtbot, app, profile, state, **changes)
    menu = open_menu(app)
    assert texts(menu)[: len(items) + 1] == [f"[{headline}]", *items]
    action(menu, items[0]).trigger()
    assert fake(app).called(call)


def test_failed_profile_offers_to_connect_again_and_explains(
    qtbot: QtBot, make_app: AppFactory, store: ProfileStore
) -> None:
    profile = store.add(make_profile())
    app = make_app()
    app.start()
    error = AuthFailed("gpu.lab.example", "ada", ["password"])
    set_state(qtbot, app, profile, TunnelState.FAILED, error=error)
    menu = open_menu(app)
    assert texts(menu)[:3] == ["Connect to gpu-lab", "[Could not connect]", "What went wrong?"]
    with qtbot.waitSignal(app.windows.window_shown) as shown:
        action(menu, "What went wrong?").trigger()
    box = shown.args[0]
    assert isinstance(box, QMessageBox)
    assert "did not accept the login for “ada”" in box.text()


def test_several_profiles_get_a_submenu_each(
    qtbot: QtBot, make_app: AppFactory, store: ProfileStore
) -> None:
    first = store.add(make_profile("gpu-lab"))
    second = store.add(make_profile("cpu-lab", host="cpu.lab.example"))
    app = make_app()
    app.start()
    set_state(qtbot, app, second, TunnelState.CONNECTED)
    menu = open_menu(app)
    assert texts(menu)[:3] == ["gpu-lab", "cpu-lab", "---"]
    idle = submenu(menu, "gpu-lab")
    assert texts(idle) == ["Connect"]
    connected = submenu(menu, "cpu-lab")
    assert texts(connected)[:3] == ["[Connected]", "Open in browser", "Copy URL"]
    # which one will be connected is known once its submenu opens
    assert fake(app).prepared == []
    connected.aboutToShow.emit()
    idle.aboutToShow.emit()
    assert fake(app).prepared == [first.id]
    action(idle, "Connect").trigger()
    assert fake(app).called("connect") == [first.id]
    # rebuilt on every open: no stale submenus pile up
    open_menu(app)
    qtbot.wait(10)
    assert texts(open_menu(app))[:3] == ["gpu-lab", "cpu-lab", "---"]


def test_app_wide_items_open_their_windows(
    qtbot: QtBot, make_app: AppFactory, store: ProfileStore
) -> None:
    store.add(make_profile())
    app = make_app()
    app.start()
    menu = open_menu(app)
    for text, kind in (
        ("Add lab server…", ProfileEditor),
        ("Manage servers…", ServerList),
        ("Import from SSH config…", SshImportDialog),
        ("Show log", LogViewer),
        ("Settings…", SettingsDialog),
        ("About LabTunnel", QMessageBox),
    ):
        with qtbot.waitSignal(app.windows.window_shown) as shown:
            action(menu, text).trigger()
        assert isinstance(shown.args[0], kind), text
        assert shown.args[0].isVisible()
    about = shown.args[0]
    assert "LabTunnel 0.1.0" in about.text()


def test_launch_at_login_is_a_checkbox_wired_to_the_login_item(
    qtbot: QtBot, make_app: AppFactory
) -> None:
    login_item = FakeLoginItem()
    app = make_app(login_item=login_item)
    app.start()
    item = action(open_menu(app), "Launch at login")
    assert item.isCheckable() and not item.isChecked()
    item.trigger()
    assert login_item.enabled
    assert action(open_menu(app), "Launch at login").isChecked()
    login_item.fail = True
    with qtbot.waitSignal(app.windows.window_shown) as shown:
        action(open_menu(app), "Launch at login").trigger()
    assert "Permission denied" in shown.args[0].text()
    assert login_item.enabled
    assert action(open_menu(app), "Launch at login").isChecked()


def test_launch_at_login_from_a_translocated_mac_app_says_to_move_it(
    qtbot: QtBot, make_app: AppFactory, tmp_path: Path
) -> None:
    """The real macOS login item, given the path macOS runs a downloaded app from."""
    translocated = "/private/var/folders/q1/T/AppTranslocation/AB12/d/LabTunnel.app"
    command = [f"{translocated}/Contents/MacOS/LabTunnel"]
    login_item = MacLoginItem(tmp_path / "LaunchAgents", command)
    app = make_app(login_item=login_item)
    app.start()
    with qtbot.waitSignal(app.windows.window_shown) as shown:
        action(open_menu(app), "Launch at login").trigger()
    assert "Drag LabTunnel to the Applications folder" in shown.args[0].text()
    assert not login_item.path.exists()
    assert not action(open_menu(app), "Launch at login").isChecked()


def test_launch_at_login_is_disabled_where_unsupported(make_app: AppFactory) -> None:
    app = make_app(login_item=FakeLoginItem(supported=False))
    app.start()
    item = action(open_menu(app), "Launch at login")
    assert not item.isEnabled() and not item.isChecked()


def test_quit_closes_the_tunnels_and_quits(
    make_app: AppFactory, store: ProfileStore, recorder: Recorder
) -> None:
    store.add(make_profile())
    app = make_app()
    app.start()
    action(open_menu(app), "Quit LabTunnel").trigger()
    assert fake(app).closed
    assert recorder.quits == [1]


def test_no_stall_meter_ticks_unless_asked_for(make_app: AppFactory, store: ProfileStore) -> None:
    profile = store.add(make_profile())
    app = make_app()
    app.start()
    app.controller.connect_profile(profile.id)
    assert app.controller.stall_meter is None
    measured = make_app(measure_stalls=True)
    assert measured.controller.stall_meter is not None
    measured.shutdown()
    assert not measured.controller.stall_meter.running


def test_icon_and_tooltip_follow_the_state(
    qtbot: QtBot, make_app: AppFactory, store: ProfileStore
) -> None:
    profile = store.add(make_profile())
    app = make_app()
    app.start()
    assert app.tray is not None
    assert app.tray.shown_state is TrayState.IDLE
    assert app.tray.icon.toolTip() == "LabTunnel\ngpu-lab: Not connected"
    for state, look, words in (
        (TunnelState.CONNECTING, TrayState.CONNECTING, "Connecting to gpu-lab…"),
        (TunnelState.CONNECTED, TrayState.CONNECTED, "Connected"),
        (TunnelState.RECONNECTING, TrayState.CONNECTING, "Connection lost, reconnecting…"),
        (TunnelState.FAILED, TrayState.ERROR, "Could not connect"),
    ):
        set_state(qtbot, app, profile, state)
        assert app.tray.shown_state is look
        assert app.tray.icon.toolTip() == f"LabTunnel\ngpu-lab: {words}"
        assert not app.tray.icon.icon().isNull()


def test_a_browser_that_cannot_be_opened_is_said_in_words(
    qtbot: QtBot, make_app: AppFactory, store: ProfileStore, recorder: Recorder
) -> None:
    def no_folder() -> Path:
        raise OSError(13, "Permission denied")

    profile = store.add(make_profile())
    app = make_app(browser=BrowserOpener(no_folder, launch=recorder.urls.append))
    app.start()
    set_state(qtbot, app, profile, TunnelState.CONNECTED)
    with qtbot.waitSignal(app.windows.window_shown) as shown:
        action(open_menu(app), "Open in browser").trigger()
    box = shown.args[0]
    assert isinstance(box, QMessageBox)
    assert "could not open your browser (Permission denied)" in box.text()
    assert "Copy URL" in box.text()
    assert recorder.urls == []  # the token URL went nowhere else either

"""Settings: stored with the profiles, honoured by the tray (default profile, connecting
at start, notifications), launch at login through the real XDG autostart file."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from tests.gui.fakes import FakeLoginItem, Recorder
from tests.gui.helpers import action, fake, make_profile, open_menu, set_state

from labtunnel.core.errors import AuthFailed, HostKeyUnknown
from labtunnel.core.events import TunnelState
from labtunnel.core.platform.autostart import login_item_for_platform
from labtunnel.core.profiles.store import ProfileStore
from labtunnel.ui.app import LabTunnelApp
from labtunnel.ui.dialogs.hostkey import HostKeyDialog
from labtunnel.ui.dialogs.settings_dialog import SettingsDialog
from labtunnel.ui.settings import AppSettings, SettingsStore, settings_from_dict

pytestmark = pytest.mark.gui

AppFactory = Callable[..., LabTunnelApp]


def open_settings(qtbot: QtBot, app: LabTunnelApp) -> SettingsDialog:
    with qtbot.waitSignal(app.windows.window_shown) as shown:
        action(open_menu(app), "Settings…").trigger()
    dialog = shown.args[0]
    assert isinstance(dialog, SettingsDialog)
    return dialog


def test_settings_are_saved_in_the_profile_file_and_read_back(
    qtbot: QtBot, make_app: AppFactory, store: ProfileStore
) -> None:
    store.add(make_profile("gpu-lab"))
    second = store.add(make_profile("cpu-lab", host="cpu.example"))
    app = make_app()
    app.start()
    dialog = open_settings(qtbot, app)
    assert dialog.chosen() == AppSettings()  # defaults before anything is saved
    dialog.default_combo.setCurrentIndex(dialog.default_combo.findData(second.id))
    dialog.language_combo.setCurrentIndex(dialog.language_combo.findData("zh_CN"))
    dialog.notifications_box.setChecked(False)
    with qtbot.waitSignal(dialog.saved):
        dialog.save_button.click()
    document = json.loads(store.path.read_text(encoding="utf-8"))
    assert document["settings"] == {
        "default_profile": second.id,
        "language": "zh_CN",
        "launch_at_login": False,
        "notifications": False,
        "connect_at_start": False,
        "check_updates": False,
    }
    assert [p["name"] for p in document["profiles"]] == ["gpu-lab", "cpu-lab"]
    fresh = ProfileStore(store.path)
    fresh.load()
    assert SettingsStore(fresh).get() == AppSettings(second.id, "zh_CN", False, False)
    # the dialog opens again with what was saved
    again = open_settings(qtbot, app)
    assert again is not dialog
    assert again.chosen() == AppSettings(second.id, "zh_CN", False, False)


def test_the_language_change_says_restart_to_apply(qtbot: QtBot, make_app: AppFactory) -> None:
    app = make_app()
    app.start()
    dialog = open_settings(qtbot, app)
    assert dialog.restart_note.isHidden()
    dialog.language_combo.setCurrentIndex(dialog.language_combo.findData("zh_CN"))
    assert not dialog.restart_note.isHidden()
    assert dialog.restart_note.text() == "The new language is used after LabTunnel restarts."
    dialog.language_combo.setCurrentIndex(dialog.language_combo.findData("en"))
    assert dialog.restart_note.isHidden()  # English is what runs now


def test_values_of_the_wrong_type_read_as_defaults() -> None:
    odd = {
        "language": "klingon",
        "notifications": "yes",
        "launch_at_login": 1,
        "connect_at_start": "true",
        "x": 2,
    }
    assert settings_from_dict(odd) == AppSettings()


def test_a_locked_store_refuses_the_save_in_words(
    qtbot: QtBot, make_app: AppFactory, store: ProfileStore
) -> None:
    store.path.parent.mkdir(parents=True, exist_ok=True)
    store.path.write_text("{ not json", encoding="utf-8")
    app = make_app()
    app.start()  # reports the unreadable file
    dialog = app.windows.show_settings()
    dialog.notifications_box.setChecked(False)
    assert not dialog.save()
    assert "could not be read when LabTunnel started" in dialog.problem.text()
    assert store.path.read_text(encoding="utf-8") == "{ not json"


def test_notifications_off_shows_no_balloons(
    qtbot: QtBot, make_app: AppFactory, store: ProfileStore
) -> None:
    profile = store.add(make_profile())
    app = make_app()
    app.start()
    assert app.tray is not None
    shown: list[tuple[object, ...]] = []
    app.tray.icon.showMessage = lambda *args: shown.append(args)  # type: ignore[method-assign]
    set_state(qtbot, app, profile, TunnelState.CONNECTED)
    assert len(shown) == 1 and app.tray.notices_shown == 1
    SettingsStore(store).change(notifications=False)
    set_state(qtbot, app, profile, TunnelState.FAILED, error=AuthFailed("gpu", "ada", []))
    set_state(qtbot, app, profile, TunnelState.CONNECTED)
    assert len(shown) == 1 and app.tray.notices_shown == 1
    # the state still shows: icon, tooltip, and the menu's "What went wrong?"
    set_state(qtbot, app, profile, TunnelState.FAILED, error=AuthFailed("gpu", "ada", []))
    assert "What went wrong?" in [a.text() for a in open_menu(app).actions()]
    SettingsStore(store).change(notifications=True)
    set_state(qtbot, app, profile, TunnelState.CONNECTED)
    assert len(shown) == 2


def test_the_default_profile_is_what_a_double_click_opens(
    qtbot: QtBot, make_app: AppFactory, store: ProfileStore
) -> None:
    store.add(make_profile("gpu-lab"))
    second = store.add(make_profile("cpu-lab", host="cpu.example"))
    app = make_app()
    app.start()
    SettingsStore(store).change(default_profile=second.id)
    app.controller.primary_action()
    assert fake(app).called("connect") == [second.id]
    store.remove(second.id)  # a removed default falls back to the first
    assert app.controller.default_profile() == store.profiles()[0]


def test_launch_at_login_writes_and_removes_the_xdg_autostart_file(
    qtbot: QtBot, make_app: AppFactory, store: ProfileStore, tmp_path: Path
) -> None:
    config_home = tmp_path / "xdg-config"
    login_item = login_item_for_platform(
        "linux",
        environ={"XDG_CONFIG_HOME": str(config_home)},
        home=tmp_path / "home",
        command=["/opt/LabTunnel/labtunnel"],
    )
    desktop_file = config_home / "autostart" / "labtunnel.desktop"
    app = make_app(login_item=login_item)
    app.start()
    item = action(open_menu(app), "Launch at login")
    assert item.isEnabled() and not item.isChecked()
    item.trigger()
    assert desktop_file.is_file()
    assert "Exec=/opt/LabTunnel/labtunnel\n" in desktop_file.read_text(encoding="utf-8")
    assert action(open_menu(app), "Launch at login").isChecked()
    assert SettingsStore(store).get().launch_at_login
    action(open_menu(app), "Launch at login").trigger()
    assert not desktop_file.exists()
    assert not SettingsStore(store).get().launch_at_login
    # the Settings dialog switches the same file
    dialog = open_settings(qtbot, app)
    assert not dialog.launch_box.isChecked()
    dialog.launch_box.setChecked(True)
    assert dialog.save()
    assert desktop_file.is_file() and SettingsStore(store).get().launch_at_login


def test_a_refused_login_item_is_reported_and_not_recorded(
    qtbot: QtBot, make_app: AppFactory, store: ProfileStore, recorder: Recorder
) -> None:
    login_item = FakeLoginItem()
    login_item.fail = True
    app = make_app(login_item=login_item)
    app.start()
    dialog = open_settings(qtbot, app)
    dialog.launch_box.setChecked(True)
    assert not dialog.save()
    assert "Permission denied" in dialog.problem.text()
    assert not dialog.launch_box.isChecked()
    assert not SettingsStore(store).get().launch_at_login


def test_connect_at_start_is_saved_and_connects_the_default_once_the_tray_is_up(
    qtbot: QtBot, make_app: AppFactory, store: ProfileStore, recorder: Recorder
) -> None:
    store.add(make_profile("gpu-lab"))
    second = store.add(make_profile("cpu-lab", host="cpu.example"))
    first_run = make_app()
    first_run.start()
    assert fake(first_run).called("connect") == []  # off by default
    dialog = open_settings(qtbot, first_run)
    assert not dialog.connect_box.isChecked()
    assert dialog.connect_box.text() == "Connect to the default lab server when LabTunnel starts"
    dialog.default_combo.setCurrentIndex(dialog.default_combo.findData(second.id))
    dialog.connect_box.setChecked(True)
    assert dialog.save()
    document = json.loads(store.path.read_text(encoding="utf-8"))
    assert document["settings"]["connect_at_start"] is True
    assert document["settings"]["default_profile"] == second.id
    assert fake(first_run).called("connect") == []  # applies at the next start
    assert open_settings(qtbot, first_run).connect_box.isChecked()

    # no tray yet: nothing happens until the app decided where to show itself
    app = make_app(tray=False, tray_wait_ms=300)
    app.start()
    assert app.fallback is None and fake(app).called("connect") == []
    qtbot.waitUntil(lambda: fake(app).called("connect") == [second.id], timeout=3000)
    assert app.fallback is not None
    # the normal connect path: the tray's state follows, no browser tab is opened
    assert app.controller.status(second.id).state is TunnelState.DISCONNECTED
    set_state(qtbot, app, second, TunnelState.CONNECTED)
    assert recorder.urls == []
    assert "cpu-lab: Connected" in app.fallback.status_label.text()


def test_connect_at_start_goes_through_the_host_key_prompt(
    qtbot: QtBot, make_app: AppFactory, store: ProfileStore
) -> None:
    profile = store.add(make_profile())
    SettingsStore(store).change(connect_at_start=True)
    app = make_app()
    app.start()  # a tray is there at once: connects right away
    assert app.tray is not None
    assert fake(app).called("connect") == [profile.id]
    key = "AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl"
    error = HostKeyUnknown("gpu.lab.example", 22, "ssh-ed25519", "SHA256:" + "A" * 43, key)
    with qtbot.waitSignal(app.windows.window_shown) as shown:
        fake(app).set_state(profile, TunnelState.FAILED, error=error)
    dialog = shown.args[0]
    assert isinstance(dialog, HostKeyDialog)
    dialog.trust_button.click()
    assert fake(app).called("connect") == [profile.id, profile.id]


def test_connect_at_start_without_any_profile_welcomes_instead(
    qtbot: QtBot, make_app: AppFactory, store: ProfileStore
) -> None:
    SettingsStore(store).change(connect_at_start=True)
    app = make_app()
    app.start()
    assert fake(app).called("connect") == []
    assert app.windows.editor is not None and app.windows.editor.is_new  # the welcome

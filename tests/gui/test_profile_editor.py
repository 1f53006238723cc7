"""The profile editor: inline validation, saving to the store and the keyring, testing."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit
from pytestqt.qtbot import QtBot
from tests.gui.fakes import FakeManager
from tests.gui.helpers import fake, make_profile

from labtunnel.core import events
from labtunnel.core.errors import AuthFailed, HostKeyUnknown
from labtunnel.core.profiles.lifecycle import ProfileLifecycle
from labtunnel.core.profiles.model import (
    AuthMethod,
    GpuMode,
    GpuSetting,
    JumpHost,
    JupyterApp,
    JupyterSpec,
    RemoteForward,
)
from labtunnel.core.profiles.remembered import RememberedServers
from labtunnel.core.profiles.secrets import KeyringSecretStore, MemorySecretStore, SecretKind
from labtunnel.core.profiles.store import ProfileStore
from labtunnel.core.ssh.hostkeys import HostKeyStore
from labtunnel.ui.app import LabTunnelApp
from labtunnel.ui.dialogs.hostkey import HostKeyDialog
from labtunnel.ui.dialogs.profile_editor import ProfileEditor

pytestmark = pytest.mark.gui

AppFactory = Callable[..., LabTunnelApp]
ED25519 = "AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl"


def type_into(qtbot: QtBot, line: QLineEdit, text: str) -> None:
    """Like a person: select all, then type (textEdited fires, unlike setText)."""
    line.selectAll()
    qtbot.keyClick(line, Qt.Key.Key_Backspace)
    if text:
        qtbot.keyClicks(line, text)


def problem(editor: ProfileEditor, field: str) -> str:
    label = editor.problem_labels[field]
    return label.text() if not label.isHidden() else ""


@pytest.fixture
def app(make_app: AppFactory) -> Iterator[LabTunnelApp]:
    app = make_app()
    app.start()
    yield app


def new_editor(app: LabTunnelApp) -> ProfileEditor:
    editor = app.windows.editor
    if editor is None:
        editor = app.windows.add_server()
    return editor


def fill_minimal(qtbot: QtBot, editor: ProfileEditor) -> None:
    type_into(qtbot, editor.host_edit, "gpu1.lab.example")
    type_into(qtbot, editor.username_edit, "ada")
    type_into(qtbot, editor.password_field.line, "correct horse")


def test_first_run_opens_the_editor_as_a_welcome(app: LabTunnelApp) -> None:
    editor = app.windows.editor
    assert editor is not None and editor.isVisible()
    assert editor.is_new
    assert editor.save_connect_button is not None and editor.save_connect_button.isDefault()
    assert "Welcome to LabTunnel" in [
        label.text() for label in editor.findChildren(type(editor.general_problem))
    ]
    # nothing typed yet: no red text shouting at a new user
    assert all(label.isHidden() for label in editor.problem_labels.values())


def test_problems_show_beside_their_field_as_they_are_typed(
    qtbot: QtBot, app: LabTunnelApp, store: ProfileStore
) -> None:
    store.add(make_profile("gpu-lab"))
    editor = app.windows.add_server()
    type_into(qtbot, editor.host_edit, "bad host!")
    assert problem(editor, "host") == "Not a host name or IP address"
    assert problem(editor, "username") == ""  # not touched yet
    type_into(qtbot, editor.username_edit, "a")
    type_into(qtbot, editor.username_edit, "")
    assert problem(editor, "username") == "Required"
    type_into(qtbot, editor.username_edit, "ada lovelace")
    assert problem(editor, "username") == "User names have no spaces"
    type_into(qtbot, editor.name_edit, "GPU-lab")
    assert problem(editor, "name") == "Another server already has this name"
    type_into(qtbot, editor.host_edit, "gpu1.lab.example")
    assert problem(editor, "host") == ""


def test_key_file_auth_checks_the_file(qtbot: QtBot, app: LabTunnelApp, tmp_path: Path) -> None:
    editor = new_editor(app)
    editor.auth_radios[AuthMethod.KEY].click()
    assert editor.key_row.isVisibleTo(editor)
    assert not editor.password_row.isVisibleTo(editor)
    type_into(qtbot, editor.key_edit, str(tmp_path / "nope"))
    assert problem(editor, "key_path") == "No file at this path"
    type_into(qtbot, editor.key_edit, str(tmp_path))
    assert problem(editor, "key_path") == "This is a folder, not a key file"
    editor.auth_radios[AuthMethod.AGENT].click()
    assert not editor.key_row.isVisibleTo(editor)
    assert editor.agent_note.isVisibleTo(editor)


def test_save_with_problems_shows_them_all_and_saves_nothing(
    app: LabTunnelApp, store: ProfileStore
) -> None:
    editor = new_editor(app)
    assert editor.save() is False
    assert problem(editor, "host") == "Required"
    assert problem(editor, "username") == "Required"
    assert problem(editor, "password") == "Required"
    assert store.profiles() == []
    assert editor.isVisible()


def test_save_writes_profile_file_and_real_keyring(
    qtbot: QtBot, store: ProfileStore, real_keyring: str
) -> None:
    keyring_store = KeyringSecretStore(real_keyring)
    app = LabTunnelApp(
        profiles=ProfileLifecycle(
            store, keyring_store, RememberedServers(store.path.parent / "state.json")
        ),
        hostkeys=HostKeyStore(store.path.parent / "known_hosts"),
        log_dir=store.path.parent,
        manager_factory=lambda listener, prompter: FakeManager(store, listener),
        tray_available=lambda: True,
        tray_wait_ms=0,
        quit_app=lambda: None,
    )
    try:
        app.start()
        editor = new_editor(app)
        fill_minimal(qtbot, editor)
        with qtbot.waitSignal(editor.saved) as saved:
            editor.save_connect_button.click()  # type: ignore[union-attr]
        profile = saved.args[0]
        assert saved.args[1] is True  # "Save and connect"
        assert fake(app).called("connect") == [profile.id]
        reloaded = ProfileStore(store.path)
        [stored] = reloaded.load()
        assert (stored.name, stored.host, stored.username) == (
            "gpu1.lab.example",
            "gpu1.lab.example",
            "ada",
        )
        assert stored.auth is AuthMethod.PASSWORD
        assert keyring_store.get(stored.id, SecretKind.PASSWORD) == "correct horse"
        assert "correct horse" not in store.path.read_text()
        # editing again never shows the password back
        again = app.windows.edit_server(stored.id)
        assert again is not None
        qtbot.waitUntil(lambda: again.secrets_known)
        assert again.password_field.line.text() == ""
        assert not again.password_field.line.isEnabled()
        assert again.password_field.line.placeholderText() == "Saved in the system keyring"
        assert again.password_field.change_button.isVisibleTo(again)
        with qtbot.waitSignal(again.saved):
            assert again.save()
        assert keyring_store.get(stored.id, SecretKind.PASSWORD) == "correct horse"
        changed = app.windows.edit_server(stored.id)
        assert changed is not None
        qtbot.waitUntil(lambda: changed.secrets_known)
        changed.password_field.change_button.click()
        assert changed.password_field.line.isEnabled()
        type_into(qtbot, changed.password_field.line, "battery staple")
        with qtbot.waitSignal(changed.saved):
            assert changed.save()
        assert keyring_store.get(stored.id, SecretKind.PASSWORD) == "battery staple"
    finally:
        app.shutdown()


def test_every_field_reaches_the_profile(
    qtbot: QtBot, make_app: AppFactory, store: ProfileStore, secrets: MemorySecretStore
) -> None:
    jump_profile = store.add(make_profile("bastion", host="bastion.example"))
    app = make_app()
    app.start()
    editor = new_editor(app)
    type_into(qtbot, editor.host_edit, "gpu1.lab.example")
    type_into(qtbot, editor.name_edit, "GPU one")
    editor.port_spin.setValue(2222)
    type_into(qtbot, editor.username_edit, "ada")
    type_into(qtbot, editor.password_field.line, "pw-1234")
    editor.more_button.click()
    assert editor.more.isVisibleTo(editor)
    editor.jump_group.setChecked(True)
    type_into(qtbot, editor.jump_edit, "alan@jump.example:2200")
    editor.app_combo.setCurrentIndex(editor.app_combo.findData(JupyterApp.NOTEBOOK.value))
    type_into(qtbot, editor.env_edit, "torch")
    type_into(qtbot, editor.workdir_edit, "~/projects")
    assert editor.gpu_combo.currentData() == "any"
    editor.gpu_combo.setCurrentIndex(editor.gpu_combo.findData("1"))
    editor.local_port_spin.setValue(8899)
    profile, problems = editor.current_profile()
    assert problems == []
    assert profile.jump == JumpHost("jump.example", 2200, "alan")
    assert profile.target == JupyterSpec(
        JupyterApp.NOTEBOOK, "torch", "~/projects", GpuSetting(GpuMode.FIXED, (1,))
    )
    assert (profile.port, profile.local_port) == (2222, 8899)
    editor.jump_profile_combo.setCurrentIndex(editor.jump_profile_combo.findData(jump_profile.id))
    assert not editor.jump_edit.isEnabled()
    editor.remote_radio.click()
    type_into(qtbot, editor.remote_edit, "localhost:x")
    assert problem(editor, "remote") == "Use a port from 1 to 65535"
    type_into(qtbot, editor.remote_edit, "localhost:6006")
    with qtbot.waitSignal(editor.saved):
        assert editor.save()
    [_, saved] = store.profiles()
    assert saved.jump == JumpHost(profile_id=jump_profile.id)
    assert saved.target == RemoteForward("localhost", 6006)
    assert secrets.get(saved.id, SecretKind.PASSWORD) == "pw-1234"


def test_gpu_setting_from_the_command_line_is_shown_and_kept(
    qtbot: QtBot, make_app: AppFactory, store: ProfileStore
) -> None:
    gpu = GpuSetting.parse("0,2")
    target = JupyterSpec(env="torch", gpu=gpu)
    saved = store.add(make_profile(auth=AuthMethod.AGENT, target=target))
    app = make_app()
    app.start()
    editor = app.windows.edit_server(saved.id)
    assert editor is not None
    assert editor.gpu_combo.currentText() == "GPUs 0,2"
    with qtbot.waitSignal(editor.saved):
        assert editor.save()
    assert store.get(saved.id).target == target
    editor = app.windows.edit_server(saved.id)
    assert editor is not None
    editor.gpu_combo.setCurrentIndex(editor.gpu_combo.findData("none"))
    with qtbot.waitSignal(editor.saved):
        assert editor.save()
    assert store.get(saved.id).target == JupyterSpec(env="torch", gpu=GpuSetting(GpuMode.NONE))


def test_test_connection_reports_in_words(qtbot: QtBot, app: LabTunnelApp) -> None:
    editor = new_editor(app)
    fill_minimal(qtbot, editor)
    editor.test_button.click()
    [(profile, password, passphrase)] = fake(app).called("test_connection")
    assert (profile.host, password, passphrase) == ("gpu1.lab.example", "correct horse", None)
    assert editor.test_result_label.text() == "Testing…"
    assert not editor.test_button.isEnabled()
    error = AuthFailed("gpu1.lab.example", "ada", ["password"])
    with qtbot.waitSignal(app.controller.test_result):
        fake(app).deliver(events.TestResult(profile.id, False, error))
    assert "did not accept the login for “ada”" in editor.test_result_label.text()
    assert editor.test_button.isEnabled()
    editor.test_button.click()
    with qtbot.waitSignal(app.controller.test_result):
        fake(app).deliver(events.TestResult(profile.id, True))
    assert editor.test_result_label.text().startswith("It works")


def test_test_connection_can_trust_a_new_host_key(
    qtbot: QtBot, app: LabTunnelApp, hostkeys: HostKeyStore
) -> None:
    editor = new_editor(app)
    fill_minimal(qtbot, editor)
    editor.test_button.click()
    [(profile, _, _)] = fake(app).called("test_connection")
    error = HostKeyUnknown("gpu1.lab.example", 22, "ssh-ed25519", "SHA256:" + "A" * 43, ED25519)
    with qtbot.waitSignal(app.controller.test_result):
        fake(app).deliver(events.TestResult(profile.id, False, error))
    dialog = editor.host_key_dialog
    assert isinstance(dialog, HostKeyDialog) and dialog.isVisible()
    assert dialog.trust_button.text() == "Trust and test again"
    dialog.trust_button.click()
    assert [e.host for e in hostkeys.entries()] == ["gpu1.lab.example"]
    assert len(fake(app).called("test_connection")) == 2

"""Import lab profile…: a real .labtunnel file (written by core.sharing) becomes the
student's profile after they type only a user name and a password."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QFileOpenEvent
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot
from tests.gui.fakes import Recorder
from tests.gui.helpers import action, fake, make_profile, open_menu

from labtunnel.core.errors import ShareDamage, ShareFileDamaged, ShareFileMalformed
from labtunnel.core.profiles.model import JupyterApp, JupyterSpec
from labtunnel.core.profiles.secrets import MemorySecretStore, SecretKind
from labtunnel.core.profiles.sharing import SharedHost, SharedProfile, read_shared, write_shared
from labtunnel.core.profiles.store import ProfileStore
from labtunnel.ui.app import LabTunnelApp
from labtunnel.ui.dialogs.import_profile import ImportProfileDialog
from labtunnel.ui.file_open import FileOpenWatcher, lab_profile_argument
from labtunnel.ui.single_instance import open_message
from labtunnel.ui.texts import error_text

pytestmark = pytest.mark.gui

AppFactory = Callable[..., LabTunnelApp]


def fingerprint(seed: str) -> str:
    digest = hashlib.sha256(seed.encode()).digest()
    return "SHA256:" + base64.b64encode(digest).decode().rstrip("=")


SERVER_PIN = fingerprint("server")
JUMP_PIN = fingerprint("jump")


def lab_file(tmp_path: Path, jump: bool = False, name: str = "GPU lab") -> Path:
    """A lab profile file as a lab admin's `labtunnel profile export` writes it."""
    shared = SharedProfile(
        name=name,
        server=SharedHost("gpu1.lab.example", 2222, (SERVER_PIN,)),
        target=JupyterSpec(app=JupyterApp.LAB, env="torch", workdir="~/work"),
        jump=SharedHost("gw.lab.example", 22, (JUMP_PIN,)) if jump else None,
    )
    path = tmp_path / f"{name.replace(' ', '-')}{'-jump' if jump else ''}.labtunnel"
    write_shared(path, shared)
    assert read_shared(path) == shared
    return path


def open_from_menu(qtbot: QtBot, app: LabTunnelApp) -> ImportProfileDialog:
    with qtbot.waitSignal(app.windows.window_shown) as shown:
        action(open_menu(app), "Import lab profile…").trigger()
    dialog = shown.args[0]
    assert isinstance(dialog, ImportProfileDialog)
    assert dialog.isVisible()
    return dialog


def test_menu_import_asks_only_user_and_password_then_offers_to_connect(
    qtbot: QtBot,
    make_app: AppFactory,
    store: ProfileStore,
    secrets: MemorySecretStore,
    recorder: Recorder,
    tmp_path: Path,
) -> None:
    path = lab_file(tmp_path)
    app = make_app(choose_file=lambda: path)
    app.start()
    dialog = open_from_menu(qtbot, app)
    assert dialog.jump_username_edit is None  # no jump host in this file
    assert not dialog.name_edit.isVisibleTo(dialog)  # the name is free: not asked
    dialog.username_edit.setText("ada")
    dialog.password_edit.setText("correct horse")
    recorder.answer = True  # "Connect now?" -> yes
    with qtbot.waitSignal(dialog.imported):
        assert dialog.do_import()
    [profile] = store.profiles()
    assert (profile.name, profile.host, profile.port, profile.username) == (
        "GPU lab",
        "gpu1.lab.example",
        2222,
        "ada",
    )
    assert profile.pinned_fingerprints == (SERVER_PIN,)
    assert profile.target == JupyterSpec(app=JupyterApp.LAB, env="torch", workdir="~/work")
    assert secrets.get(profile.id, SecretKind.PASSWORD) == "correct horse"
    assert "correct horse" not in store.path.read_text(encoding="utf-8")
    assert dialog.password_edit.text() == ""
    assert fake(app).called("connect") == [profile.id]
    # the new profile is in the menu at once
    assert action(open_menu(app), "Connect to GPU lab").isEnabled()


def test_declining_to_connect_only_saves(
    qtbot: QtBot, make_app: AppFactory, store: ProfileStore, recorder: Recorder, tmp_path: Path
) -> None:
    path = lab_file(tmp_path)
    app = make_app(choose_file=lambda: path)
    app.start()
    dialog = open_from_menu(qtbot, app)
    dialog.username_edit.setText("ada")
    dialog.password_edit.setText("pw")
    recorder.answer = False
    with qtbot.waitSignal(dialog.imported):
        assert dialog.do_import()
    assert len(store.profiles()) == 1
    assert fake(app).called("connect") == []


def test_missing_answers_are_shown_and_nothing_is_saved(
    qtbot: QtBot, make_app: AppFactory, store: ProfileStore, tmp_path: Path
) -> None:
    path = lab_file(tmp_path)
    app = make_app(choose_file=lambda: path)
    app.start()
    dialog = open_from_menu(qtbot, app)
    assert not dialog.do_import()
    assert dialog.username_problem.text() == "Required"
    assert dialog.password_problem.text() == "Required"
    dialog.username_edit.setText("ada lovelace")
    dialog.password_edit.setText("pw")
    assert not dialog.do_import()
    assert dialog.username_problem.text() == "User names have no spaces"
    assert dialog.password_problem.isHidden()
    assert store.profiles() == []


def test_a_jump_host_file_asks_for_the_jump_user_and_adds_both_profiles(
    qtbot: QtBot,
    make_app: AppFactory,
    store: ProfileStore,
    secrets: MemorySecretStore,
    recorder: Recorder,
    tmp_path: Path,
) -> None:
    path = lab_file(tmp_path, jump=True)
    app = make_app(choose_file=lambda: path)
    app.start()
    dialog = open_from_menu(qtbot, app)
    assert dialog.jump_username_edit is not None
    dialog.username_edit.setText("ada")
    dialog.jump_username_edit.setText("ada-gw")
    dialog.password_edit.setText("pw")
    recorder.answer = False
    with qtbot.waitSignal(dialog.imported):
        assert dialog.do_import()
    by_host = {p.host: p for p in store.profiles()}
    main, jump = by_host["gpu1.lab.example"], by_host["gw.lab.example"]
    assert main.jump is not None and main.jump.profile_id == jump.id
    assert jump.username == "ada-gw" and jump.pinned_fingerprints == (JUMP_PIN,)
    assert secrets.get(main.id, SecretKind.PASSWORD) == "pw"
    # the file chose the jump host: the password goes there only when ticked (issue 12.4)
    assert secrets.get(jump.id, SecretKind.PASSWORD) is None


def test_the_password_goes_to_the_files_jump_host_only_when_ticked(
    qtbot: QtBot,
    make_app: AppFactory,
    store: ProfileStore,
    secrets: MemorySecretStore,
    recorder: Recorder,
    tmp_path: Path,
) -> None:
    path = lab_file(tmp_path, jump=True)
    app = make_app(choose_file=lambda: path)
    app.start()
    dialog = open_from_menu(qtbot, app)
    box = dialog.jump_password_box
    assert box is not None and box.isVisibleTo(dialog) and not box.isChecked()
    assert "gw.lab.example" in box.text()
    dialog.username_edit.setText("ada")
    dialog.password_edit.setText("pw")
    box.setChecked(True)
    recorder.answer = False
    with qtbot.waitSignal(dialog.imported):
        assert dialog.do_import()
    jump = next(p for p in store.profiles() if p.host == "gw.lab.example")
    assert secrets.get(jump.id, SecretKind.PASSWORD) == "pw"


def test_a_taken_name_is_asked_with_a_free_suggestion(
    qtbot: QtBot, make_app: AppFactory, store: ProfileStore, recorder: Recorder, tmp_path: Path
) -> None:
    store.add(make_profile("GPU lab"))
    path = lab_file(tmp_path)
    app = make_app(choose_file=lambda: path)
    app.start()
    dialog = open_from_menu(qtbot, app)
    assert dialog.name_edit.isVisibleTo(dialog)
    assert dialog.name_edit.text() == "GPU lab (2)"
    dialog.username_edit.setText("ada")
    dialog.password_edit.setText("pw")
    dialog.name_edit.setText("gpu lab")
    recorder.answer = False
    assert not dialog.do_import()
    assert "Another server already has this name" in dialog.name_problem.text()
    dialog.name_edit.setText("GPU lab (2)")
    with qtbot.waitSignal(dialog.imported):
        assert dialog.do_import()
    assert sorted(p.name for p in store.profiles()) == ["GPU lab", "GPU lab (2)"]


def test_a_tampered_file_is_refused_with_the_sentence(
    qtbot: QtBot, make_app: AppFactory, store: ProfileStore, tmp_path: Path
) -> None:
    path = lab_file(tmp_path)
    document = json.loads(path.read_text(encoding="utf-8"))
    document["profile"]["server"]["host"] = "evil.example"  # the digest no longer matches
    path.write_text(json.dumps(document), encoding="utf-8")
    app = make_app(choose_file=lambda: path)
    app.start()
    with qtbot.waitSignal(app.windows.window_shown) as shown:
        action(open_menu(app), "Import lab profile…").trigger()
    box = shown.args[0]
    assert isinstance(box, QMessageBox)
    expected = error_text(ShareFileDamaged(str(path), ShareDamage.DIGEST_MISMATCH))
    assert box.text() == expected
    assert "was changed after it was exported" in expected and "Nothing was imported" in expected
    assert app.windows.import_dialogs == []
    assert store.profiles() == []


def test_a_malformed_file_names_its_problems(
    qtbot: QtBot, make_app: AppFactory, tmp_path: Path
) -> None:
    path = tmp_path / "notes.labtunnel"
    path.write_text('{"hello": "world"}', encoding="utf-8")
    app = make_app(choose_file=lambda: path)
    app.start()
    with qtbot.waitSignal(app.windows.window_shown) as shown:
        action(open_menu(app), "Import lab profile…").trigger()
    with pytest.raises(ShareFileMalformed) as raised:
        read_shared(path)
    text = shown.args[0].text()
    assert text == error_text(raised.value)
    assert "File type: this is not a LabTunnel lab profile file." in text


def test_cancelling_the_file_chooser_does_nothing(
    qtbot: QtBot, make_app: AppFactory, store: ProfileStore
) -> None:
    app = make_app(choose_file=lambda: None)
    app.start()
    assert app.windows.import_lab_profile() is None
    assert app.windows.import_dialogs == []


def test_a_file_handed_over_by_a_second_launch_opens_the_dialog(
    qtbot: QtBot, make_app: AppFactory, store: ProfileStore, tmp_path: Path
) -> None:
    store.add(make_profile())
    folder = tmp_path / "odd folder #1 ü"
    folder.mkdir()
    path = lab_file(folder)
    app = make_app()
    app.start()
    with qtbot.waitSignal(app.windows.window_shown) as shown:
        app.handle_message(open_message(path))
    dialog = shown.args[0]
    assert isinstance(dialog, ImportProfileDialog) and dialog.path == path
    # the same file again brings the same dialog forward
    app.handle_message(open_message(path))
    assert app.windows.import_dialogs == [dialog]


def test_started_for_a_file_opens_the_import_instead_of_the_welcome(
    qtbot: QtBot, make_app: AppFactory, tmp_path: Path
) -> None:
    path = lab_file(tmp_path)
    app = make_app()
    app.start(open_file=path)
    assert app.windows.editor is None  # no welcome editor
    [dialog] = app.windows.import_dialogs
    assert dialog.path == path and dialog.isVisible()


def test_macos_file_open_events_open_the_dialog(
    qtbot: QtBot, qapp: QApplication, make_app: AppFactory, store: ProfileStore, tmp_path: Path
) -> None:
    store.add(make_profile())
    path = lab_file(tmp_path)
    app = make_app()
    app.start()
    watcher = FileOpenWatcher()
    watcher.opened.connect(app.open_file)
    qapp.installEventFilter(watcher)
    try:
        with qtbot.waitSignal(app.windows.window_shown) as shown:
            QCoreApplication.sendEvent(qapp, QFileOpenEvent(str(path)))
        assert isinstance(shown.args[0], ImportProfileDialog) and shown.args[0].path == path
        other = tmp_path / "notes.txt"
        with qtbot.assertNotEmitted(watcher.opened):
            QCoreApplication.sendEvent(qapp, QFileOpenEvent(str(other)))
    finally:
        qapp.removeEventFilter(watcher)


def test_the_lab_profile_argument_is_found_among_the_arguments(tmp_path: Path) -> None:
    assert lab_profile_argument([]) is None
    assert lab_profile_argument(["-psn_0_1234"]) is None
    found = lab_profile_argument([str(tmp_path / "GPU Lab.LABTUNNEL")])
    assert found == tmp_path / "GPU Lab.LABTUNNEL"
    assert lab_profile_argument(["lab.labtunnel"]) == Path.cwd() / "lab.labtunnel"


def test_a_file_opened_right_after_first_launch_replaces_the_empty_welcome(
    qtbot: QtBot, make_app: AppFactory, tmp_path: Path
) -> None:
    path = lab_file(tmp_path)
    app = make_app()
    app.start()  # no profiles: the welcome editor opens
    welcome = app.windows.editor
    assert welcome is not None and welcome.untouched
    app.open_file(path)  # macOS delivers the double-clicked file just after launch
    assert not welcome.isVisible()
    assert [d.path for d in app.windows.import_dialogs] == [path]


def test_a_welcome_with_typing_in_it_stays_open(
    qtbot: QtBot, make_app: AppFactory, tmp_path: Path
) -> None:
    app = make_app()
    app.start()
    welcome = app.windows.editor
    assert welcome is not None
    qtbot.keyClicks(welcome.host_edit, "gpu1")
    assert not welcome.untouched
    app.open_file(lab_file(tmp_path))
    assert welcome.isVisible()

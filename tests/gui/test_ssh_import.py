"""Import from SSH config…: a checklist of the config's hosts, the skipped ones with
their reasons, and only the ticked ones saved."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from tests.gui.helpers import action, make_profile, open_menu

from labtunnel.core.errors import SshConfigUnreadable
from labtunnel.core.profiles.model import AuthMethod, JumpHost
from labtunnel.core.profiles.store import ProfileStore
from labtunnel.messages import describe_skipped_host
from labtunnel.ui.app import LabTunnelApp
from labtunnel.ui.dialogs.ssh_import import SshImportDialog
from labtunnel.ui.texts import error_text, message_text

pytestmark = pytest.mark.gui

AppFactory = Callable[..., LabTunnelApp]


def write_config(ssh_config: Path) -> Path:
    ssh_dir = ssh_config.parent
    ssh_dir.mkdir(parents=True, exist_ok=True)
    key = ssh_dir / "id_lab"
    key.write_text("not checked here\n", encoding="utf-8")
    ssh_config.write_text(
        f"""
Host gpu
    HostName gpu1.lab.example
    User ada
    Port 2222
    IdentityFile {key}

Host bastion
    HostName gw.lab.example
    User ada

Host inner
    HostName 10.0.0.5
    User ada
    ProxyJump bastion

Host *.lab.example
    User someone

Host tunnelled
    HostName hidden.example
    ProxyCommand nc %h %p
""",
        encoding="utf-8",
    )
    return ssh_config


def open_dialog(qtbot: QtBot, app: LabTunnelApp) -> SshImportDialog:
    with qtbot.waitSignal(app.windows.window_shown) as shown:
        action(open_menu(app), "Import from SSH config…").trigger()
    dialog = shown.args[0]
    assert isinstance(dialog, SshImportDialog)
    return dialog


def host_texts(dialog: SshImportDialog) -> list[str]:
    return [dialog.hosts.item(row).text() for row in range(dialog.hosts.count())]


def test_hosts_are_listed_checked_with_the_skipped_ones_and_why(
    qtbot: QtBot, make_app: AppFactory, ssh_config: Path
) -> None:
    write_config(ssh_config)
    app = make_app()
    app.start()
    dialog = open_dialog(qtbot, app)
    assert dialog.checked_aliases() == ["gpu", "bastion", "inner"]
    texts = host_texts(dialog)
    assert texts[0] == "gpu  ·  ada@gpu1.lab.example:2222  ·  key id_lab"
    assert texts[1] == "bastion  ·  ada@gw.lab.example  ·  password"
    assert texts[2] == "inner  ·  ada@10.0.0.5  ·  password  ·  via bastion"
    skipped = dialog.skipped.toPlainText().splitlines()
    assert message_text(describe_skipped_host("*.lab.example", "wildcard")) in skipped
    assert message_text(describe_skipped_host("tunnelled", "proxy_command", "nc %h %p")) in skipped
    assert "ProxyCommand" in dialog.skipped.toPlainText()
    assert dialog.import_button.isEnabled()


def test_only_the_ticked_hosts_are_saved(
    qtbot: QtBot, make_app: AppFactory, store: ProfileStore, ssh_config: Path
) -> None:
    write_config(ssh_config)
    app = make_app()
    app.start()
    dialog = open_dialog(qtbot, app)
    dialog.set_checked("bastion", False)
    with qtbot.waitSignal(dialog.imported) as imported:
        dialog.import_button.click()
    assert sorted(p.name for p in imported.args[0]) == ["gpu", "inner"]
    saved = {p.name: p for p in store.profiles()}
    assert sorted(saved) == ["gpu", "inner"]
    assert saved["gpu"].auth is AuthMethod.KEY and saved["gpu"].port == 2222
    # the jump host was left out, so it is reached by its address
    assert saved["inner"].jump == JumpHost(host="gw.lab.example", port=22, username="")
    assert not dialog.isVisible()
    assert "inner" in [a.text() for a in open_menu(app).actions()]

    # a second import lists only what is new; the rest is skipped as existing
    again = open_dialog(qtbot, app)
    assert again.checked_aliases() == ["bastion"]
    assert message_text(describe_skipped_host("gpu", "exists")) in again.skipped.toPlainText()


def test_all_ticked_keeps_the_jump_host_as_a_profile(
    qtbot: QtBot, make_app: AppFactory, store: ProfileStore, ssh_config: Path
) -> None:
    write_config(ssh_config)
    app = make_app()
    app.start()
    dialog = open_dialog(qtbot, app)
    dialog.import_button.click()
    saved = {p.name: p for p in store.profiles()}
    assert saved["inner"].jump == JumpHost(profile_id=saved["bastion"].id)


def test_nothing_ticked_nothing_to_press(
    qtbot: QtBot, make_app: AppFactory, ssh_config: Path
) -> None:
    write_config(ssh_config)
    app = make_app()
    app.start()
    dialog = open_dialog(qtbot, app)
    for row in range(dialog.hosts.count()):
        dialog.hosts.item(row).setCheckState(Qt.CheckState.Unchecked)
    assert not dialog.import_button.isEnabled()


def test_a_missing_config_says_so_and_another_file_can_be_read(
    qtbot: QtBot, make_app: AppFactory, store: ProfileStore, ssh_config: Path, tmp_path: Path
) -> None:
    store.add(make_profile())
    app = make_app()
    app.start()
    dialog = open_dialog(qtbot, app)
    expected = error_text(SshConfigUnreadable(str(ssh_config), "No such file or directory"))
    assert dialog.problem.text() == expected
    assert not dialog.import_button.isEnabled()
    other = write_config(tmp_path / "elsewhere" / "config")
    dialog.path_edit.setText(str(other))
    dialog.reload()
    assert dialog.problem.isHidden()
    assert dialog.checked_aliases() == ["gpu", "bastion", "inner"]

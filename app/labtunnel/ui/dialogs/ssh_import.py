"""Import from SSH config: the hosts of ~/.ssh/config as a checklist, with the ones that
cannot be imported listed with their reasons. Never imports a secret."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from labtunnel.core.errors import LabTunnelError
from labtunnel.core.profiles.lifecycle import ProfileLifecycle
from labtunnel.core.profiles.model import AuthMethod, HostProfile
from labtunnel.core.profiles.sshconfig import (
    SshConfig,
    SshImportPlan,
    apply_ssh_import,
    plan_ssh_import,
)
from labtunnel.messages import describe_import_note, describe_skipped_host
from labtunnel.ui.dialogs.common import (
    accept_cancel_buttons,
    heading_label,
    prepare_window,
    problem_label,
    wrapped_label,
)
from labtunnel.ui.texts import error_text, message_text

log = logging.getLogger(__name__)
translate = QCoreApplication.translate


#: reads an SSH config file (labtunnel.core.profiles.sshconfig.read_ssh_config)
ReadConfig = Callable[[Path], SshConfig]


def host_line(profile: HostProfile, names: dict[str, str]) -> str:
    """One checklist entry: alias, where it goes and how it signs in. ``names``: the
    names of profiles (planned or saved) by id, for the jump host."""
    place = f"{profile.username}@{profile.host}"
    if profile.port != 22:
        place += f":{profile.port}"
    if profile.auth is AuthMethod.KEY:
        how = translate("SshImport", "key {file}").format(file=Path(profile.key_path).name)
    else:
        how = translate("SshImport", "password")
    text = translate("SshImport", "{alias}  ·  {place}  ·  {how}").format(
        alias=profile.name, place=place, how=how
    )
    jump = profile.jump
    if jump is not None:
        via = names.get(jump.profile_id, jump.profile_id) if jump.profile_id else jump.host
        text += "  ·  " + translate("SshImport", "via {jump}").format(jump=via)
    return text


def display_path(path: Path) -> str:
    """``~/.ssh/config`` rather than the full path, as people know it."""
    try:
        return str(Path("~") / path.expanduser().relative_to(Path.home()))
    except (ValueError, RuntimeError):
        return str(path)


class SshImportDialog(QDialog):
    #: profiles were saved (list of HostProfile); also after a partial failure
    imported = Signal(object)

    def __init__(
        self,
        profiles: ProfileLifecycle,
        read_config: ReadConfig,
        default_user: str,
        config_path: Path,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._profiles = profiles
        self._store = profiles.store
        self._read_config = read_config
        self._default_user = default_user
        self.config: SshConfig | None = None
        self.plan: SshImportPlan | None = None
        prepare_window(self, translate("SshImport", "Import from SSH config"))
        layout = QVBoxLayout(self)
        layout.addWidget(heading_label(translate("SshImport", "Lab servers from your SSH config")))
        layout.addWidget(
            wrapped_label(
                translate(
                    "SshImport",
                    "Tick the hosts to add as lab servers. LabTunnel takes the address, user, "
                    "port, key file and jump host; passwords are asked when you connect.",
                )
            )
        )
        row = QHBoxLayout()
        self.path_edit = QLineEdit(display_path(config_path), self)
        self.path_edit.editingFinished.connect(self.reload)
        self.browse_button = QPushButton(translate("SshImport", "Choose file…"), self)
        self.browse_button.clicked.connect(self._browse)
        row.addWidget(QLabel(translate("SshImport", "File:"), self))
        row.addWidget(self.path_edit, 1)
        row.addWidget(self.browse_button)
        layout.addLayout(row)
        self.hosts = QListWidget(self)
        self.hosts.itemChanged.connect(lambda _item: self._update_button())
        layout.addWidget(self.hosts, 2)
        self.skipped_label = QLabel(translate("SshImport", "Not imported:"), self)
        layout.addWidget(self.skipped_label)
        self.skipped = QPlainTextEdit(self)
        self.skipped.setReadOnly(True)
        layout.addWidget(self.skipped, 1)
        self.problem = problem_label(self)
        layout.addWidget(self.problem)
        buttons, self.import_button = accept_cancel_buttons(
            self, translate("SshImport", "Import selected"), self.do_import, self.reject
        )
        layout.addWidget(buttons)
        self.resize(620, 460)
        self.reload()

    # --- reading --------------------------------------------------------------------

    def config_path(self) -> Path:
        return Path(self.path_edit.text().strip()).expanduser()

    def reload(self) -> None:
        self.hosts.clear()
        self.skipped.clear()
        self.problem.hide()
        self.config = None
        self.plan = None
        try:
            self.config = self._read_config(self.config_path())
            self.plan = self._plan()
        except LabTunnelError as exc:
            log.info("SSH config not read: %s", exc)
            self._show_problem(error_text(exc))
        self._fill()

    def _plan(self, only: list[str] | None = None) -> SshImportPlan:
        assert self.config is not None
        return plan_ssh_import(
            self.config,
            self._store.profiles(),
            default_user=self._default_user,
            only=only or (),
            ssh_dir=self.config_path().parent,
        )

    def _fill(self) -> None:
        plan = self.plan
        if plan is None:
            self._update_button()
            return
        names = {p.id: p.name for p in [*self._store.profiles(), *plan.profiles]}
        for profile in plan.profiles:
            item = QListWidgetItem(host_line(profile, names))
            item.setData(Qt.ItemDataRole.UserRole, profile.name)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked)
            self.hosts.addItem(item)
        if not plan.profiles:
            empty = QListWidgetItem(translate("SshImport", "No new hosts to import."))
            empty.setFlags(Qt.ItemFlag.NoItemFlags)
            self.hosts.addItem(empty)
        lines = [
            message_text(describe_skipped_host(s.alias, s.reason, s.detail)) for s in plan.skipped
        ]
        lines += [message_text(describe_import_note(n.code, n.detail, n.alias)) for n in plan.notes]
        assert self.config is not None
        lines += [message_text(describe_import_note(n.code, n.detail)) for n in self.config.notes]
        self.skipped.setPlainText("\n".join(lines))
        self.skipped.setVisible(bool(lines))
        self.skipped_label.setVisible(bool(lines))
        self._update_button()

    def checked_aliases(self) -> list[str]:
        aliases = []
        for row in range(self.hosts.count()):
            item = self.hosts.item(row)
            alias = item.data(Qt.ItemDataRole.UserRole)
            if isinstance(alias, str) and item.checkState() == Qt.CheckState.Checked:
                aliases.append(alias)
        return aliases

    def set_checked(self, alias: str, checked: bool) -> None:
        for row in range(self.hosts.count()):
            item = self.hosts.item(row)
            if item.data(Qt.ItemDataRole.UserRole) == alias:
                item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)

    def _update_button(self) -> None:
        self.import_button.setEnabled(bool(self.checked_aliases()))

    def _browse(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(
            self, translate("SshImport", "Choose an SSH config file"), str(self.config_path())
        )
        if path:
            self.path_edit.setText(display_path(Path(path)))
            self.reload()

    def _show_problem(self, text: str) -> None:
        self.problem.setText(text)
        self.problem.show()

    # --- importing ------------------------------------------------------------------

    def do_import(self) -> list[HostProfile]:
        chosen = self.checked_aliases()
        if self.plan is None or not chosen:
            return []
        plan = self.plan
        if set(chosen) != {p.name for p in plan.profiles}:
            # planned again: a jump host left out is then reached by its address instead
            plan = self._plan(only=chosen)
        added: list[HostProfile] = []
        try:
            for profile in plan.profiles:
                # one at a time, so a failure still reports the ones saved before it
                added += apply_ssh_import(self._profiles, SshImportPlan((profile,), (), (), ()))
        except LabTunnelError as exc:
            log.warning("SSH config import stopped after %d profile(s): %s", len(added), exc)
            self._show_problem(error_text(exc))
            if added:
                self.imported.emit(added)
            return added
        log.info("imported %d lab server(s) from %s", len(added), self.config_path())
        self.imported.emit(added)
        self.accept()
        return added

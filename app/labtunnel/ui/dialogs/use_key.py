"""The dialogs behind "Use a key instead of my password…" and "Sign in with my password
again…" in the tray menu.

The work (SSH logins, the server's authorized_keys, the keyring) runs in a worker thread
through :class:`labtunnel.ui.background.Background`; its steps come back as a signal, so
the dialog shows progress and never waits. What went wrong is shown as the sentence from
:mod:`labtunnel.messages`, in the dialog, which stays open to try again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Protocol, TypeVar

import shiboken6
from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from labtunnel.core.errors import SecretMissing
from labtunnel.core.profiles.model import HostProfile
from labtunnel.core.ssh.keysetup import KeyRemovalResult, KeySetupResult, KeyStep
from labtunnel.messages import Message
from labtunnel.messages.keysetup import (
    describe_key_removal,
    describe_key_setup,
    describe_key_step,
    describe_password_deleted,
    describe_password_offer,
)
from labtunnel.ui.background import Background, Outcome
from labtunnel.ui.dialogs.common import (
    PROBLEM_STYLE,
    heading_label,
    plain_buttons,
    prepare_window,
    wrapped_label,
)
from labtunnel.ui.dialogs.secret_field import SecretField
from labtunnel.ui.texts import error_text, message_text

log = logging.getLogger(__name__)
translate = QCoreApplication.translate

GOOD_STYLE = "color: #188038;"

T = TypeVar("T")


class KeySetupControl(Protocol):
    """What the dialogs need of :class:`labtunnel.core.ssh.keysetup.KeySetup` (blocking:
    called in a worker thread only)."""

    def use_key(
        self,
        profile_id: str,
        *,
        existing: Path | None = None,
        passphrase: str | None = None,
        password: str | None = None,
        on_step: Callable[[KeyStep], None] | None = None,
    ) -> KeySetupResult: ...

    def forget_password(self, profile_id: str) -> None: ...

    def remove_key(
        self,
        profile_id: str,
        *,
        password: str | None = None,
        on_step: Callable[[KeyStep], None] | None = None,
    ) -> KeyRemovalResult: ...


def _sentences(messages: list[Message]) -> str:
    return " ".join(message_text(m) for m in messages)


class _KeyWorkDialog(QDialog):
    """A form, a button that starts the work, a line for progress and outcome."""

    #: a step of the work (KeyStep), from the worker thread
    step_reached = Signal(object)
    #: the lab server's settings changed (its HostProfile): the menu must show it
    profile_changed = Signal(object)

    def __init__(
        self,
        profile: HostProfile,
        keys: KeySetupControl,
        background: Background,
        title: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.profile = profile
        self._keys = keys
        self._background = background
        self.busy = False
        prepare_window(self, title)
        self.layout_ = QVBoxLayout(self)
        self.step_reached.connect(self._show_step)
        self.status_label = QLabel(self)
        self.status_label.setWordWrap(True)
        self.status_label.hide()
        self.buttons = QDialogButtonBox(self)
        self.setMinimumWidth(520)

    def _finish_layout(self, action_text: str) -> None:
        self.layout_.addWidget(self.status_label)
        self.action_button = self.buttons.addButton(
            action_text, QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.action_button.setDefault(True)
        self.action_button.clicked.connect(self.start)
        self.close_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.rejected.connect(self.reject)
        self.layout_.addWidget(plain_buttons(self.buttons))

    def inputs(self) -> list[QWidget]:
        return []

    def start(self) -> None:
        raise NotImplementedError

    def _run(self, work: Callable[[], T], done: Callable[[Outcome[T]], None]) -> None:
        self._set_busy(True)
        self._say(message_text(describe_key_step(KeyStep.SIGNING_IN)), "")

        def finished(outcome: Outcome[T]) -> None:
            if not shiboken6.isValid(self):
                log.info("key work finished after its dialog closed: %s", outcome.error or "ok")
                return
            self._set_busy(False)
            if outcome.error is not None:
                self._failed(outcome.error)
            else:
                done(outcome)

        self._background.run(work, finished)

    def _failed(self, error: Exception) -> None:
        log.warning("%s: %s", self.profile.name, error)
        self._say(error_text(error), PROBLEM_STYLE)

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        for widget in [*self.inputs(), self.action_button, self.close_button]:
            widget.setEnabled(not busy)

    def _show_step(self, step: object) -> None:
        if isinstance(step, KeyStep) and self.busy:
            self._say(message_text(describe_key_step(step)), "")

    def _say(self, text: str, style: str) -> None:
        self.status_label.setStyleSheet(style)
        self.status_label.setText(text)
        self.status_label.show()

    def _done_buttons(self) -> None:
        """The work is done: only Close is left."""
        self.action_button.hide()
        self.buttons.removeButton(self.close_button)
        self.close_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        plain_buttons(self.buttons)
        self.close_button.setDefault(True)

    def reject(self) -> None:
        if not self.busy:  # the work cannot be stopped halfway; it undoes itself on failure
            super().reject()


class UseKeyDialog(_KeyWorkDialog):
    def __init__(
        self,
        profile: HostProfile,
        keys: KeySetupControl,
        background: Background,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(
            profile,
            keys,
            background,
            translate("KeySetup", "Use a key for {name}").format(name=profile.name),
            parent,
        )
        self.outcome: KeySetupResult | None = None
        layout = self.layout_
        layout.addWidget(heading_label(translate("KeySetup", "Use a key instead of your password")))
        layout.addWidget(
            wrapped_label(
                translate(
                    "KeySetup",
                    "LabTunnel makes a key for this computer, adds it to ~/.ssh/authorized_keys "
                    "on {host} (your other keys stay as they are), signs in once with the key "
                    "alone to check it, and from then on signs in with it. If anything goes "
                    "wrong, nothing changes.",
                ).format(host=profile.host),
                self,
            )
        )
        self.new_radio = QRadioButton(translate("KeySetup", "Make a new key (recommended)"), self)
        self.existing_radio = QRadioButton(translate("KeySetup", "Use a key I already have:"), self)
        group = QButtonGroup(self)
        group.addButton(self.new_radio)
        group.addButton(self.existing_radio)
        self.new_radio.setChecked(True)
        layout.addWidget(self.new_radio)
        row = QHBoxLayout()
        row.addWidget(self.existing_radio)
        self.key_edit = QLineEdit(self)
        self.key_edit.setPlaceholderText(translate("KeySetup", "e.g. ~/.ssh/id_ed25519"))
        self.key_edit.textEdited.connect(lambda _text: self.existing_radio.setChecked(True))
        row.addWidget(self.key_edit, 1)
        self.browse_button = QPushButton(translate("KeySetup", "Browse…"), self)
        self.browse_button.clicked.connect(self._browse)
        row.addWidget(self.browse_button)
        layout.addLayout(row)
        form = QFormLayout()
        self.passphrase_field = SecretField(
            translate("KeySetup", "optional: locks the key file; kept in your keyring"),
            False,
            self,
        )
        form.addRow(translate("KeySetup", "Key passphrase:"), self.passphrase_field)
        self.password_field = SecretField(
            translate("KeySetup", "only if LabTunnel has not saved it"), False, self
        )
        form.addRow(translate("KeySetup", "Your password:"), self.password_field)
        layout.addLayout(form)
        self.offer_label = wrapped_label("", self)
        self.offer_label.hide()
        layout.addWidget(self.offer_label)
        self.delete_password_button = QPushButton(
            translate("KeySetup", "Delete the saved password"), self
        )
        self.delete_password_button.clicked.connect(self.delete_password)
        self.delete_password_button.hide()
        layout.addWidget(self.delete_password_button)
        self._finish_layout(translate("KeySetup", "Use a key"))

    def inputs(self) -> list[QWidget]:
        return [
            self.new_radio,
            self.existing_radio,
            self.key_edit,
            self.browse_button,
            self.passphrase_field,
            self.password_field,
        ]

    def _browse(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(
            self, translate("KeySetup", "Choose your private key"), self.key_edit.text()
        )
        if path:
            self.key_edit.setText(path)
            self.existing_radio.setChecked(True)

    def start(self) -> None:
        existing: Path | None = None
        if self.existing_radio.isChecked():
            text = self.key_edit.text().strip()
            if not text:
                self._say(translate("KeySetup", "Choose the key file first."), PROBLEM_STYLE)
                return
            existing = Path(text).expanduser()
        passphrase = self.passphrase_field.value()
        password = self.password_field.value()
        profile_id = self.profile.id

        def work() -> KeySetupResult:
            return self._keys.use_key(
                profile_id,
                existing=existing,
                passphrase=passphrase,
                password=password,
                on_step=self.step_reached.emit,
            )

        self._run(work, self._succeeded)

    def _failed(self, error: Exception) -> None:
        super()._failed(error)
        if isinstance(error, SecretMissing):
            self.password_field.line.setFocus()

    def _succeeded(self, outcome: Outcome[KeySetupResult]) -> None:
        result = outcome.value
        assert result is not None
        self.outcome = result
        self.profile_changed.emit(result.profile)
        self._say(_sentences(describe_key_setup(result)), GOOD_STYLE)
        for widget in self.inputs():
            widget.setEnabled(False)
        self._done_buttons()
        if result.password_saved:
            # only now, with the key proved: the password may go
            self.offer_label.setText(message_text(describe_password_offer(self.profile.name)))
            self.offer_label.show()
            self.delete_password_button.show()

    def delete_password(self) -> None:
        profile_id = self.profile.id
        self.delete_password_button.setEnabled(False)

        def done(outcome: Outcome[None]) -> None:
            if not shiboken6.isValid(self):
                return
            if outcome.error is not None:
                self.delete_password_button.setEnabled(True)
                self.offer_label.setText(error_text(outcome.error))
                self.offer_label.setStyleSheet(PROBLEM_STYLE)
                return
            self.delete_password_button.hide()
            self.offer_label.setText(message_text(describe_password_deleted(self.profile.name)))

        self._background.run(lambda: self._keys.forget_password(profile_id), done)


class RemoveKeyDialog(_KeyWorkDialog):
    def __init__(
        self,
        profile: HostProfile,
        keys: KeySetupControl,
        background: Background,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(
            profile,
            keys,
            background,
            translate("KeySetup", "Password for {name}").format(name=profile.name),
            parent,
        )
        self.outcome: KeyRemovalResult | None = None
        self.layout_.addWidget(
            heading_label(translate("KeySetup", "Sign in with your password again"))
        )
        self.layout_.addWidget(
            wrapped_label(
                translate(
                    "KeySetup",
                    "LabTunnel signs in to {host} with your password, takes its key off "
                    "~/.ssh/authorized_keys there (other keys stay) and from then on signs in "
                    "with the password. If the password does not work, the key stays, so you "
                    "cannot be locked out.",
                ).format(host=profile.host),
                self,
            )
        )
        form = QFormLayout()
        self.password_field = SecretField(
            translate("KeySetup", "only if LabTunnel has not saved it"), False, self
        )
        form.addRow(translate("KeySetup", "Your password:"), self.password_field)
        self.layout_.addLayout(form)
        self._finish_layout(translate("KeySetup", "Use my password again"))

    def inputs(self) -> list[QWidget]:
        return [self.password_field]

    def start(self) -> None:
        password = self.password_field.value()
        profile_id = self.profile.id

        def work() -> KeyRemovalResult:
            return self._keys.remove_key(
                profile_id, password=password, on_step=self.step_reached.emit
            )

        self._run(work, self._succeeded)

    def _failed(self, error: Exception) -> None:
        super()._failed(error)
        self.password_field.line.setFocus()

    def _succeeded(self, outcome: Outcome[KeyRemovalResult]) -> None:
        result = outcome.value
        assert result is not None
        self.outcome = result
        self.profile_changed.emit(result.profile)
        self._say(_sentences(describe_key_removal(result)), GOOD_STYLE)
        self.password_field.setEnabled(False)
        self._done_buttons()

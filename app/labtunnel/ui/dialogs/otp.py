"""The one-time-code prompt (keyboard-interactive 2FA). Only the code is asked:
the core answers the password prompt itself from the keyring."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from labtunnel.ui.dialogs.common import (
    heading_label,
    plain_buttons,
    prepare_window,
    wrapped_label,
)

translate = QCoreApplication.translate


class OneTimeCodeDialog(QDialog):
    def __init__(
        self,
        host: str,
        title: str,
        instructions: str,
        prompts: Sequence[tuple[str, bool]],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        prepare_window(self, translate("OneTimeCode", "One-time code"))
        layout = QVBoxLayout(self)
        layout.addWidget(
            heading_label(
                translate("OneTimeCode", "{host} asks for a one-time code").format(host=host)
            )
        )
        # the server's own words: they often say which app or device has the code
        server_text = "\n".join(part for part in (title.strip(), instructions.strip()) if part)
        if server_text:
            layout.addWidget(wrapped_label(server_text))
        form = QFormLayout()
        self.fields: list[QLineEdit] = []
        for text, echo in prompts:
            field = QLineEdit(self)
            field.setEchoMode(QLineEdit.EchoMode.Normal if echo else QLineEdit.EchoMode.Password)
            field.setMinimumWidth(200)
            form.addRow(text.strip() or translate("OneTimeCode", "Code:"), field)
            self.fields.append(field)
        layout.addLayout(form)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText(translate("OneTimeCode", "Sign in"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(plain_buttons(buttons))
        self.setMinimumWidth(400)  # the heading wraps badly in a narrow window
        if self.fields:
            self.fields[0].setFocus()

    def answers(self) -> list[str]:
        return [field.text().strip() for field in self.fields]

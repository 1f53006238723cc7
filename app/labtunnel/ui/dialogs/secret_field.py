"""A password or passphrase field that never shows the stored value back.

When a secret is stored the field stays empty and disabled with a note; "Change…"
clears and enables it. ``value()`` is None unless the person typed something.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtWidgets import QHBoxLayout, QLineEdit, QPushButton, QWidget

translate = QCoreApplication.translate


class SecretField(QWidget):
    edited = Signal()

    def __init__(self, placeholder: str, stored: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._placeholder = placeholder
        self.line = QLineEdit(self)
        self.line.setEchoMode(QLineEdit.EchoMode.Password)
        self.line.textEdited.connect(lambda _text: self.edited.emit())
        self.change_button = QPushButton(translate("ProfileEditor", "Change…"), self)
        self.change_button.clicked.connect(self.start_change)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.line, 1)
        layout.addWidget(self.change_button)
        self.set_stored(stored)

    @property
    def stored(self) -> bool:
        return self._stored

    def set_stored(self, stored: bool) -> None:
        self._stored = stored
        self._changing = not stored
        self.line.clear()
        self.line.setEnabled(not stored)
        self.change_button.setVisible(stored)
        self.line.setPlaceholderText(
            translate("ProfileEditor", "Saved in the system keyring")
            if stored
            else self._placeholder
        )

    def start_change(self) -> None:
        self._changing = True
        self.change_button.setVisible(False)
        self.line.setEnabled(True)
        self.line.setPlaceholderText(self._placeholder)
        self.line.setFocus()
        self.edited.emit()

    def value(self) -> str | None:
        """What was typed, or None when the stored secret is kept (or nothing typed)."""
        if not self._changing:
            return None
        text = self.line.text()
        return text if text else None

    def is_missing(self) -> bool:
        return not self._stored and self.value() is None

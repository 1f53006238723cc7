"""Jupyter is not on the server's login PATH but was found elsewhere: pick one, by click."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QListWidget,
    QVBoxLayout,
    QWidget,
)

from labtunnel.core.errors import JupyterNotFound
from labtunnel.ui.dialogs.common import (
    heading_label,
    plain_buttons,
    prepare_window,
    wrapped_label,
)

translate = QCoreApplication.translate


class JupyterChoiceDialog(QDialog):
    def __init__(self, error: JupyterNotFound, server: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.error = error
        prepare_window(self, translate("JupyterChoice", "Choose Jupyter"))
        layout = QVBoxLayout(self)
        layout.addWidget(
            heading_label(translate("JupyterChoice", "Which Jupyter should LabTunnel use?"))
        )
        layout.addWidget(
            wrapped_label(
                translate(
                    "JupyterChoice",
                    "On {server}, Jupyter is not where LabTunnel looks first, but it was "
                    "found in these places. Pick the one you use; LabTunnel remembers it.",
                ).format(server=server)
            )
        )
        self.choices = QListWidget(self)
        self.choices.addItems(list(error.candidates))
        self.choices.setCurrentRow(0)
        rows = min(max(len(error.candidates), 3), 8)
        frame = 2 * self.choices.frameWidth()
        self.choices.setFixedHeight(self.choices.sizeHintForRow(0) * rows + frame + 4)
        self.choices.itemDoubleClicked.connect(lambda _item: self.accept())
        layout.addWidget(self.choices)
        buttons = QDialogButtonBox(self)
        self.use_button = buttons.addButton(
            translate("JupyterChoice", "Use this Jupyter"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.use_button.setDefault(True)
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(plain_buttons(buttons))
        self.setMinimumWidth(480)

    def chosen(self) -> str | None:
        item = self.choices.currentItem()
        return item.text() if item is not None else None

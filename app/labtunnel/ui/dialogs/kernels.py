"""Shut down idle kernels: the user's kernels on their Jupyter, the idle ones ticked."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QDialog, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from labtunnel.core.jupyter.kernels import KernelReport
from labtunnel.ui.dialogs.common import (
    accept_cancel_buttons,
    heading_label,
    prepare_window,
    wrapped_label,
)
from labtunnel.ui.jupyter_text import IDLE_MINUTES, kernel_text

translate = QCoreApplication.translate


class KernelsDialog(QDialog):
    def __init__(self, report: KernelReport, server: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        prepare_window(self, translate("Kernels", "Shut down idle kernels"))
        layout = QVBoxLayout(self)
        layout.addWidget(
            heading_label(translate("Kernels", "Your kernels on {server}").format(server=server))
        )
        layout.addWidget(
            wrapped_label(
                translate(
                    "Kernels",
                    "Tick the kernels to shut down. Their notebooks stay as last saved; what "
                    "only lives in a kernel's memory (variables, models on the GPU) is lost. "
                    "Kernels idle for {minutes} minutes or more are ticked.",
                ).format(minutes=IDLE_MINUTES)
            )
        )
        self.choices = QListWidget(self)
        for kernel in report.kernels:
            item = QListWidgetItem(kernel_text(kernel, report, limit=120), self.choices)
            item.setData(Qt.ItemDataRole.UserRole, kernel.id)
            item.setToolTip(kernel.notebook or kernel.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            ticked = kernel.idle_over(IDLE_MINUTES)
            item.setCheckState(Qt.CheckState.Checked if ticked else Qt.CheckState.Unchecked)
        self.choices.itemChanged.connect(lambda _item: self._update())
        layout.addWidget(self.choices)
        buttons, self.shutdown_button = accept_cancel_buttons(
            self, translate("Kernels", "Shut down"), self.accept, self.reject
        )
        layout.addWidget(buttons)
        self.setMinimumWidth(560)
        self._update()

    def chosen(self) -> list[str]:
        ids = []
        for row in range(self.choices.count()):
            item = self.choices.item(row)
            if item.checkState() is Qt.CheckState.Checked:
                ids.append(str(item.data(Qt.ItemDataRole.UserRole)))
        return ids

    def _update(self) -> None:
        count = len(self.chosen())
        self.shutdown_button.setEnabled(count > 0)
        self.shutdown_button.setText(
            translate("Kernels", "Shut down {count}").format(count=count)
            if count
            else translate("Kernels", "Shut down")
        )

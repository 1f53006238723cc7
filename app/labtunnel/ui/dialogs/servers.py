"""Manage servers: the list of lab servers with Add, Edit and Remove."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import (
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from labtunnel.ui.controller import AppController
from labtunnel.ui.dialogs.common import action_row, prepare_window
from labtunnel.ui.icons import tray_icon
from labtunnel.ui.state import overall_state
from labtunnel.ui.texts import state_text

translate = QCoreApplication.translate


class ServerList(QWidget):
    add_requested = Signal()
    edit_requested = Signal(str)
    remove_requested = Signal(str)

    def __init__(self, controller: AppController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._controller = controller
        prepare_window(self, translate("Servers", "Lab servers"))
        layout = QVBoxLayout(self)
        self.list = QListWidget(self)
        self.list.itemDoubleClicked.connect(lambda _item: self._edit())
        self.list.currentItemChanged.connect(lambda *_args: self._update_buttons())
        layout.addWidget(self.list)
        texts = (
            translate("Servers", "Add…"),
            translate("Servers", "Edit…"),
            translate("Servers", "Remove…"),
        )
        row, (self.add_button, self.edit_button, self.remove_button) = action_row(
            self, texts, self.close
        )
        layout.addLayout(row)
        self.add_button.clicked.connect(self.add_requested.emit)
        self.edit_button.clicked.connect(self._edit)
        self.remove_button.clicked.connect(self._remove)
        controller.changed.connect(self.refresh)
        self.resize(520, 320)
        self.refresh()

    def selected_id(self) -> str | None:
        item = self.list.currentItem()
        value = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        return value if isinstance(value, str) else None

    def refresh(self) -> None:
        selected = self.selected_id()
        self.list.clear()
        for profile in self._controller.profiles():
            status = self._controller.status(profile.id)
            text = translate("Servers", "{name}  ·  {user}@{host}  ·  {state}").format(
                name=profile.name,
                user=profile.username,
                host=profile.host,
                state=state_text(status),
            )
            item = QListWidgetItem(tray_icon(overall_state([status]), template=False), text)
            item.setData(Qt.ItemDataRole.UserRole, profile.id)
            self.list.addItem(item)
            if profile.id == selected:
                self.list.setCurrentItem(item)
        if self.list.currentItem() is None and self.list.count():
            self.list.setCurrentRow(0)
        self._update_buttons()

    def _update_buttons(self) -> None:
        chosen = self.selected_id() is not None
        self.edit_button.setEnabled(chosen)
        self.remove_button.setEnabled(chosen)

    def _edit(self) -> None:
        profile_id = self.selected_id()
        if profile_id is not None:
            self.edit_requested.emit(profile_id)

    def _remove(self) -> None:
        profile_id = self.selected_id()
        if profile_id is not None:
            self.remove_requested.emit(profile_id)

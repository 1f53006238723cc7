"""A small window with the tray menu's actions, for desktops without a tray."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from labtunnel.core.events import TunnelState
from labtunnel.ui.controller import AppController
from labtunnel.ui.dialogs.common import heading_label, prepare_window, wrapped_label
from labtunnel.ui.jupyter_text import jupyter_lines, kernel_lines
from labtunnel.ui.login_item import LoginItem
from labtunnel.ui.menu import MenuHandlers, fill_menu
from labtunnel.ui.notices import Notice
from labtunnel.ui.stats_text import stats_lines
from labtunnel.ui.texts import notice_text, state_text

translate = QCoreApplication.translate

NOTE_STYLE = "background: #fff8e1; border: 1px solid #f0c36d; border-radius: 4px; padding: 6px;"


class FallbackWindow(QWidget):
    def __init__(
        self,
        controller: AppController,
        handlers: MenuHandlers,
        login_item: LoginItem,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.controller = controller
        self._handlers = handlers
        self._login_item = login_item
        prepare_window(self, "LabTunnel")
        layout = QVBoxLayout(self)
        self.reason = wrapped_label(
            translate(
                "Fallback",
                "This desktop has no system tray (notification area), so LabTunnel shows its "
                "menu in this window. Closing the window keeps your tunnels open; start "
                "LabTunnel again to bring it back.",
            )
        )
        self.reason.setStyleSheet(NOTE_STYLE)
        layout.addWidget(self.reason)
        layout.addWidget(heading_label(translate("Fallback", "Lab servers")))
        self.status_label = QLabel(self)
        self.status_label.setWordWrap(True)
        layout.addWidget(self.status_label)
        self.notice_label = wrapped_label("")
        self.notice_label.hide()
        layout.addWidget(self.notice_label)
        row = QHBoxLayout()
        self.primary_button = QPushButton(self)
        self.primary_button.clicked.connect(self._primary)
        self.menu = QMenu(self)
        self.menu.aboutToShow.connect(self.rebuild_menu)
        self.menu_button = QPushButton(translate("Fallback", "Menu"), self)
        self.menu_button.setMenu(self.menu)
        row.addWidget(self.primary_button)
        row.addStretch(1)
        row.addWidget(self.menu_button)
        layout.addLayout(row)
        controller.changed.connect(self.refresh)
        controller.notice.connect(self.show_notice)
        controller.watch_stats(lambda: self.isVisible() and not self.isMinimized())
        self.setMinimumWidth(420)
        self.refresh()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.controller.refresh_stats(force=False)  # figures aged while nobody looked

    def rebuild_menu(self) -> None:
        fill_menu(self.menu, self.controller, self._handlers, self._login_item)

    def refresh(self) -> None:
        lines: list[str] = []
        for profile in self.controller.profiles():
            status = self.controller.status(profile.id)
            lines.append(
                translate("Fallback", "{name}: {state}").format(
                    name=profile.name, state=state_text(status)
                )
            )
            event = self.controller.stats(profile.id)
            lines.extend("    " + line for line in stats_lines(event))
            if status.state is TunnelState.CONNECTED:
                details = jupyter_lines(status, event, short=False) + kernel_lines(event)
                lines.extend("    " + line.text for line in details)
        if not lines:
            lines.append(translate("Fallback", "No lab server yet: use Menu → Add lab server…"))
        self.status_label.setText("\n".join(lines))
        self.rebuild_menu()
        default = self.menu.defaultAction()
        self.primary_button.setVisible(default is not None)
        if default is not None:
            self.primary_button.setText(default.text())

    def _primary(self) -> None:
        self.rebuild_menu()
        default = self.menu.defaultAction()
        if default is not None:
            default.trigger()

    def show_notice(self, notice: object) -> None:
        if isinstance(notice, Notice):
            title, body = notice_text(notice)
            self.notice_label.setText(f"<b>{_escape(title)}</b><br>{_escape(body)}")
            self.notice_label.show()


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

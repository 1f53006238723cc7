"""The tray icon: its look follows the tunnels' state, its menu is rebuilt on every open."""

from __future__ import annotations

import sys
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QObject, QPoint
from PySide6.QtGui import QCursor, QGuiApplication
from PySide6.QtWidgets import QMenu, QSystemTrayIcon

from labtunnel.ui.controller import AppController
from labtunnel.ui.icons import tray_icon
from labtunnel.ui.login_item import LoginItem
from labtunnel.ui.menu import MenuHandlers, fill_menu
from labtunnel.ui.notices import Notice, NoticeKind
from labtunnel.ui.state import TrayState
from labtunnel.ui.texts import notice_text, state_text

translate = QCoreApplication.translate

NOTICE_MS = 8000
_GOOD = (
    NoticeKind.CONNECTED,
    NoticeKind.RESTORED,
    NoticeKind.DISCONNECTED,
    NoticeKind.JUPYTER_STOPPED,
    NoticeKind.KERNELS_SHUT_DOWN,
)
_BAD = (NoticeKind.FAILED, NoticeKind.STOP_FAILED)


def tooltip_text(controller: AppController) -> str:
    lines = ["LabTunnel"]
    for status in controller.statuses():
        lines.append(
            translate("Tray", "{name}: {state}").format(
                name=status.profile_name, state=state_text(status)
            )
        )
    if len(lines) == 1:
        lines.append(translate("Tray", "No lab server yet"))
    return "\n".join(lines)


class TrayShell(QObject):
    def __init__(
        self,
        controller: AppController,
        handlers: MenuHandlers,
        login_item: LoginItem,
        notifications_on: Callable[[], bool] = lambda: True,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.controller = controller
        self._handlers = handlers
        self._login_item = login_item
        self._notifications_on = notifications_on
        self.menu = QMenu()
        self.menu.aboutToShow.connect(self.rebuild_menu)
        # opening the menu to connect: the core logs in meanwhile, when that asks nothing
        self.menu.aboutToShow.connect(controller.menu_opened)
        self.icon = QSystemTrayIcon(self)
        self.icon.setContextMenu(self.menu)
        self.icon.activated.connect(self._activated)
        self.icon.messageClicked.connect(self._message_clicked)
        self.last_notice: Notice | None = None
        self.notices_shown = 0
        self.shown_state: TrayState | None = None
        controller.changed.connect(self.update_look)
        controller.notice.connect(self.show_notice)
        controller.stats_received.connect(self._stats_arrived)
        controller.watch_stats(self.menu.isVisible)
        self.rebuild_menu()
        self.update_look()

    def show(self) -> None:
        self.icon.show()

    def hide(self) -> None:
        self.icon.hide()

    def rebuild_menu(self) -> None:
        fill_menu(self.menu, self.controller, self._handlers, self._login_item)
        self.controller.refresh_stats(force=False)

    def _stats_arrived(self, _profile_id: str) -> None:
        """Figures asked for when the menu opened: show them in the open menu, unless a
        submenu is open (rebuilding would pull it away under the pointer)."""
        if not self.menu.isVisible():
            return
        if any(sub.isVisible() for sub in self.menu.findChildren(QMenu)):
            return
        self.rebuild_menu()

    def update_look(self) -> None:
        state = self.controller.overall()
        if state is not self.shown_state:
            self.icon.setIcon(tray_icon(state))
            self.shown_state = state
        self.icon.setToolTip(tooltip_text(self.controller))

    def popup_menu(self, at: QPoint | None = None) -> None:
        """Open the menu by the icon (or at ``at``): on a click, or when a second launch asks."""
        self.rebuild_menu()
        self.menu.popup(at if at is not None else self._menu_anchor())
        self.menu.activateWindow()

    def _menu_anchor(self) -> QPoint:
        """Below the icon in a top panel, above it in a bottom one, as panels do."""
        geometry = self.icon.geometry()
        if not geometry.isValid():
            return QCursor.pos()
        screen = QGuiApplication.screenAt(geometry.center())
        if screen is not None and geometry.center().y() > screen.geometry().center().y():
            return QPoint(geometry.left(), geometry.top() - self.menu.sizeHint().height())
        return QPoint(geometry.left(), geometry.bottom() + 1)

    def _activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason is QSystemTrayIcon.ActivationReason.Trigger:
            # macOS opens the menu on click by itself; elsewhere a left click should too
            if sys.platform != "darwin":
                self.popup_menu()
        elif reason is QSystemTrayIcon.ActivationReason.DoubleClick:
            self.menu.hide()
            self.controller.primary_action()

    def show_notice(self, notice: object) -> None:
        """A balloon, unless notifications are off in Settings (the icon and the menu
        still show the state)."""
        if not isinstance(notice, Notice) or not self._notifications_on():
            return
        self.last_notice = notice
        self.notices_shown += 1
        title, body = notice_text(notice)
        if notice.kind in _GOOD:
            state = (
                TrayState.IDLE if notice.kind is NoticeKind.DISCONNECTED else TrayState.CONNECTED
            )
            self.icon.showMessage(title, body, tray_icon(state, template=False), NOTICE_MS)
            return
        level = (
            QSystemTrayIcon.MessageIcon.Critical
            if notice.kind in _BAD
            else QSystemTrayIcon.MessageIcon.Warning
        )
        self.icon.showMessage(title, body, level, NOTICE_MS)

    def _message_clicked(self) -> None:
        notice = self.last_notice
        if notice is None:
            return
        if notice.kind in (
            NoticeKind.CONNECTED,
            NoticeKind.RESTORED,
            NoticeKind.CONNECTED_WARNING,
        ):
            self.controller.open_in_browser(notice.profile_id)
        elif notice.kind in _BAD:
            self._handlers.show_failure(notice.profile_id)

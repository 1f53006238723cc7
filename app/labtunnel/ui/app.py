"""Wires the tray app together from its collaborators; main.py passes the real ones,
tests pass fakes or real ones with temporary folders."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QObject, QUrl
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import QMessageBox, QSystemTrayIcon

from labtunnel.core.errors import LabTunnelError
from labtunnel.core.events import Listener
from labtunnel.core.platform.browser import BrowserOpener, pages_folder
from labtunnel.core.profiles.lifecycle import ProfileLifecycle
from labtunnel.core.ssh.auth import Prompter
from labtunnel.core.updates import UpdateStatus, check_for_update
from labtunnel.messages.browser import redirect_link
from labtunnel.ui.bridge import EventBridge
from labtunnel.ui.contracts import HostKeyTrust, OpenUrl, SetClipboard, TunnelControl
from labtunnel.ui.controller import AppController
from labtunnel.ui.dialogs.common import bring_to_front
from labtunnel.ui.dialogs.use_key import KeySetupControl
from labtunnel.ui.fallback import FallbackWindow
from labtunnel.ui.i18n import ENGLISH
from labtunnel.ui.login_item import LoginItem, UnsupportedLoginItem
from labtunnel.ui.network_watch import NetworkWatch
from labtunnel.ui.prompter import QtPrompter
from labtunnel.ui.settings import SettingsStore
from labtunnel.ui.single_instance import SHOW, opened_path
from labtunnel.ui.stall import StallMeter
from labtunnel.ui.texts import error_text, message_text
from labtunnel.ui.tray import TrayShell
from labtunnel.ui.tray_wait import DEFAULT_WAIT_MS, TrayWaiter
from labtunnel.ui.update_check import CheckFunction, UpdateChecker
from labtunnel.ui.windows import (
    ChooseFile,
    Confirm,
    Windows,
    ask_yes_no,
    choose_lab_profile,
)

log = logging.getLogger(__name__)
translate = QCoreApplication.translate

ManagerFactory = Callable[[Listener, Prompter], TunnelControl]
#: makes the password-to-key service, with the app's prompter for one-time codes
KeySetupFactory = Callable[[Prompter], KeySetupControl]


def open_in_desktop(url: QUrl) -> bool:
    return QDesktopServices.openUrl(url)


def set_clipboard_text(text: str) -> None:
    QGuiApplication.clipboard().setText(text)


class LabTunnelApp(QObject):
    def __init__(
        self,
        *,
        profiles: ProfileLifecycle,
        hostkeys: HostKeyTrust,
        log_dir: Path,
        manager_factory: ManagerFactory,
        key_setup_factory: KeySetupFactory | None = None,
        open_url: OpenUrl = open_in_desktop,
        browser: BrowserOpener | None = None,
        set_clipboard: SetClipboard = set_clipboard_text,
        login_item: LoginItem | None = None,
        confirm: Confirm = ask_yes_no,
        tray_available: Callable[[], bool] = QSystemTrayIcon.isSystemTrayAvailable,
        tray_wait_ms: int = DEFAULT_WAIT_MS,
        quit_app: Callable[[], None] = QCoreApplication.quit,
        choose_file: ChooseFile = choose_lab_profile,
        ssh_config_path: Path | None = None,
        running_language: str = ENGLISH,
        update_check: CheckFunction = check_for_update,
        measure_stalls: bool = False,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        store = self.store = profiles.store
        self.settings = SettingsStore(store)
        self.login_item: LoginItem = login_item or UnsupportedLoginItem()
        self._quit_app = quit_app
        self.bridge = EventBridge(self)
        self.prompter = QtPrompter(parent=self)
        self.manager = manager_factory(self.bridge.listener, self.prompter)
        config_dir = store.path.parent
        self.browser = browser or BrowserOpener(
            lambda: pages_folder(config_dir), text=message_text(redirect_link())
        )
        self.controller = AppController(
            self.manager,
            store,
            hostkeys,
            self.bridge,
            self.browser,
            set_clipboard,
            stall_meter=StallMeter(parent=self) if measure_stalls else None,
            settings=self.settings,
            parent=self,
        )
        self.windows = Windows(
            self.controller,
            profiles,
            hostkeys,
            log_dir,
            open_url,
            set_clipboard,
            quit_app=self.quit,
            confirm=confirm,
            settings=self.settings,
            login_item=self.login_item,
            choose_file=choose_file,
            ssh_config_path=ssh_config_path,
            running_language=running_language,
            key_setup=key_setup_factory(self.prompter) if key_setup_factory else None,
            parent=self,
        )
        self.tray: TrayShell | None = None
        self.fallback: FallbackWindow | None = None
        self.network = NetworkWatch(self.manager.network_changed, parent=self)
        self.waiter = TrayWaiter(tray_available, tray_wait_ms, parent=self)
        self.waiter.decided.connect(self._shell_decided)
        self.updates = UpdateChecker(update_check, parent=self)
        self.updates.finished.connect(self._update_checked)
        self._shut_down = False

    def start(self, open_file: Path | None = None) -> None:
        """Load the profiles, find a tray (or fall back), and welcome a first-time user
        (or, started for a lab profile file, open its import dialog)."""
        load_error: LabTunnelError | None = None
        try:
            self.store.load()
        except LabTunnelError as exc:
            load_error = exc
            log.error("profiles not loaded: %s", exc)
        self.waiter.start()
        self.network.start()
        if self.settings.get().check_updates:  # opt-in (Settings), off by default
            self.updates.start()
        if load_error is not None:
            self.windows.show_message(
                translate("App", "LabTunnel settings"),
                error_text(load_error),
                QMessageBox.Icon.Warning,
            )
        if open_file is not None:
            log.info("started for the lab profile %s", open_file.name)
            self.windows.import_lab_profile(open_file)
        elif load_error is None and not self.store.profiles():
            self.windows.add_server(welcome=True)

    def _update_checked(self, result: object) -> None:
        """At start only a newer version is worth a window; the rest is in the log."""
        if not self._shut_down and isinstance(result, UpdateStatus) and result.newer_available:
            self.windows.show_update(result)

    def open_file(self, path: Path) -> None:
        """A lab profile handed over by a second launch or the system (macOS FileOpen)."""
        log.info("asked to import the lab profile %s", path.name)
        editor = self.windows.editor
        if editor is not None and editor.is_new and editor.untouched and editor.isVisible():
            editor.close()  # the first-run welcome: the file replaces it (macOS launch)
        self.windows.import_lab_profile(path)

    def _shell_decided(self, tray_available: bool) -> None:
        if self._shut_down:
            return
        handlers = self.windows.handlers()
        if tray_available:
            self.tray = TrayShell(
                self.controller,
                handlers,
                self.login_item,
                notifications_on=self.settings.notifications_on,
                parent=self,
            )
            self.tray.show()
        else:
            log.warning("no system tray found: showing the fallback window")
            self.fallback = FallbackWindow(self.controller, handlers, self.login_item)
            bring_to_front(self.fallback)
        self._connect_at_start()

    def _connect_at_start(self) -> None:
        """Settings → "Connect … when LabTunnel starts": once the tray (or the fallback
        window) can show progress and prompts. Through the controller like a click, so a
        host-key question or a one-time code is asked as usual; no browser tab opens."""
        if not self.settings.get().connect_at_start:
            return
        profile = self.controller.default_profile()
        if profile is None:
            return
        log.info("connecting to %s at start (Settings)", profile.name)
        self.controller.connect_profile(profile.id, open_browser=False)

    def handle_message(self, message: str) -> None:
        """Another launch handed over to us: import its file, or show ourselves."""
        path = opened_path(message)
        if path is not None:
            self.open_file(path)
            return
        if message != SHOW:
            log.info("ignoring message from another instance: %r", message[:40])
            return
        log.info("another launch asked LabTunnel to show itself")
        if self.fallback is not None:
            bring_to_front(self.fallback)
        elif not self.store.profiles():
            self.windows.add_server(welcome=True)
        else:
            self.windows.manage_servers()

    def quit(self) -> None:
        self.shutdown()
        self._quit_app()

    def shutdown(self, timeout: float = 5.0) -> None:
        """Close windows and stop every tunnel; returns at once (the core's threads end
        in the background: :meth:`wait_closed`). Idempotent."""
        if self._shut_down:
            return
        self._shut_down = True
        self.waiter.decided.disconnect(self._shell_decided)
        self.prompter.cancel_all()  # a worker waiting for a code must not hold up closing
        self.windows.close_all()
        self.controller.close(timeout)
        self.bridge.close()
        if self.tray is not None:
            self.tray.hide()
        if self.fallback is not None:
            self.fallback.close()

    def wait_closed(self, timeout: float = 10.0) -> bool:
        """After :meth:`shutdown`, once the GUI is gone: wait for the core's threads."""
        return self.controller.wait_closed(timeout)

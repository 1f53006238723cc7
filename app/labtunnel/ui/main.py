"""``labtunnel`` with no arguments (or one lab profile file): the tray app."""

from __future__ import annotations

import logging
import signal
import sys
from collections.abc import Sequence

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from labtunnel import APP_NAME
from labtunnel.core.auth import Prompter
from labtunnel.core.autostart import login_item_for_platform
from labtunnel.core.context import AppContext
from labtunnel.core.events import Listener
from labtunnel.core.logs import setup_logging
from labtunnel.core.store import ProfileStore
from labtunnel.core.tunnels import TunnelManager
from labtunnel.ui.app import LabTunnelApp
from labtunnel.ui.file_open import SUFFIX, FileOpenWatcher, lab_profile_argument
from labtunnel.ui.i18n import Translators, ui_language
from labtunnel.ui.icons import app_icon
from labtunnel.ui.settings import SettingsStore
from labtunnel.ui.single_instance import SHOW, SingleInstance, open_message, server_name

log = logging.getLogger(__name__)


def _qt_argv(argv: Sequence[str] | None) -> list[str]:
    """Accepts sys.argv (program first) or just the arguments."""
    args = list(sys.argv if argv is None else argv)
    if not args or args[0].startswith("-") or args[0].lower().endswith(SUFFIX):
        args.insert(0, "labtunnel")
    return args


def _logging_ready() -> bool:
    return any(getattr(h, "_labtunnel", False) for h in logging.getLogger().handlers)


def install_language(app: QApplication, store: ProfileStore) -> Translators:
    """The language from Settings (or the system's), installed before any window exists:
    a change in Settings applies at the next start."""
    translators = Translators(app)
    translators.install(ui_language(SettingsStore(store).get().language))
    return translators


def run(argv: Sequence[str] | None = None) -> int:
    """Start the tray app; returns the exit code (0 also when another instance took over).
    With a ``*.labtunnel`` argument it opens the import dialog for that file, handing the
    file to the running instance when there is one."""
    qt_args = _qt_argv(argv)
    QApplication.setApplicationName(APP_NAME)
    QApplication.setDesktopFileName("labtunnel")
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(qt_args)
    app.setQuitOnLastWindowClosed(False)
    app.setWindowIcon(app_icon())
    opened = FileOpenWatcher(app)
    app.installEventFilter(opened)  # macOS: files opened from Finder
    lab_profile = lab_profile_argument(qt_args[1:])
    context = AppContext.create()
    if not _logging_ready():
        setup_logging(context.paths.log_dir)
    instance = SingleInstance(server_name(context.paths.config_dir))
    if not instance.claim(open_message(lab_profile) if lab_profile is not None else SHOW):
        log.info("LabTunnel is already running: handed over to it")
        app.removeEventFilter(opened)
        return 0
    translators = install_language(app, context.store)

    def make_manager(listener: Listener, prompter: Prompter) -> TunnelManager:
        return TunnelManager(context.tunnel_deps(prompter), listener)

    labtunnel = LabTunnelApp(
        store=context.store,
        secrets=context.secrets,
        hostkeys=context.hostkeys,
        log_dir=context.paths.log_dir,
        manager_factory=make_manager,
        login_item=login_item_for_platform(),
        running_language=translators.language,
    )
    instance.message_received.connect(labtunnel.handle_message)
    opened.opened.connect(labtunnel.open_file)
    app.aboutToQuit.connect(labtunnel.shutdown)
    _quit_on_signals(labtunnel)
    labtunnel.start(open_file=lab_profile)
    log.info("LabTunnel tray started")
    code = app.exec()
    labtunnel.shutdown()
    instance.close()
    app.removeEventFilter(opened)
    translators.remove()
    return code


def _quit_on_signals(labtunnel: LabTunnelApp) -> None:
    """SIGTERM/SIGINT quit cleanly. Python runs signal handlers only between bytecodes,
    so a slow timer gives it the chance while Qt's loop waits."""
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda _signum, _frame: labtunnel.quit())
    timer = QTimer(labtunnel)
    timer.setInterval(300)
    timer.timeout.connect(lambda: None)
    timer.start()

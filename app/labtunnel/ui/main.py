"""``labtunnel`` with no arguments (or one lab profile file): the tray app."""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import socket
import sys
from collections.abc import Callable, Sequence

from PySide6.QtCore import QObject, QSocketNotifier, QTimer
from PySide6.QtWidgets import QApplication

from labtunnel import APP_NAME
from labtunnel.core.context import AppContext
from labtunnel.core.events import Listener
from labtunnel.core.logs import setup_logging
from labtunnel.core.platform.autostart import login_item_for_platform
from labtunnel.core.profiles.store import ProfileStore
from labtunnel.core.ssh.auth import Prompter
from labtunnel.core.tunnel.manager import TunnelManager
from labtunnel.ui.app import LabTunnelApp
from labtunnel.ui.error_hook import ErrorReporter
from labtunnel.ui.file_open import SUFFIX, FileOpenWatcher, lab_profile_argument
from labtunnel.ui.i18n import Translators, ui_language
from labtunnel.ui.icons import app_icon, missing_icons
from labtunnel.ui.qt_bindings import describe, dropped_references
from labtunnel.ui.resources import resources_dir
from labtunnel.ui.settings import SettingsStore
from labtunnel.ui.single_instance import SHOW, SingleInstance, open_message, server_name

log = logging.getLogger(__name__)

#: set to 1 to log the longest GUI stall of every connect (a debugging aid)
MEASURE_STALLS_ENV = "LABTUNNEL_MEASURE_GUI_STALLS"


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
    # only macOS sends files opened from Finder as events; elsewhere an application-wide
    # filter would just run Python for every event of every object
    if sys.platform == "darwin":
        app.installEventFilter(opened)
    lab_profile = lab_profile_argument(qt_args[1:])
    context = AppContext.create()
    if not _logging_ready():
        setup_logging(context.paths.log_dir)
    missing = missing_icons()
    if missing:
        # an incomplete install: say so in the log "Show log" opens, not only on stderr
        log.error("no %s in %s: the tray icon cannot be shown", ", ".join(missing), resources_dir())
    lost = dropped_references()
    if lost:
        log.warning("%s", describe(lost))
    instance = SingleInstance(server_name(context.paths.config_dir))
    if not instance.claim(open_message(lab_profile) if lab_profile is not None else SHOW):
        log.info("LabTunnel is already running: handed over to it")
        app.removeEventFilter(opened)
        return 0
    translators = install_language(app, context.store)

    def make_manager(listener: Listener, prompter: Prompter) -> TunnelManager:
        return TunnelManager(context.tunnel_deps(prompter), listener)

    labtunnel = LabTunnelApp(
        profiles=context.profiles,
        hostkeys=context.hostkeys,
        log_dir=context.paths.log_dir,
        manager_factory=make_manager,
        key_setup_factory=context.key_setup,
        login_item=login_item_for_platform(),
        running_language=translators.language,
        measure_stalls=os.environ.get(MEASURE_STALLS_ENV) == "1",
    )
    errors = ErrorReporter(labtunnel.windows.show_log, parent=labtunnel)
    errors.install()
    instance.message_received.connect(labtunnel.handle_message)
    opened.opened.connect(labtunnel.open_file)
    app.aboutToQuit.connect(labtunnel.shutdown)
    # a SIGTERM can come before app.exec() runs (while start() below works): Qt drops a
    # quit() made outside its event loop, and the app would never end; queued, the quit
    # runs as soon as the loop does
    signals = _SignalWakeup(lambda: QTimer.singleShot(0, labtunnel.quit), parent=labtunnel)
    labtunnel.start(open_file=lab_profile)
    log.info("LabTunnel tray started")
    code = app.exec()
    labtunnel.shutdown()
    if not labtunnel.wait_closed(10.0):  # the GUI is gone: nothing waits for this
        log.warning("some connections were still closing when LabTunnel ended")
    errors.uninstall()
    signals.close()
    instance.close()
    app.removeEventFilter(opened)
    translators.remove()
    return code


class _SignalWakeup(QObject):
    """SIGTERM/SIGINT quit cleanly, without a polling timer (an idle app must sleep).

    Python runs a signal handler only when the interpreter gets control, and while Qt's
    loop waits in C it does not. :func:`signal.set_wakeup_fd` makes the C-level handler
    write a byte into a socket pair; a QSocketNotifier wakes the loop, and the handler
    runs as soon as the notifier's slot enters Python."""

    def __init__(self, on_signal: Callable[[], None], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._read, self._write = socket.socketpair()
        for end in (self._read, self._write):
            end.setblocking(False)
        self._previous_fd = signal.set_wakeup_fd(self._write.fileno(), warn_on_full_buffer=False)
        self._notifier = QSocketNotifier(self._read.fileno(), QSocketNotifier.Type.Read, self)
        self._notifier.activated.connect(self._drain)
        self._previous_handlers = {
            signum: signal.signal(signum, lambda _signum, _frame: on_signal())
            for signum in (signal.SIGTERM, signal.SIGINT)
        }

    def _drain(self) -> None:
        with contextlib.suppress(OSError):
            self._read.recv(512)

    def close(self) -> None:
        self._notifier.setEnabled(False)
        signal.set_wakeup_fd(self._previous_fd)
        for signum, handler in self._previous_handlers.items():
            if handler is not None:  # None: installed outside Python, cannot be restored
                signal.signal(signum, handler)
        self._read.close()
        self._write.close()

"""``labtunnel`` with no arguments: the tray app."""

from __future__ import annotations

import logging
import signal
import sys
from collections.abc import Sequence

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from labtunnel import APP_NAME
from labtunnel.core.auth import Prompter
from labtunnel.core.context import AppContext
from labtunnel.core.events import Listener
from labtunnel.core.logs import setup_logging
from labtunnel.core.tunnels import TunnelManager
from labtunnel.ui.app import LabTunnelApp
from labtunnel.ui.i18n import install_translators
from labtunnel.ui.icons import app_icon
from labtunnel.ui.single_instance import SingleInstance, server_name

log = logging.getLogger(__name__)


def _qt_argv(argv: Sequence[str] | None) -> list[str]:
    """Accepts sys.argv (program first) or just the arguments."""
    args = list(sys.argv if argv is None else argv)
    if not args or args[0].startswith("-"):
        args.insert(0, "labtunnel")
    return args


def _logging_ready() -> bool:
    return any(getattr(h, "_labtunnel", False) for h in logging.getLogger().handlers)


def run(argv: Sequence[str] | None = None) -> int:
    """Start the tray app; returns the exit code (0 also when another instance took over)."""
    QApplication.setApplicationName(APP_NAME)
    QApplication.setDesktopFileName("labtunnel")
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(_qt_argv(argv))
    app.setQuitOnLastWindowClosed(False)
    app.setWindowIcon(app_icon())
    context = AppContext.create()
    if not _logging_ready():
        setup_logging(context.paths.log_dir)
    instance = SingleInstance(server_name(context.paths.config_dir))
    if not instance.claim():
        log.info("LabTunnel is already running: asked it to show itself")
        return 0
    install_translators(app)

    def make_manager(listener: Listener, prompter: Prompter) -> TunnelManager:
        return TunnelManager(context.tunnel_deps(prompter), listener)

    labtunnel = LabTunnelApp(
        store=context.store,
        secrets=context.secrets,
        hostkeys=context.hostkeys,
        log_dir=context.paths.log_dir,
        manager_factory=make_manager,
    )
    instance.message_received.connect(labtunnel.handle_message)
    app.aboutToQuit.connect(labtunnel.shutdown)
    _quit_on_signals(labtunnel)
    labtunnel.start()
    log.info("LabTunnel tray started")
    code = app.exec()
    labtunnel.shutdown()
    instance.close()
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

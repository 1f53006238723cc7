"""Unexpected exceptions, wherever they happen: in a Qt slot (PySide6 hands them to
``sys.excepthook``) or in a thread (``threading.excepthook``).

Each one is written to the normal log with its traceback, through the same redacting
filter as every other line, and the person sees one small window, "Something went wrong",
with a button that opens the log. Without this, the traceback went to stderr, which is
None in the windowed Windows app: nobody ever saw it.

Never a loop: an exception while reporting is dropped, and while the window is open
further exceptions are only logged (the window is raised again). Ctrl+C and SystemExit
keep Python's usual handling.
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Callable
from types import TracebackType

import shiboken6
from PySide6.QtCore import QCoreApplication, QObject, Qt, Signal
from PySide6.QtWidgets import QMessageBox, QPushButton

from labtunnel.ui.dialogs.common import bring_to_front, prepare_window

log = logging.getLogger(__name__)
translate = QCoreApplication.translate

SysHook = Callable[[type[BaseException], BaseException, TracebackType | None], object]
ThreadHook = Callable[[threading.ExceptHookArgs], object]


class ErrorReporter(QObject):
    #: a report was logged; the window follows on the GUI thread
    reported = Signal()
    #: the window (for tests)
    shown = Signal(QMessageBox)

    def __init__(self, show_log: Callable[[], object], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._show_log = show_log
        self._box: QMessageBox | None = None
        self._reporting = threading.local()
        self._previous_sys: SysHook | None = None
        self._previous_thread: ThreadHook | None = None
        self._window_failed = False
        self.count = 0
        self.reported.connect(self._show, Qt.ConnectionType.QueuedConnection)

    def install(self) -> None:
        self._previous_sys = sys.excepthook
        self._previous_thread = threading.excepthook
        sys.excepthook = self._sys_hook
        threading.excepthook = self._thread_hook

    def uninstall(self) -> None:
        if self._previous_sys is not None and sys.excepthook == self._sys_hook:
            sys.excepthook = self._previous_sys
        if self._previous_thread is not None and threading.excepthook == self._thread_hook:
            threading.excepthook = self._previous_thread

    def _sys_hook(
        self, kind: type[BaseException], error: BaseException, trace: TracebackType | None
    ) -> None:
        if issubclass(kind, (KeyboardInterrupt, SystemExit)):
            (self._previous_sys or sys.__excepthook__)(kind, error, trace)
            return
        self.report(kind, error, trace, "the app")

    def _thread_hook(self, args: threading.ExceptHookArgs) -> None:
        if args.exc_value is None or issubclass(args.exc_type, SystemExit):
            return
        name = args.thread.name if args.thread is not None else "a thread"
        self.report(args.exc_type, args.exc_value, args.exc_traceback, f"thread {name}")

    def report(
        self,
        kind: type[BaseException],
        error: BaseException,
        trace: TracebackType | None,
        where: str,
    ) -> None:
        if getattr(self._reporting, "active", False):
            return  # an exception while reporting one: never a loop
        self._reporting.active = True
        try:
            self.count += 1
            log.error("unexpected error in %s", where, exc_info=(kind, error, trace))
            if shiboken6.isValid(self):
                self.reported.emit()
        except Exception:  # noqa: S110 - reporting must never raise in its turn
            pass
        finally:
            self._reporting.active = False

    def _show(self) -> None:
        if self._window_failed:
            return
        try:
            self._open_window()
        except Exception:
            # the window itself is broken: log it once, and from now on only log
            self._window_failed = True
            log.exception("could not show the error window")

    def _open_window(self) -> None:
        box = self._box
        if box is not None and shiboken6.isValid(box) and box.isVisible():
            bring_to_front(box)
            return
        title = "LabTunnel"
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            title,
            translate(
                "ErrorReporter",
                "Something went wrong inside LabTunnel. It keeps running, and your "
                "connections stay open. The log has the details for whoever helps you.",
            ),
        )
        prepare_window(box, title)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.show_log_button: QPushButton = box.addButton(
            translate("ErrorReporter", "Show log"), QMessageBox.ButtonRole.ActionRole
        )
        box.addButton(QMessageBox.StandardButton.Close)
        box.buttonClicked.connect(
            lambda button: self._show_log() if button is self.show_log_button else None
        )
        self._box = box
        bring_to_front(box)
        self.shown.emit(box)

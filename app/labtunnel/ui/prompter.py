"""core's Prompter for the GUI: asks on the GUI thread, waits on the worker thread.

``ask`` is called by a core worker. It hands a request to the GUI thread through
a queued signal and waits on a threading.Event, with a timeout, for the answer.
Widgets are created, read and closed only on the GUI thread.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QDialog

from labtunnel.core.ssh.cancel import CancelToken
from labtunnel.ui.dialogs.common import bring_to_front
from labtunnel.ui.dialogs.otp import OneTimeCodeDialog

DEFAULT_TIMEOUT_S = 180.0


@dataclass
class PromptRequest:
    host: str
    title: str
    instructions: str
    prompts: Sequence[tuple[str, bool]]
    done: threading.Event = field(default_factory=threading.Event)
    answers: list[str] | None = None


DialogFactory = Callable[[PromptRequest], OneTimeCodeDialog]


def _default_dialog(request: PromptRequest) -> OneTimeCodeDialog:
    return OneTimeCodeDialog(request.host, request.title, request.instructions, request.prompts)


class QtPrompter(QObject):
    _asked = Signal(object)
    _withdrawn = Signal(object)
    #: a dialog was shown (for tests and the screenshot script)
    dialog_shown = Signal(object)

    def __init__(
        self,
        timeout: float = DEFAULT_TIMEOUT_S,
        dialog_factory: DialogFactory = _default_dialog,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._timeout = timeout
        self._dialog_factory = dialog_factory
        self._gui_thread = threading.get_ident()
        self._lock = threading.Lock()
        self._pending: list[PromptRequest] = []
        self._dialogs: dict[int, OneTimeCodeDialog] = {}
        self._closed = False
        self._asked.connect(self._show, Qt.ConnectionType.QueuedConnection)
        self._withdrawn.connect(self._close_dialog, Qt.ConnectionType.QueuedConnection)

    @property
    def open_dialogs(self) -> int:
        return len(self._dialogs)

    def ask(
        self,
        host: str,
        title: str,
        instructions: str,
        prompts: Sequence[tuple[str, bool]],
        cancel: CancelToken | None = None,
    ) -> Sequence[str] | None:
        """Shows the dialog and waits for it; a ``cancel`` (the connect was stopped)
        closes it and returns None at once."""
        if threading.get_ident() == self._gui_thread:
            raise RuntimeError("QtPrompter.ask must be called from a worker thread")
        request = PromptRequest(host, title, instructions, list(prompts))
        with self._lock:
            if self._closed:
                return None
            self._pending.append(request)
        forget = cancel.on_cancel(request.done.set) if cancel is not None else None
        self._asked.emit(request)
        answered = request.done.wait(self._timeout)
        if forget is not None:
            forget()
        with self._lock:
            if request in self._pending:
                self._pending.remove(request)
        if not answered or (cancel is not None and cancel.cancelled):
            request.answers = None
            self._withdrawn.emit(request)
            return None
        return request.answers

    def cancel_all(self) -> None:
        """Quitting: every waiting worker gets "cancelled" and no new prompt is shown."""
        with self._lock:
            self._closed = True
            pending, self._pending = self._pending, []
        for request in pending:
            request.done.set()
        if threading.get_ident() == self._gui_thread:
            for dialog in list(self._dialogs.values()):
                dialog.reject()

    def _show(self, request: PromptRequest) -> None:
        if request.done.is_set():
            return
        dialog = self._dialog_factory(request)
        self._dialogs[id(request)] = dialog

        def finished(result: int) -> None:
            if result == QDialog.DialogCode.Accepted:
                request.answers = dialog.answers()
            request.done.set()
            self._dialogs.pop(id(request), None)
            dialog.deleteLater()

        dialog.finished.connect(finished)
        bring_to_front(dialog)
        self.dialog_shown.emit(dialog)

    def _close_dialog(self, request: PromptRequest) -> None:
        dialog = self._dialogs.get(id(request))
        if dialog is not None:
            dialog.reject()

"""The update check off the GUI thread, and what its answers say to a person.

:class:`UpdateChecker` runs core's blocking check on a worker thread and hands the
result (an UpdateStatus or an UpdateCheckFailed) back through a queued signal.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

import shiboken6
from PySide6.QtCore import QObject, Qt, Signal

from labtunnel.core.updates import UpdateCheckFailed, UpdateStatus, check_for_update
from labtunnel.messages.updates import describe_update
from labtunnel.ui.texts import message_text

log = logging.getLogger(__name__)

CheckFunction = Callable[[], UpdateStatus]


class UpdateChecker(QObject):
    #: UpdateStatus, or UpdateCheckFailed; on the GUI thread
    finished = Signal(object)
    _done = Signal(object)

    def __init__(self, check: CheckFunction = check_for_update, parent: QObject | None = None):
        super().__init__(parent)
        self._check = check
        self._running = False
        self._done.connect(self._deliver, Qt.ConnectionType.QueuedConnection)

    @property
    def running(self) -> bool:
        return self._running

    def start(self) -> bool:
        """False when a check is already under way (its answer will come)."""
        if self._running:
            return False
        self._running = True
        threading.Thread(target=self._work, name="update-check", daemon=True).start()
        return True

    def _work(self) -> None:
        result: UpdateStatus | UpdateCheckFailed
        try:
            result = self._check()
        except UpdateCheckFailed as exc:
            result = exc
        log.info("update check: %s", _log_line(result))
        if shiboken6.isValid(self):
            self._done.emit(result)

    def _deliver(self, result: object) -> None:
        self._running = False
        self.finished.emit(result)


def _log_line(result: UpdateStatus | UpdateCheckFailed) -> str:
    if isinstance(result, UpdateCheckFailed):
        return f"failed ({result})"
    newer = "newer" if result.newer_available else "not newer"
    return f"latest {result.latest.version}, running {result.current} ({newer})"


def result_text(result: UpdateStatus | UpdateCheckFailed) -> str:
    return message_text(describe_update(result))

"""The update check off the GUI thread, and what its answers say to a person.

:class:`UpdateChecker` runs core's blocking check on a worker thread and hands the
result (an UpdateStatus or an UpdateCheckFailed) back through a queued signal.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

import shiboken6
from PySide6.QtCore import QCoreApplication, QObject, Qt, Signal

from labtunnel.core.updates import CheckProblem, UpdateCheckFailed, UpdateStatus, check_for_update

log = logging.getLogger(__name__)
translate = QCoreApplication.translate

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


def result_text(result: object) -> str:
    if isinstance(result, UpdateStatus):
        if result.newer_available:
            return translate(
                "Updates", "LabTunnel {version} is available (you have {current})."
            ).format(version=result.latest.version, current=result.current)
        return translate("Updates", "You have the latest version, LabTunnel {current}.").format(
            current=result.current
        )
    problem = result.problem if isinstance(result, UpdateCheckFailed) else None
    if problem is CheckProblem.OFFLINE:
        return translate(
            "Updates",
            "Could not check for a newer version: this computer seems to be offline, or "
            "GitHub cannot be reached. Try again later.",
        )
    if problem is CheckProblem.NO_RELEASE:
        return translate("Updates", "No release of LabTunnel has been published yet.")
    if problem is CheckProblem.REFUSED:
        return translate(
            "Updates", "GitHub did not answer the check ({detail}). Try again later."
        ).format(detail=result.detail if isinstance(result, UpdateCheckFailed) else "")
    return translate("Updates", "GitHub’s answer was not understood. Try again later.")

"""Some Linux desktops have no tray, or get one a moment after login: wait a little
(with a timer, never a sleep) before falling back to a window."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QElapsedTimer, QObject, QTimer, Signal
from PySide6.QtWidgets import QSystemTrayIcon

DEFAULT_WAIT_MS = 5000
POLL_MS = 250


class TrayWaiter(QObject):
    #: True: a tray is there; False: gave up waiting
    decided = Signal(bool)

    def __init__(
        self,
        is_available: Callable[[], bool] = QSystemTrayIcon.isSystemTrayAvailable,
        wait_ms: int = DEFAULT_WAIT_MS,
        poll_ms: int = POLL_MS,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._is_available = is_available
        self._wait_ms = wait_ms
        self._elapsed = QElapsedTimer()
        self._timer = QTimer(self)
        self._timer.setInterval(poll_ms)
        self._timer.timeout.connect(self._poll)
        self.result: bool | None = None

    def start(self) -> None:
        """Decides at once when a tray is there, else polls until ``wait_ms`` passed."""
        self._elapsed.start()
        if self._is_available():
            self._decide(True)
        else:
            self._timer.start()

    def _poll(self) -> None:
        if self._is_available():
            self._decide(True)
        elif self._elapsed.elapsed() >= self._wait_ms:
            self._decide(False)

    def _decide(self, available: bool) -> None:
        self._timer.stop()
        self.result = available
        self.decided.emit(available)

"""Core events -> a Qt signal delivered on the GUI thread.

The core calls :meth:`EventBridge.listener` on its worker threads. The method
only emits; receivers connect with a queued connection, so slots always run in
the GUI thread and worker threads never touch a widget.
"""

from __future__ import annotations

import threading

from PySide6.QtCore import QObject, Signal


class EventBridge(QObject):
    event_received = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._closed = threading.Event()

    def listener(self, event: object) -> None:
        """Thread-safe; events after :meth:`close` are dropped (the app is quitting)."""
        if self._closed.is_set():
            return
        try:
            self.event_received.emit(event)
        except RuntimeError:
            # the C++ object is gone: a late event from a thread that outlived the window
            self._closed.set()

    def close(self) -> None:
        self._closed.set()

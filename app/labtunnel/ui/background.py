"""Blocking work off the GUI thread, its result back on it.

The keyring may block for as long as an unlock prompt stays open (a locked Secret
Service, a macOS keychain asking for the login password): the GUI must not wait for it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QObject, Signal

log = logging.getLogger(__name__)

T = TypeVar("T")


class Outcome(Generic[T]):
    """What a piece of background work gave: its value, or the exception it raised."""

    def __init__(self, value: T | None = None, error: Exception | None = None) -> None:
        self.value = value
        self.error = error


class Background(QObject):
    """Runs a callable in a worker thread and calls ``on_done(Outcome)`` on the thread
    this object lives in (the GUI thread), through a queued signal."""

    _finished = Signal(object, object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._finished.connect(self._deliver)
        self._threads: list[threading.Thread] = []

    def run(self, work: Callable[[], T], on_done: Callable[[Outcome[T]], None]) -> None:
        def target() -> None:
            try:
                outcome: Outcome[Any] = Outcome(work())
            except Exception as exc:  # delivered to on_done, which shows it
                outcome = Outcome(error=exc)
            self._finished.emit(on_done, outcome)

        thread = threading.Thread(target=target, name="ui-background", daemon=True)
        self._threads = [t for t in self._threads if t.is_alive()]
        self._threads.append(thread)
        thread.start()

    def wait(self, timeout: float = 5.0) -> bool:
        """Join the threads still running (tests, shutdown); True when none is left."""
        for thread in list(self._threads):
            thread.join(timeout)
        return not any(t.is_alive() for t in self._threads)

    def _deliver(self, on_done: Callable[[Outcome[Any]], None], outcome: Outcome[Any]) -> None:
        try:
            on_done(outcome)
        except Exception:
            log.exception("handling the result of background work failed")

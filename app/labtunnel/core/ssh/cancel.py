"""Stopping an SSH connect that is still under way, from another thread, at once.

A connect can wait a long time on the network or on a person: a blackholed server (the
TCP connect), a server that never sends its banner (the handshake), a login, a one-time
code nobody types. Whoever opens sessions passes a CancelToken; whatever is waiting
registers how to stop itself (close the socket, withdraw the question) and is stopped
the moment :meth:`CancelToken.cancel` is called.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)


class CancelToken:
    """One-shot: once cancelled, it stays cancelled (a stopped tunnel does not restart)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._event = threading.Event()
        self._callbacks: dict[int, Callable[[], None]] = {}
        self._next = 0

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def cancel(self) -> None:
        with self._lock:
            if self._event.is_set():
                return
            self._event.set()
            callbacks, self._callbacks = list(self._callbacks.values()), {}
        for callback in callbacks:
            _run(callback)

    def on_cancel(self, callback: Callable[[], None]) -> Callable[[], None]:
        """Call ``callback`` when cancelled (at once if already); returns the function
        that takes it back once the wait is over."""
        with self._lock:
            if not self._event.is_set():
                key = self._next
                self._next += 1
                self._callbacks[key] = callback

                def forget() -> None:
                    with self._lock:
                        self._callbacks.pop(key, None)

                return forget
        _run(callback)
        return lambda: None

    def wait(self, timeout: float | None = None) -> bool:
        return self._event.wait(timeout)


def _run(callback: Callable[[], None]) -> None:
    try:
        callback()
    except Exception:
        log.exception("stopping a connect in progress failed")

"""Counted keepalives: a session whose server stops answering is declared dead.

paramiko's ``set_keepalive`` never looks at replies, so a dead link goes unnoticed.
Here a prober asks the server for a reply every ``interval`` seconds and a
watchdog declares the session dead when no reply came for ``interval * count_max``
seconds (OpenSSH's ServerAliveInterval / ServerAliveCountMax). When the watchdog
itself wakes late (the process was suspended, the laptop slept), the silence is
not held against the server: it gets a short grace to answer a fresh probe.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import paramiko

KEEPALIVE_REQUEST = "keepalive@openssh.com"
#: seconds between the watchdog's looks; also bounds how late a dead session is noticed
WATCHDOG_TICK = 1.0
RESUME_GRACE = 5.0


class Keepalive:
    def __init__(
        self,
        transport: paramiko.Transport,
        interval: float,
        count_max: int,
        on_dead: Callable[[str], None],
        name: str = "keepalive",
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._transport = transport
        self._interval = interval
        self._limit = interval * count_max
        self._on_dead = on_dead
        self._clock = clock
        self._stop = threading.Event()
        self._last_reply = clock()
        self._resumed = False
        self._threads = [
            threading.Thread(target=self._probe_loop, name=f"{name}-probe", daemon=True),
            threading.Thread(target=self._watch_loop, name=f"{name}-watch", daemon=True),
        ]

    def start(self) -> None:
        for thread in self._threads:
            thread.start()

    def stop(self) -> None:
        self._stop.set()

    def join(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        for thread in self._threads:
            if thread.is_alive() and thread is not threading.current_thread():
                thread.join(max(0.0, deadline - time.monotonic()))

    def notify_resumed(self) -> None:
        """The system woke up: ask for a reply now instead of waiting for the next probe."""
        self._resumed = True

    @property
    def seconds_since_reply(self) -> float:
        return self._clock() - self._last_reply

    def _probe_loop(self) -> None:
        while not self._stop.is_set() and self._transport.is_active():
            try:
                # blocks until the server answers (success or failure both prove it is alive)
                # or the transport closes; the watchdog closes it when the answer is late
                self._transport.global_request(KEEPALIVE_REQUEST, wait=True)
            except (paramiko.SSHException, EOFError, OSError):
                return
            if not self._transport.is_active():
                return
            self._last_reply = self._clock()
            self._stop.wait(self._interval)

    def _watch_loop(self) -> None:
        last_tick = self._clock()
        while not self._stop.wait(WATCHDOG_TICK):
            now = self._clock()
            woke_late = now - last_tick > 3 * WATCHDOG_TICK
            last_tick = now
            if woke_late or self._resumed:
                self._resumed = False
                # give the server RESUME_GRACE seconds from now to answer
                self._last_reply = max(self._last_reply, now - self._limit + RESUME_GRACE)
            if not self._transport.is_active():
                self._declare_dead("closed")
                return
            if now - self._last_reply > self._limit:
                self._declare_dead("no_reply")
                return

    def _declare_dead(self, reason: str) -> None:
        self._stop.set()
        self._on_dead(reason)

"""Counted keepalives: a session whose server stops answering is declared dead.

paramiko's ``set_keepalive`` never looks at replies, so a dead link goes unnoticed.
Here a prober asks the server for a reply every ``interval`` seconds (and notices
at once when the transport closes) and a watchdog declares the session dead when
no reply came for ``interval * count_max`` seconds (OpenSSH's ServerAliveInterval /
ServerAliveCountMax). The watchdog sleeps until that deadline, not in ticks. When
it wakes late (the process was suspended, the laptop slept), the silence is not
held against the server: it gets a short grace to answer a fresh probe.

An idle connected app pays for every probe in wake-ups (issue 13), so a probe costs as
few as it can: the prober sends it and goes back to sleep at once, and the reply is
noted where it arrives, on paramiko's transport thread, which has to wake for it
anyway (a handler of its per-instance ``_handler_table``; the watchdog reads the time).
One probe is then two wake-ups: the prober's timer and the transport thread's read.
(Waiting for the reply in ``global_request`` woke the prober a second time, and paramiko
polls that wait every 0.1 s.) Where paramiko lacks those internals, the prober waits
for each reply as before.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable

import paramiko
from paramiko.common import MSG_REQUEST_FAILURE, MSG_REQUEST_SUCCESS, cMSG_GLOBAL_REQUEST

KEEPALIVE_REQUEST = "keepalive@openssh.com"
#: the watchdog looks this long after a reply would have been too late
WATCHDOG_SLACK = 0.2
#: a watchdog waking this much later than it asked was not running (suspended)
LATE_WAKE = 3.0
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
        # both threads sleep until they have something to do (an idle app must not
        # wake up every second); this wakes the prober early
        self._probe_now = threading.Event()
        self._declared = False
        self._declare_lock = threading.Lock()
        self._last_reply = clock()
        self._resumed = False
        #: replies are noted as they arrive (see the module's docstring)
        self._noted = _note_replies(transport, self._replied)
        self._threads = [
            threading.Thread(target=self._probe_loop, name=f"{name}-probe", daemon=True),
            threading.Thread(target=self._watch_loop, name=f"{name}-watch", daemon=True),
        ]

    def start(self) -> None:
        for thread in self._threads:
            thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._probe_now.set()

    def join(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        for thread in self._threads:
            if thread.is_alive() and thread is not threading.current_thread():
                thread.join(max(0.0, deadline - time.monotonic()))

    def notify_resumed(self) -> None:
        """The system woke up or the network changed: ask for a reply now."""
        self._resumed = True
        self._probe_now.set()

    def _replied(self) -> None:
        """A reply to a probe arrived (success or failure: both prove the server is there)."""
        self._last_reply = self._clock()

    def _probe_loop(self) -> None:
        while not self._stop.is_set():
            with contextlib.suppress(paramiko.SSHException, EOFError, OSError):
                if self._noted:
                    self._send_probe()
                else:
                    # blocks until the server answers or the transport closes (the
                    # watchdog closes it when the answer is late)
                    self._transport.global_request(KEEPALIVE_REQUEST, wait=True)
                    self._replied()
            if self._stop.is_set():
                return
            if not self._transport.is_active():
                self._declare_dead("closed")
                return
            self._probe_now.wait(self._interval)
            self._probe_now.clear()

    def _send_probe(self) -> None:
        """A global request that wants a reply, sent without waiting for it (paramiko's
        ``global_request(wait=False)`` would ask for no reply)."""
        message = paramiko.Message()
        message.add_byte(cMSG_GLOBAL_REQUEST)
        message.add_string(KEEPALIVE_REQUEST)
        message.add_boolean(True)
        self._transport._send_user_message(message)  # type: ignore[attr-defined]

    def _watch_loop(self) -> None:
        while True:
            before = self._clock()
            sleep = max(0.0, self._last_reply + self._limit - before) + WATCHDOG_SLACK
            # paramiko's transport is a thread that ends when the connection does:
            # joining it sleeps until the deadline but notices a closed session at once
            self._transport.join(sleep)
            if self._stop.is_set():
                return
            if not self._transport.is_active():
                self._declare_dead("closed")
                return
            now = self._clock()
            if now - before > sleep + LATE_WAKE or self._resumed:
                # suspended (SIGSTOP, a debugger) or told the system woke: the silence
                # is not the server's fault; give it RESUME_GRACE seconds from now
                self._resumed = False
                self._last_reply = max(self._last_reply, now - self._limit + RESUME_GRACE)
            if now - self._last_reply > self._limit:
                self._declare_dead("no_reply")
                return

    def _declare_dead(self, reason: str) -> None:
        with self._declare_lock:
            if self._declared:
                return
            self._declared = True
        self.stop()
        self._on_dead(reason)


def _note_replies(transport: paramiko.Transport, replied: Callable[[], None]) -> bool:
    """Call ``replied`` on the transport thread for every reply to a global request,
    before paramiko's own handling; False when this paramiko has no such hook."""
    handlers = getattr(transport, "_handler_table", None)
    if not (
        isinstance(handlers, dict) and callable(getattr(transport, "_send_user_message", None))
    ):
        return False
    kinds = (MSG_REQUEST_SUCCESS, MSG_REQUEST_FAILURE)
    if not all(callable(handlers.get(kind)) for kind in kinds):
        return False
    for kind in kinds:
        handlers[kind] = _noting(handlers[kind], replied)
    return True


def _noting(
    handler: Callable[[paramiko.Message], None], replied: Callable[[], None]
) -> Callable[[paramiko.Message], None]:
    def note_then_handle(message: paramiko.Message) -> None:
        replied()
        handler(message)

    return note_then_handle

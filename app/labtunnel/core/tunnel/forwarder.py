"""One local port forward: 127.0.0.1 (and ::1) only, port 0 picks, clean close.

The same design on every platform (figures: docs/benchmarks.md). Threads (all named,
all joined by :meth:`LocalForwarder.wait_closed`):

``{name}-pump``
    A selector loop: accepts connections, reads every client socket and sends to the
    channel (without ever waiting for the window: it parks the data until the peer
    opens it), writes data that a slow client did not take at once. Python threads
    share one interpreter lock, so one loop that serves many ready sockets per wake-up
    costs far less than a thread per connection and direction. Where ``select()`` takes
    only so many sockets (Windows: 512), connections past
    :data:`~labtunnel.core.ssh.fast.primitives.SOCKETS_PER_LOOP` go to another loop,
    ``{name}-pump-2`` and so on.
``{name}-open-{n}``
    Open channels (``open_channel`` blocks for a round trip, or longer) for the
    connections waiting for one, at most ``limits.max_opening`` at once; each thread
    ends when no connection is left waiting.
paramiko's transport thread
    Writes incoming channel data straight into the client socket
    (:class:`labtunnel.core.ssh.fast.packetizer.DirectPipe`).

At most ``limits.max_connections`` client connections are served at once: any local
program can connect to the port, and each connection costs a channel on the server and
descriptors here. One more is accepted and closed at once (its client sees the
connection end) and logged, at most once per :data:`REFUSAL_LOG_INTERVAL`.

Channels that are not plain paramiko channels of a known paramiko (test fakes, a
future paramiko whose internals changed: the stock-paramiko fallback) are served the
simple way instead: ``{name}-conn-{n}-up`` copies client -> remote and
``{name}-conn-{n}-down`` remote -> client.
"""

from __future__ import annotations

import collections
import contextlib
import errno
import logging
import selectors
import socket
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from types import TracebackType

import paramiko

from labtunnel.core.errors import LocalPortDenied, LocalPortInUse
from labtunnel.core.profiles.model import DEFAULT_MAX_CHANNEL_OPENS, DEFAULT_MAX_CONNECTIONS
from labtunnel.core.ssh.fast import primitives
from labtunnel.core.ssh.fast.packetizer import (
    DirectPipe,
    PipeEvent,
    attach_pipe,
    can_attach,
    send_channel_data,
)
from labtunnel.core.ssh.fast.tuning import CHANNEL_READ_SIZE, LISTEN_BACKLOG, READ_SIZE

log = logging.getLogger(__name__)

ChannelOpener = Callable[[tuple[str, int], tuple[str, int]], paramiko.Channel]

_LOOPBACK4 = "127.0.0.1"
_LOOPBACK6 = "::1"
_CHANNEL_ERRORS = (OSError, EOFError, paramiko.SSHException)
_ACCEPT_PAUSE = 0.1  # after EMFILE & co, before accepting again

#: seconds between two log lines about refused connections
REFUSAL_LOG_INTERVAL = 10.0


@dataclass(frozen=True)
class ForwardLimits:
    """How much one forward takes on at once."""

    max_connections: int = DEFAULT_MAX_CONNECTIONS
    max_opening: int = DEFAULT_MAX_CHANNEL_OPENS

    def __post_init__(self) -> None:
        if self.max_connections < 1 or self.max_opening < 1:
            raise ValueError("forward limits must be at least 1")


@dataclass(frozen=True)
class ForwardStats:
    connections_total: int
    connections_active: int
    bytes_to_remote: int
    bytes_from_remote: int
    open_failures: int
    refused: int = 0


class ConnState(str, Enum):
    """Where one client connection is: WAITING -> OPENING -> ATTACHED (handed to a loop)
    -> OPEN -> DONE, or OPENING -> THREADS (served the simple way) -> DONE."""

    WAITING = "waiting"  # for a thread to open its channel
    OPENING = "opening"
    ATTACHED = "attached"
    THREADS = "threads"
    OPEN = "open"
    DONE = "done"


class LoopEvent(str, Enum):
    """What the forwarder itself tells a loop (its pipes tell it a :class:`PipeEvent`)."""

    OPENED = "opened"  # the channel is attached: the loop owns the connection
    FAILED = "failed"  # no channel is coming: close the client
    WINDOW = "window"  # the peer opened the window: send what is pending
    WAKE = "wake"  # only wake up: to close, or to see an event queued under the lock


class _Registered(Enum):
    """What a loop's selector has registered besides connections."""

    WAKE_SOCKET = "wake socket"
    LISTENER = "listener"


def _log_error(error: Exception) -> None:
    log.warning("forwarding a connection failed: %s", error)


class _Conn:
    """One client connection. ``state`` and the socket belong to its loop once the
    connection is OPEN; before that, to the thread opening its channel."""

    def __init__(self, number: int, sock: socket.socket, origin: tuple[str, int]) -> None:
        self.number = number
        self.sock = sock
        self.origin = origin
        self.state = ConnState.WAITING
        self.loop: _Loop | None = None
        self.channel: paramiko.Channel | None = None
        self.pipe: DirectPipe | None = None
        self.pending = b""  # read from the client, waiting for send window
        self.client_eof = False  # the client shut its write side
        self.eof_sent = False  # ... and we passed that on
        self.interest = 0  # selector events registered for the socket
        self.to_remote = 0
        self.threads_from_remote = 0

    @property
    def from_remote(self) -> int:
        pipe = self.pipe
        return pipe.total if pipe is not None else self.threads_from_remote

    def abort_threads_mode(self) -> None:
        """Wake both threads of a thread-served connection; they close the socket."""
        with contextlib.suppress(OSError):
            self.sock.shutdown(socket.SHUT_RDWR)
        if self.channel is not None:
            with contextlib.suppress(Exception):
                self.channel.close()


class _Loop:
    """One selector, its wake-up socket pair, its event queue and its thread."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.sel = selectors.DefaultSelector()
        self.wake_r, self.wake_w = socket.socketpair()
        self.wake_r.setblocking(False)
        self.wake_w.setblocking(False)
        self.sel.register(self.wake_r, selectors.EVENT_READ, _Registered.WAKE_SOCKET)
        self.wake_sent = False
        self.events: collections.deque[tuple[PipeEvent | LoopEvent, _Conn | None]] = (
            collections.deque()
        )
        self.conns = 0  # connections this loop serves (for the per-loop cap)
        self.thread: threading.Thread | None = None

    def wake(self, kind: PipeEvent | LoopEvent, conn: _Conn | None) -> None:
        """Queue an event for the loop (any thread; called under paramiko's locks)."""
        self.events.append((kind, conn))
        if not self.wake_sent:
            self.wake_sent = True
            with contextlib.suppress(OSError):  # full (it is awake anyway) or closed
                self.wake_w.send(b"\0")

    def drain_wake(self) -> None:
        with contextlib.suppress(OSError):
            self.wake_r.recv(4096)
        # only now: a producer that still saw True queued its event before this,
        # and the loop runs the events right after
        self.wake_sent = False

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.sel.close()
        self.wake_r.close()
        self.wake_w.close()


class LocalForwarder:
    def __init__(
        self,
        open_channel: ChannelOpener,
        destination: tuple[str, int],
        *,
        local_port: int = 0,
        also_ipv6: bool = True,
        name: str = "forward",
        on_error: Callable[[Exception], None] | None = None,
        limits: ForwardLimits | None = None,
    ) -> None:
        self._open_channel = open_channel
        self._destination = destination
        self._requested_port = local_port
        self._also_ipv6 = also_ipv6
        self._name = name
        self._on_error = on_error or _log_error
        self._limits = limits or ForwardLimits()

        self._lock = threading.Lock()
        self._listeners: list[socket.socket] = []
        self._loops: list[_Loop] = []
        self._conns: dict[int, _Conn] = {}
        self._waiting: collections.deque[_Conn] = collections.deque()
        self._openers = 0  # threads opening channels right now
        self._threads: list[threading.Thread] = []
        self._closing = False
        self._started = False
        self._port = 0
        self._count = 0
        self._opener_count = 0
        self._done_to_remote = 0
        self._done_from_remote = 0
        self._open_failures = 0
        self._refused = 0
        self._refused_logged = 0  # self._refused when the last refusal was logged
        self._refusal_logged_at = -1e9

    # --- public API ----------------------------------------------------------------

    @property
    def port(self) -> int:
        return self._port

    @property
    def url_host(self) -> str:
        return _LOOPBACK4

    @property
    def limits(self) -> ForwardLimits:
        return self._limits

    def start(self) -> None:
        with self._lock:
            if self._started:
                raise RuntimeError("forwarder already started")
            self._started = True
        loop: _Loop | None = None
        try:
            v4 = self._listen(socket.AF_INET, _LOOPBACK4, self._requested_port)
            self._listeners.append(v4)
            self._port = int(v4.getsockname()[1])
            if self._also_ipv6 and socket.has_ipv6:
                # best effort: no IPv6 here, or another program already on [::1]:port
                with contextlib.suppress(OSError, LocalPortInUse, LocalPortDenied):
                    self._listeners.append(self._listen(socket.AF_INET6, _LOOPBACK6, self._port))
            loop = _Loop(f"{self._name}-pump")
            for listener in self._listeners:
                loop.sel.register(listener, selectors.EVENT_READ, _Registered.LISTENER)
        except BaseException:
            self._close_listeners()
            if loop is not None:
                loop.close()
            raise
        self._start_loop(loop)

    def stats(self) -> ForwardStats:
        with self._lock:
            live = list(self._conns.values())
            return ForwardStats(
                connections_total=self._count,
                connections_active=len(live),
                bytes_to_remote=self._done_to_remote + sum(c.to_remote for c in live),
                bytes_from_remote=self._done_from_remote + sum(c.from_remote for c in live),
                open_failures=self._open_failures,
                refused=self._refused,
            )

    def close(self) -> None:
        with self._lock:
            if self._closing:
                return
            self._closing = True
            live = list(self._conns.values())
            loops = list(self._loops)
        for loop in loops:
            loop.wake(LoopEvent.WAKE, None)  # it sees _closing
        # The client sees its connection end now, even if a channel is still
        # being opened for it or a loop is stuck in a write to a dead server.
        for conn in live:
            if conn.state is ConnState.THREADS:
                conn.abort_threads_mode()
            else:
                with contextlib.suppress(OSError):
                    conn.sock.shutdown(socket.SHUT_RDWR)
        me = threading.current_thread()
        for loop in loops:
            if loop.thread is not None and loop.thread is not me and loop.thread.is_alive():
                loop.thread.join(1.0)
        # The first loop closes them on its way out; this is for a loop that is stuck.
        # Either way the port is free when close() returns.
        self._close_listeners()

    def wait_closed(self, timeout: float | None = None) -> bool:
        """Join every worker thread; False if some still run after ``timeout``."""
        deadline = None if timeout is None else time.monotonic() + timeout
        me = threading.current_thread()
        while True:
            with self._lock:
                threads = [t for t in self._threads if t.is_alive() and t is not me]
            if not threads:
                return True
            for t in threads:
                t.join(None if deadline is None else max(0.0, deadline - time.monotonic()))
                if deadline is not None and time.monotonic() >= deadline:
                    return not any(x.is_alive() for x in threads)

    def __enter__(self) -> LocalForwarder:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
        self.wait_closed(5.0)

    # --- listening -----------------------------------------------------------------

    def _listen(self, family: socket.AddressFamily, host: str, port: int) -> socket.socket:
        sock = socket.socket(family, socket.SOCK_STREAM)
        try:
            if sys.platform == "win32":
                # SO_REUSEADDR on Windows lets a second program bind the same port.
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_EXCLUSIVEADDRUSE, 1)  # type: ignore[attr-defined]
            else:
                # POSIX keeps binds exclusive with it; it only allows rebinding
                # the port while old connections sit in TIME_WAIT.
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if family == socket.AF_INET6:
                sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            try:
                sock.bind((host, port))
            except OSError as e:
                if e.errno in (errno.EADDRINUSE, getattr(errno, "WSAEADDRINUSE", -1)):
                    raise LocalPortInUse(port, host) from None
                if e.errno in (errno.EACCES, errno.EPERM, getattr(errno, "WSAEACCES", -1)):
                    raise LocalPortDenied(port, e.strerror or "") from None
                raise
            sock.listen(LISTEN_BACKLOG)
            sock.setblocking(False)
        except BaseException:
            sock.close()
            raise
        return sock

    def _close_listeners(self) -> None:
        with self._lock:
            listeners, self._listeners = self._listeners, []
        for sock in listeners:
            sock.close()

    # --- the loops -----------------------------------------------------------------

    def _start_loop(self, loop: _Loop) -> None:
        with self._lock:
            self._add_loop(loop)
        assert loop.thread is not None
        loop.thread.start()

    def _add_loop(self, loop: _Loop) -> None:
        """Register ``loop`` and its (not yet started) thread; the caller holds the lock."""
        loop.thread = threading.Thread(
            target=self._run_loop, args=(loop,), name=loop.name, daemon=True
        )
        self._loops.append(loop)
        self._threads.append(loop.thread)

    def _loop_for(self, conn: _Conn) -> _Loop | None:
        """The loop that takes an opened connection (a new one if all are full);
        None when closing. Called by the thread that opened its channel."""
        cap = primitives.SOCKETS_PER_LOOP
        with self._lock:
            if self._closing:
                return None
            for loop in self._loops:
                if cap is None or loop.conns < cap:
                    loop.conns += 1
                    conn.loop = loop
                    return loop
            # registered under the lock: the next opener sees it (and its room)
            loop = _Loop(f"{self._name}-pump-{len(self._loops) + 1}")
            loop.conns = 1
            conn.loop = loop
            self._add_loop(loop)
        assert loop.thread is not None
        loop.thread.start()
        return loop

    def _run_loop(self, loop: _Loop) -> None:
        sel = loop.sel
        buf = bytearray(READ_SIZE)
        view = memoryview(buf)
        paused_until = 0.0
        try:
            while not self._closing:
                timeout = None
                if paused_until:
                    timeout = paused_until - time.monotonic()
                    if timeout <= 0:
                        paused_until = 0.0
                        timeout = None
                        for listener in self._listeners:
                            sel.register(listener, selectors.EVENT_READ, _Registered.LISTENER)
                for key, mask in sel.select(timeout):
                    data = key.data
                    if data is _Registered.WAKE_SOCKET:
                        loop.drain_wake()
                    elif data is _Registered.LISTENER:
                        assert isinstance(key.fileobj, socket.socket)
                        if not self._accept_all(key.fileobj):
                            paused_until = time.monotonic() + _ACCEPT_PAUSE
                            for listener in self._listeners:
                                sel.unregister(listener)
                            break
                    else:
                        assert isinstance(data, _Conn)
                        if mask & selectors.EVENT_WRITE and data.state is ConnState.OPEN:
                            self._flush(data)
                        if mask & selectors.EVENT_READ and data.state is ConnState.OPEN:
                            self._read_client(data, buf, view)
                self._run_events(loop)
        except Exception as e:  # a bug: report it, and do not leave clients hanging
            if not self._closing:
                self._on_error(e)
        finally:
            self._teardown(loop)

    def _run_events(self, loop: _Loop) -> None:
        events = loop.events
        while events:
            kind, conn = events.popleft()
            if conn is None or self._closing:
                continue
            if kind is LoopEvent.FAILED:
                self._finish(conn)
                continue
            if kind is LoopEvent.OPENED:
                self._opened(conn)
                continue
            if conn.state is not ConnState.OPEN:
                continue  # a leftover, or from before OPENED (which looks at everything)
            if kind is PipeEvent.FLUSH:
                self._set_interest(conn, write=True)
            elif kind is PipeEvent.ACK:
                assert conn.pipe is not None
                try:
                    conn.pipe.return_window()
                except _CHANNEL_ERRORS:
                    self._finish(conn)
                    continue
            elif kind is PipeEvent.DEAD:
                self._finish(conn)
                continue
            elif kind is LoopEvent.WINDOW and conn.pending:
                self._send_pending(conn)
            if conn.state is ConnState.OPEN:
                self._check_done(conn)

    def _accept_all(self, listener: socket.socket) -> bool:
        """Accept everything queued; False to pause accepting (out of descriptors...)."""
        while not self._closing:
            try:
                client, addr = listener.accept()
            except (BlockingIOError, InterruptedError):
                return True
            except OSError as e:
                if e.errno == errno.ECONNABORTED:
                    continue
                self._on_error(e)  # EMFILE & co: the client waits in the backlog
                return False
            origin = (str(addr[0]), int(addr[1]))
            if len(self._conns) >= self._limits.max_connections:
                self._refuse(client, origin)
                continue
            try:
                client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                client.setblocking(False)
            except OSError:
                client.close()
                continue
            self._queue(client, origin)
        return True

    def _refuse(self, client: socket.socket, origin: tuple[str, int]) -> None:
        """Over the connection limit: end this one at once, and say so in the log."""
        self._refused += 1
        client.close()
        now = time.monotonic()
        if now - self._refusal_logged_at < REFUSAL_LOG_INTERVAL:
            return
        log.warning(
            "%s: %d connections are open, the most this forward serves at once"
            " (max_connections): refused %d, the last from %s port %d",
            self._name,
            len(self._conns),
            self._refused - self._refused_logged,
            origin[0],
            origin[1],
        )
        self._refused_logged = self._refused
        self._refusal_logged_at = now

    # --- opening channels ----------------------------------------------------------

    def _queue(self, client: socket.socket, origin: tuple[str, int]) -> None:
        """A new connection waits for an opener thread (one starts if fewer than
        ``max_opening`` run)."""
        with self._lock:
            if self._closing:
                client.close()
                return
            self._count += 1
            conn = _Conn(self._count, client, origin)
            self._conns[conn.number] = conn
            self._waiting.append(conn)
            if self._openers >= self._limits.max_opening:
                return
            self._openers += 1
            self._opener_count += 1
            if self._opener_count % 64 == 0:
                self._threads = [t for t in self._threads if t.is_alive()]
            thread = threading.Thread(
                target=self._opener,
                name=f"{self._name}-open-{self._opener_count}",
                daemon=True,
            )
            self._threads.append(thread)
        thread.start()

    def _opener(self) -> None:
        while True:
            with self._lock:
                if self._closing or not self._waiting:
                    self._openers -= 1
                    return
                conn = self._waiting.popleft()
                conn.state = ConnState.OPENING
            self._open(conn)

    def _open(self, conn: _Conn) -> None:
        try:
            channel = self._open_channel(self._destination, conn.origin)
        except Exception as e:
            with self._lock:
                self._open_failures += 1
                closing = self._closing
            if not closing:
                self._on_error(e)
            self._give_up(conn)
            return
        conn.channel = channel
        loop: _Loop | None = None
        if can_attach(channel):
            loop = self._loop_for(conn)
            if loop is not None:
                conn.pipe = attach_pipe(
                    channel,
                    conn.sock,
                    lambda kind: loop.wake(kind, conn),
                    lambda: loop.wake(LoopEvent.WINDOW, conn),
                )
        with self._lock:
            closing = self._closing
            if not closing:
                conn.state = ConnState.ATTACHED if conn.pipe is not None else ConnState.THREADS
        if closing:
            if conn.pipe is not None:
                conn.pipe.detach()
            with contextlib.suppress(Exception):
                channel.close()
            self._give_up(conn)
        elif loop is not None:
            loop.wake(LoopEvent.OPENED, conn)  # the loop owns it from here
        else:
            self._start_threads(conn, channel)

    def _give_up(self, conn: _Conn) -> None:
        """The channel is not coming: have the first loop close the client, or do it
        here when the loops are ending."""
        with self._lock:
            # under the lock: the loop's teardown either sees this event or we see closing
            first = self._loops[0] if self._loops and not self._closing else None
            if first is not None:
                first.events.append((LoopEvent.FAILED, conn))
        if first is not None:
            first.wake(LoopEvent.WAKE, None)
        else:
            self._release(conn)

    # --- a loop's connections --------------------------------------------------------

    def _opened(self, conn: _Conn) -> None:
        conn.state = ConnState.OPEN
        pipe = conn.pipe
        assert pipe is not None
        self._set_interest(conn, read=True, write=bool(len(pipe)))
        self._check_done(conn)

    def _read_client(self, conn: _Conn, buf: bytearray, view: memoryview) -> None:
        try:
            n = conn.sock.recv_into(buf)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            self._finish(conn)
            return
        if n == 0:
            conn.client_eof = True
            self._set_interest(conn, read=False)
            self._send_eof(conn)
            return
        try:
            sent = self._send(conn, view[:n] if n < len(buf) else view)
        except _CHANNEL_ERRORS:
            self._finish(conn)
            return
        if sent < n:
            conn.pending = bytes(view[sent:n])
            self._set_interest(conn, read=False)  # until the peer opens the window

    def _send(self, conn: _Conn, data: memoryview) -> int:
        """Send what the window allows, never waiting for it."""
        channel = conn.channel
        assert channel is not None
        sent = send_channel_data(channel, data, block=False)
        while 0 < sent < len(data):
            k = send_channel_data(channel, data[sent:], block=False)
            if k <= 0:
                break
            sent += k
        conn.to_remote += sent
        return sent

    def _send_pending(self, conn: _Conn) -> None:
        try:
            sent = self._send(conn, memoryview(conn.pending))
        except _CHANNEL_ERRORS:
            self._finish(conn)
            return
        conn.pending = conn.pending[sent:]
        if not conn.pending:
            if conn.client_eof:
                self._send_eof(conn)
            else:
                self._set_interest(conn, read=True)

    def _send_eof(self, conn: _Conn) -> None:
        if conn.pending or conn.eof_sent:
            return
        conn.eof_sent = True
        channel = conn.channel
        assert channel is not None
        try:
            channel.shutdown_write()
        except _CHANNEL_ERRORS:
            self._finish(conn)
            return
        self._check_done(conn)

    def _flush(self, conn: _Conn) -> None:
        pipe = conn.pipe
        assert pipe is not None
        try:
            left = pipe.flush()
        except _CHANNEL_ERRORS:
            self._finish(conn)
            return
        if not left:
            self._set_interest(conn, write=False)
            self._check_done(conn)

    def _check_done(self, conn: _Conn) -> None:
        """Close the connection once the channel is closed and the client has it all."""
        channel = conn.channel
        pipe = conn.pipe
        assert channel is not None and pipe is not None
        if pipe.dead or (channel.closed and pipe.drained):
            self._finish(conn)

    def _set_interest(
        self, conn: _Conn, *, read: bool | None = None, write: bool | None = None
    ) -> None:
        loop = conn.loop
        assert loop is not None
        sel = loop.sel
        mask = conn.interest
        if read is not None:
            mask = mask | selectors.EVENT_READ if read else mask & ~selectors.EVENT_READ
        if write is not None:
            mask = mask | selectors.EVENT_WRITE if write else mask & ~selectors.EVENT_WRITE
        if mask == conn.interest:
            return
        if not conn.interest:
            sel.register(conn.sock, mask, conn)
        elif not mask:
            sel.unregister(conn.sock)
        else:
            sel.modify(conn.sock, mask, conn)
        conn.interest = mask

    def _finish(self, conn: _Conn) -> None:
        """Release a connection a loop owns (or whose opening failed)."""
        if conn.state is ConnState.DONE:
            return
        conn.state = ConnState.DONE
        if conn.interest and conn.loop is not None:
            with contextlib.suppress(KeyError, ValueError, OSError):
                conn.loop.sel.unregister(conn.sock)
            conn.interest = 0
        if conn.pipe is not None:
            conn.pipe.detach()  # before the fd can be reused: the transport thread writes to it
        if conn.channel is not None:
            with contextlib.suppress(Exception):
                conn.channel.close()
        self._release(conn)

    def _release(self, conn: _Conn) -> None:
        conn.state = ConnState.DONE
        conn.sock.close()
        with self._lock:
            if self._conns.pop(conn.number, None) is not None:
                self._done_to_remote += conn.to_remote
                self._done_from_remote += conn.from_remote
                if conn.loop is not None:
                    conn.loop.conns -= 1

    def _teardown(self, loop: _Loop) -> None:
        with self._lock:
            self._closing = True
            owned = [
                c
                for c in self._conns.values()
                if c.loop is loop and c.state in (ConnState.ATTACHED, ConnState.OPEN)
            ]
            owned += [c for kind, c in loop.events if kind is LoopEvent.FAILED and c is not None]
            loop.events.clear()
            first = bool(self._loops) and self._loops[0] is loop
            waiting = list(self._waiting) if first else []
            if first:
                self._waiting.clear()
            others = [other for other in self._loops if other is not loop]
        for other in others:
            other.wake(LoopEvent.WAKE, None)  # one loop ending (a bug, or close()) ends them all
        for conn in owned:
            self._finish(conn)
        for conn in waiting:  # never got an opener
            self._release(conn)
        if first:
            self._close_listeners()
        loop.close()

    # --- the simple way, for channels a loop cannot drive ------------------------------

    def _start_threads(self, conn: _Conn, channel: paramiko.Channel) -> None:
        """Two threads for this connection, so the opener can go on opening."""
        try:
            conn.sock.setblocking(True)
        except OSError:
            conn.abort_threads_mode()
        up = threading.Thread(
            target=self._serve_with_threads,
            args=(conn, channel),
            name=f"{self._name}-conn-{conn.number}-up",
            daemon=True,
        )
        with self._lock:
            self._threads.append(up)
        up.start()

    def _serve_with_threads(self, conn: _Conn, channel: paramiko.Channel) -> None:
        try:
            down = threading.Thread(
                target=self._pump_down,
                args=(conn, channel),
                name=f"{self._name}-conn-{conn.number}-down",
                daemon=True,
            )
            with self._lock:
                self._threads.append(down)
            down.start()
            if not self._pump_up(conn, channel):
                conn.abort_threads_mode()
            down.join()
            with contextlib.suppress(Exception):
                channel.close()
        finally:
            self._release(conn)

    def _pump_up(self, conn: _Conn, channel: paramiko.Channel) -> bool:
        """Client -> remote until the client's EOF; False if it ended abnormally."""
        buf = bytearray(READ_SIZE)
        view = memoryview(buf)
        try:
            while True:
                n = conn.sock.recv_into(buf)
                if n == 0:
                    channel.shutdown_write()
                    return True
                sent = 0
                while sent < n:
                    k = channel.send(view[sent:n])  # type: ignore[arg-type]  # any buffer
                    if k <= 0:
                        return False
                    sent += k
                conn.to_remote += n
        except _CHANNEL_ERRORS:
            return False

    def _pump_down(self, conn: _Conn, channel: paramiko.Channel) -> None:
        """Remote -> client until the remote's EOF, then wait for the channel to close."""
        try:
            while True:
                data = channel.recv(CHANNEL_READ_SIZE)
                if not data:
                    break
                conn.sock.sendall(data)
                conn.threads_from_remote += len(data)
            conn.sock.shutdown(socket.SHUT_WR)
        except _CHANNEL_ERRORS:
            conn.abort_threads_mode()
            return
        # The remote may still read what the client sends after its EOF (half
        # close). Once the channel is closed nothing can go that way: wake the
        # other thread if it is still waiting on the client.
        channel.status_event.wait()
        with contextlib.suppress(OSError):
            conn.sock.shutdown(socket.SHUT_RD)

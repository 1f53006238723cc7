"""One verified, authenticated SSH session (optionally through a jump host).

The session verifies the host key before anything else, authenticates, keeps
itself alive with counted keepalives, runs remote commands with timeouts and
opens channels for the forwarder (direct-tcpip, and to Unix sockets). Every paramiko,
socket and DNS failure becomes a typed error from :mod:`labtunnel.core.errors`.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import select
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import paramiko

from labtunnel.core.errors import (
    ConnectCancelled,
    ConnectionRefused,
    ConnectTimeout,
    DnsFailure,
    ForwardingRefused,
    ForwardRefusal,
    HandshakeProblem,
    HostUnreachable,
    JumpHostFailed,
    LabTunnelError,
    NetworkError,
    ProtocolError,
    RemoteCommandTimeout,
    SessionLost,
    SocketForwardingRefused,
    SocketRefusal,
)
from labtunnel.core.events import StepCallback, TunnelStep
from labtunnel.core.profiles.model import (
    DEFAULT_KEEPALIVE_COUNT,
    DEFAULT_KEEPALIVE_INTERVAL,
    AuthMethod,
)
from labtunnel.core.ssh.auth import AgentFactory, Credentials, Prompter, authenticate
from labtunnel.core.ssh.cancel import CancelToken
from labtunnel.core.ssh.fast import tuning
from labtunnel.core.ssh.fast.streamlocal import StreamLocalUnavailable, open_streamlocal_channel
from labtunnel.core.ssh.fast.transport import tune_transport
from labtunnel.core.ssh.hostkeys import HostKeyStore, algorithms_for
from labtunnel.core.ssh.keepalive import Keepalive
from labtunnel.core.ssh.remote import CommandResult

log = logging.getLogger(__name__)

OPEN_CHANNEL_TIMEOUT = 15.0
#: paramiko's reader thread polls its socket this often (paramiko: 0.1 s, ten wake-ups a
#: second for every idle session). Nothing needs the poll: keepalive replies bring a
#: packet every few seconds, and closing shuts the socket down, which wakes the thread.
IDLE_POLL = 30.0
#: seconds a person gets to type a one-time code before the server gives up on us
INTERACTIVE_AUTH_TIMEOUT = 120.0


@dataclass(frozen=True)
class SshEndpoint:
    """Where and how to log in; built from a profile (or its jump host)."""

    host: str
    port: int
    username: str
    auth: AuthMethod = AuthMethod.PASSWORD
    key_path: str = ""
    pinned_fingerprints: tuple[str, ...] = ()
    connect_timeout: float = 15.0
    keepalive_interval: float = DEFAULT_KEEPALIVE_INTERVAL
    keepalive_count_max: int = DEFAULT_KEEPALIVE_COUNT

    @property
    def label(self) -> str:
        return f"{self.username}@{self.host}:{self.port}"


def _connect_socket(endpoint: SshEndpoint, cancel: CancelToken | None = None) -> socket.socket:
    host, port, timeout = endpoint.host, endpoint.port, endpoint.connect_timeout
    try:
        addresses = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror:
        raise DnsFailure(host, port) from None
    except UnicodeError:
        raise DnsFailure(host, port) from None
    last: NetworkError = HostUnreachable(host, port)
    for family, kind, proto, _, address in addresses:
        sock = socket.socket(family, kind, proto)
        try:
            _connect(sock, address, timeout, cancel)
        except ConnectCancelled:
            sock.close()
            raise ConnectCancelled(host, port) from None
        except TimeoutError:
            last = ConnectTimeout(host, port, timeout)
        except ConnectionRefusedError:
            last = ConnectionRefused(host, port)
        except OSError as exc:
            last = HostUnreachable(host, port, errno.errorcode.get(exc.errno or 0, ""))
        else:
            _tune_socket(sock, endpoint)
            return sock
        sock.close()
    raise last


#: connect_ex's "under way": EINPROGRESS (Unix), WSAEWOULDBLOCK (Windows)
_CONNECTING = {errno.EINPROGRESS, errno.EWOULDBLOCK, errno.EAGAIN, 10035}


def _connect(sock: socket.socket, address: Any, timeout: float, cancel: CancelToken | None) -> None:
    """A TCP connect that a cancel stops at once (a blocking connect() cannot be woken):
    non-blocking, waiting in select() on the socket and on a wake-up socket pair."""
    wake, poke = socket.socketpair()
    forget = cancel.on_cancel(lambda: _poke(poke)) if cancel is not None else _nothing
    try:
        sock.setblocking(False)
        result = sock.connect_ex(address)
        if result in _CONNECTING:
            _readable, writable, failed = select.select([wake], [sock], [sock], timeout)
            if cancel is not None and cancel.cancelled:
                raise ConnectCancelled("", 0)
            if not writable and not failed:
                raise TimeoutError
            result = sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
        if result:
            raise OSError(result, os.strerror(result))  # OSError picks the subclass
        sock.settimeout(timeout)
    finally:
        forget()
        wake.close()
        poke.close()


def _poke(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.send(b"!")


def _nothing() -> None:
    return None


def _tune_socket(sock: socket.socket, endpoint: SshEndpoint) -> None:
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
    user_timeout = getattr(socket, "TCP_USER_TIMEOUT", None)
    if user_timeout is not None:
        # unacknowledged data for this long means the peer is gone (Linux)
        limit_ms = int(endpoint.keepalive_interval * endpoint.keepalive_count_max * 1000)
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.IPPROTO_TCP, user_timeout, limit_ms)


class SshSession:
    """A live session. Create with :meth:`open`; close with :meth:`close`."""

    def __init__(
        self,
        transport: paramiko.Transport,
        endpoint: SshEndpoint,
        via: SshSession | None = None,
    ) -> None:
        self.transport = transport
        self.endpoint = endpoint
        self._via = via
        self._closed = False
        self._dead_reason: str | None = None
        self.dead = threading.Event()
        transport.sock.settimeout(IDLE_POLL)
        self._dead_callbacks: list[Callable[[], None]] = []
        self._callbacks_lock = threading.Lock()
        self._keepalive = Keepalive(
            transport,
            endpoint.keepalive_interval,
            endpoint.keepalive_count_max,
            self._on_keepalive_dead,
            name=f"keepalive-{endpoint.host}",
        )
        self._keepalive.start()

    # --- opening ------------------------------------------------------------------

    @classmethod
    def open(
        cls,
        endpoint: SshEndpoint,
        credentials: Credentials,
        hostkeys: HostKeyStore,
        *,
        prompter: Prompter | None = None,
        via: SshSession | None = None,
        on_step: StepCallback | None = None,
        agent_factory: AgentFactory = paramiko.Agent,
        cancel: CancelToken | None = None,
        ask_nothing: bool = False,
    ) -> SshSession:
        """Connect, verify the host key, authenticate. ``via`` is the jump session.
        ``cancel`` stops it at any point with ConnectCancelled. ``ask_nothing``: a
        server that wants a second factor gets no answer (SecondFactorNeeded)."""
        cancel = cancel or CancelToken()
        forget_via = cancel.on_cancel(via.abort) if via is not None else _nothing
        try:
            return cls._open(
                endpoint,
                credentials,
                hostkeys,
                prompter,
                via,
                on_step,
                agent_factory,
                cancel,
                ask_nothing,
            )
        finally:
            forget_via()

    @classmethod
    def _open(
        cls,
        endpoint: SshEndpoint,
        credentials: Credentials,
        hostkeys: HostKeyStore,
        prompter: Prompter | None,
        via: SshSession | None,
        on_step: StepCallback | None,
        agent_factory: AgentFactory,
        cancel: CancelToken,
        ask_nothing: bool = False,
    ) -> SshSession:
        step = on_step or (lambda _step: None)
        step(TunnelStep.CONNECTING)
        if via is None:
            sock: socket.socket | paramiko.Channel = _connect_socket(endpoint, cancel)
        else:
            try:
                sock = via.open_channel((endpoint.host, endpoint.port), ("127.0.0.1", 0))
            except ForwardingRefused as exc:
                cause: LabTunnelError = (
                    ConnectionRefused(endpoint.host, endpoint.port)
                    if exc.reason is ForwardRefusal.CONNECT_FAILED
                    else exc
                )
                raise JumpHostFailed(via.endpoint.host, endpoint.host, cause) from None
            except LabTunnelError:
                if cancel.cancelled:
                    raise ConnectCancelled(endpoint.host, endpoint.port) from None
                raise
        # window and packet sizes are set with the rest of the tuning (tune_transport)
        transport = paramiko.Transport(sock)
        # a stop from another thread closes the socket: every wait below ends at once
        forget = cancel.on_cancel(lambda: _close_unused(transport, sock))
        try:
            cls._handshake(transport, endpoint, hostkeys)
            step(TunnelStep.AUTHENTICATING)
            if prompter is not None:
                transport.auth_timeout = INTERACTIVE_AUTH_TIMEOUT
            authenticate(
                transport,
                endpoint.host,
                endpoint.username,
                endpoint.auth,
                endpoint.key_path,
                credentials,
                prompter,
                agent_factory,
                cancel=cancel,
                ask_nothing=ask_nothing,
            )
        except (paramiko.SSHException, EOFError, OSError, LabTunnelError) as exc:
            forget()
            _close_unused(transport, sock)
            if cancel.cancelled:
                raise ConnectCancelled(endpoint.host, endpoint.port) from None
            if isinstance(exc, LabTunnelError):
                raise
            raise ProtocolError(endpoint.host, endpoint.port, type(exc).__name__) from None
        except BaseException:
            forget()
            _close_unused(transport, sock)
            raise
        forget()
        return cls(transport, endpoint, via)

    @classmethod
    def offered_auth_methods(
        cls, endpoint: SshEndpoint, hostkeys: HostKeyStore, *, via: SshSession | None = None
    ) -> tuple[str, ...]:
        """The login methods the server offers ``endpoint.username`` before any is tried
        (its answer to "none"), on a connection of its own that logs nobody in. The host
        key is verified first, as for :meth:`open`."""
        if via is None:
            sock: socket.socket | paramiko.Channel = _connect_socket(endpoint)
        else:
            sock = via.open_channel((endpoint.host, endpoint.port), ("127.0.0.1", 0))
        transport = paramiko.Transport(sock)
        try:
            cls._handshake(transport, endpoint, hostkeys)
            try:
                transport.auth_none(endpoint.username)
            except paramiko.BadAuthenticationType as exc:
                return tuple(exc.allowed_types)
            except paramiko.AuthenticationException:
                return ()
            return ("none",)
        except (paramiko.SSHException, EOFError, OSError) as exc:
            raise ProtocolError(endpoint.host, endpoint.port, type(exc).__name__) from None
        finally:
            _close_unused(transport, sock)

    @staticmethod
    def _handshake(
        transport: paramiko.Transport, endpoint: SshEndpoint, hostkeys: HostKeyStore
    ) -> None:
        tune_transport(transport)
        known = algorithms_for(hostkeys.known_key_types(endpoint.host, endpoint.port))
        if known:
            # like OpenSSH: ask for the kind of key we already trust first (a server that
            # then shows another kind anyway is refused by verify as a changed key)
            options = transport.get_security_options()
            preferred = [t for t in known if t in options.key_types]
            options.key_types = tuple(
                preferred + [t for t in options.key_types if t not in preferred]
            )
        transport.banner_timeout = endpoint.connect_timeout
        transport.handshake_timeout = endpoint.connect_timeout
        try:
            transport.start_client(timeout=endpoint.connect_timeout)
        except paramiko.SSHException as exc:
            detail = str(exc)
            if "banner" in detail.lower():
                detail = HandshakeProblem.NO_SSH_BANNER
            elif "timeout" in detail.lower() or "timed out" in detail.lower():
                raise ConnectTimeout(
                    endpoint.host, endpoint.port, endpoint.connect_timeout
                ) from None
            raise ProtocolError(endpoint.host, endpoint.port, detail) from None
        except EOFError:
            raise ProtocolError(
                endpoint.host, endpoint.port, HandshakeProblem.CLOSED_DURING_HANDSHAKE
            ) from None
        key = transport.get_remote_server_key()
        hostkeys.verify(endpoint.host, endpoint.port, key, endpoint.pinned_fingerprints)

    # --- using --------------------------------------------------------------------

    @property
    def via(self) -> SshSession | None:
        """The jump host's session this one goes through (closed with this one)."""
        return self._via

    def is_alive(self) -> bool:
        return not self._closed and not self.dead.is_set() and self.transport.is_active()

    @property
    def dead_reason(self) -> str | None:
        return self._dead_reason

    def on_dead(self, callback: Callable[[], None]) -> None:
        """Call ``callback`` (on some worker thread) once the session is dead or closed."""
        with self._callbacks_lock:
            if not self.dead.is_set():
                self._dead_callbacks.append(callback)
                return
        callback()

    def _mark_dead(self) -> None:
        with self._callbacks_lock:
            self.dead.set()
            callbacks, self._dead_callbacks = self._dead_callbacks, []
        for callback in callbacks:
            try:
                callback()
            except Exception:
                log.exception("on_dead callback failed")

    def notify_resumed(self) -> None:
        self._keepalive.notify_resumed()

    def open_channel(
        self, destination: tuple[str, int], origin: tuple[str, int]
    ) -> paramiko.Channel:
        """A direct-tcpip channel to ``destination`` as seen from the server."""
        try:
            return self.transport.open_channel(
                "direct-tcpip",
                destination,
                origin,
                window_size=tuning.WINDOW_SIZE,
                max_packet_size=tuning.MAX_PACKET_SIZE,
                timeout=OPEN_CHANNEL_TIMEOUT,
            )
        except paramiko.ChannelException as exc:
            reason = {
                paramiko.common.OPEN_FAILED_ADMINISTRATIVELY_PROHIBITED: ForwardRefusal.PROHIBITED,
                paramiko.common.OPEN_FAILED_CONNECT_FAILED: ForwardRefusal.CONNECT_FAILED,
            }.get(exc.code, ForwardRefusal.REFUSED)
            raise ForwardingRefused(self.endpoint.host, *destination, reason) from None
        except (paramiko.SSHException, EOFError, OSError):
            raise self._lost("channel_open_failed") from None

    def open_unix_channel(self, path: str) -> paramiko.Channel:
        """A direct-streamlocal@openssh.com channel to the Unix socket ``path`` on the
        server. Raises SocketForwardingRefused, or SessionLost."""
        try:
            return open_streamlocal_channel(
                self.transport,
                path,
                window_size=tuning.WINDOW_SIZE,
                max_packet_size=tuning.MAX_PACKET_SIZE,
                timeout=OPEN_CHANNEL_TIMEOUT,
            )
        except StreamLocalUnavailable:
            raise SocketForwardingRefused(self.endpoint.host, path, SocketRefusal.CLIENT) from None
        except paramiko.ChannelException as exc:
            unknown = exc.code == paramiko.common.OPEN_FAILED_UNKNOWN_CHANNEL_TYPE
            reason = SocketRefusal.UNSUPPORTED if unknown else SocketRefusal.REFUSED
            raise SocketForwardingRefused(self.endpoint.host, path, reason) from None
        except (paramiko.SSHException, EOFError, OSError):
            raise self._lost("channel_open_failed") from None

    def run(self, command: str, *, timeout: float, stdin: bytes | None = None) -> CommandResult:
        """Run ``command`` through the user's shell on the server; stdout/stderr as text."""
        deadline = time.monotonic() + timeout
        try:
            channel = self.transport.open_session(timeout=min(timeout, OPEN_CHANNEL_TIMEOUT))
        except (paramiko.SSHException, EOFError, OSError):
            raise self._lost("exec_open_failed") from None
        try:
            channel.exec_command(command)
            if stdin:
                channel.sendall(stdin)
            channel.shutdown_write()
            out, err = _collect(channel, deadline)
            if out is None or err is None:
                raise RemoteCommandTimeout(_summary(command), timeout)
            status = channel.recv_exit_status()
            if status == -1 and not self.transport.is_active():
                raise self._lost("closed_during_command")
        except (paramiko.SSHException, EOFError, OSError):
            raise self._lost("exec_failed") from None
        finally:
            # closing sends a message: on a transport that just died it raises
            # EOFError, which must not replace the typed error raised above
            with contextlib.suppress(paramiko.SSHException, EOFError, OSError):
                channel.close()
        return CommandResult(
            status,
            out.decode("utf-8", "replace"),
            err.decode("utf-8", "replace"),
        )

    def _lost(self, detail: str) -> SessionLost:
        return SessionLost(self.endpoint.host, self.endpoint.port, detail)

    def _on_keepalive_dead(self, reason: str) -> None:
        self._dead_reason = reason
        log.warning("SSH session to %s is dead (%s)", self.endpoint.label, reason)
        # closing wakes every thread blocked on this transport
        self._shut_down_socket()
        _close_transport(self.transport)
        self._mark_dead()

    def abort(self) -> None:
        """From any thread, waiting for nothing: shut the socket down and close the
        transport (of the jump session too), so every thread blocked on it wakes up.
        :meth:`close` (which joins the threads) is still for the session's owner."""
        self._shut_down_socket()
        _close_transport(self.transport)
        if self._via is not None:
            self._via.abort()

    def _shut_down_socket(self) -> None:
        """Wakes paramiko's reader thread at once instead of at its next poll."""
        with contextlib.suppress(OSError, EOFError, paramiko.SSHException):
            self.transport.sock.shutdown(socket.SHUT_RDWR)

    def close(self) -> None:
        """Idempotent; closes the jump session too."""
        if self._closed:
            return
        self._closed = True
        self._keepalive.stop()
        self._shut_down_socket()
        _close_transport(self.transport)
        self._mark_dead()
        self._keepalive.join(2.0)
        if self.transport is not threading.current_thread():
            self.transport.join(2.0)
        if self._via is not None:
            self._via.close()

    def __enter__(self) -> SshSession:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _close_transport(transport: paramiko.Transport) -> None:
    """Close, whatever state the socket is in: a channel through a jump host whose own
    session was closed first fails to say goodbye (EOFError), which is fine."""
    with contextlib.suppress(OSError, EOFError, paramiko.SSHException):
        transport.close()


def _close_unused(transport: paramiko.Transport, sock: socket.socket | paramiko.Channel) -> None:
    """After a failed open: a transport that never started does not close its socket."""
    _close_transport(transport)
    with contextlib.suppress(OSError, EOFError, paramiko.SSHException):
        sock.close()


def _summary(command: str) -> str:
    return command if len(command) <= 120 else command[:117] + "..."


def _collect(channel: paramiko.Channel, deadline: float) -> tuple[bytes | None, bytes | None]:
    """Read stdout and stderr until the command ends; (None, None) on timeout."""
    out, err = bytearray(), bytearray()
    wake = channel.fileno()  # readable when stdout data or EOF arrives
    while True:
        while channel.recv_ready():
            out += channel.recv(65536)
        while channel.recv_stderr_ready():
            err += channel.recv_stderr(65536)
        finished = channel.exit_status_ready() and channel.eof_received
        if (finished or channel.closed) and not channel.recv_ready():
            while channel.recv_stderr_ready():
                err += channel.recv_stderr(65536)
            return bytes(out), bytes(err)
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return None, None
        select.select([wake], [], [], min(remaining, 0.05))

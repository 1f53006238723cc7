"""LocalForwarder logic with an in-process stand-in for the SSH channel.

The stand-in is one end of a socketpair with the few Channel methods the
forwarder uses; the test plays the remote service on the other end. The
forwarder serves such channels the simple way (a thread per direction); the
paramiko fast path is exercised against a real sshd in
tests/integration/test_forwarder_real.py.
"""

from __future__ import annotations

import contextlib
import logging
import os
import queue
import socket
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from labtunnel.core.errors import ForwardingRefused, ForwardRefusal, LocalPortInUse
from labtunnel.core.ssh.fast.tuning import LISTEN_BACKLOG
from labtunnel.core.tunnel.forwarder import ForwardLimits, LocalForwarder

DEST = ("127.0.0.1", 8888)


class FakeChannel:
    """A direct-tcpip channel whose far end is a socket the test holds."""

    def __init__(self) -> None:
        self._sock, self.remote = socket.socketpair()
        self.closed = False
        self.status_event = threading.Event()  # paramiko sets it when the channel closes
        self._eof_in = False
        self._eof_out = False
        self._lock = threading.Lock()

    def send(self, data: bytes | memoryview) -> int:
        if self.closed:
            raise OSError("Socket is closed")
        return self._sock.send(data)

    def recv(self, n: int) -> bytes:
        try:
            data = self._sock.recv(n)
        except OSError:
            return b""
        if not data:
            self._got_eof(inbound=True)
        return data

    def shutdown_write(self) -> None:
        with contextlib.suppress(OSError):
            self._sock.shutdown(socket.SHUT_WR)
        self._got_eof(inbound=False)

    def close(self) -> None:
        with self._lock:
            if self.closed:
                return
            self.closed = True
        with contextlib.suppress(OSError):
            self._sock.shutdown(socket.SHUT_RDWR)
        self._sock.close()
        self.status_event.set()

    def _got_eof(self, *, inbound: bool) -> None:
        # like sshd: once both sides sent EOF, the channel is closed
        with self._lock:
            if inbound:
                self._eof_in = True
            else:
                self._eof_out = True
            both = self._eof_in and self._eof_out
        if both:
            self.close()


class Opener:
    """Hands out FakeChannels; can be told to refuse, or to hang until released."""

    def __init__(self) -> None:
        self.channels: list[FakeChannel] = []
        self.refuse = 0
        self.hold: threading.Event | None = None
        self.calls: list[tuple[tuple[str, int], tuple[str, int]]] = []
        self.opened: queue.Queue[FakeChannel] = queue.Queue()

    def __call__(self, dest: tuple[str, int], origin: tuple[str, int]) -> FakeChannel:
        self.calls.append((dest, origin))
        if self.hold is not None:
            self.hold.wait(10)
            raise ForwardingRefused("lab", dest[0], dest[1], ForwardRefusal.REFUSED)
        if self.refuse:
            self.refuse -= 1
            raise ForwardingRefused("lab", dest[0], dest[1], ForwardRefusal.CONNECT_FAILED)
        channel = FakeChannel()
        self.channels.append(channel)
        self.opened.put(channel)
        return channel

    def next_channel(self) -> FakeChannel:
        """The channels in the order they were opened."""
        return self.opened.get(timeout=5)

    def close_all(self) -> None:
        for channel in self.channels:
            channel.remote.close()
            channel.close()


def recv_exact(sock: socket.socket, n: int) -> bytes:
    buf = b""
    while len(buf) < n:
        got = sock.recv(n - len(buf))
        assert got, f"EOF after {len(buf)} of {n} bytes"
        buf += got
    return buf


def recv_to_eof(sock: socket.socket) -> bytes:
    buf = b""
    while chunk := sock.recv(65536):
        buf += chunk
    return buf


def ended_by_peer(sock: socket.socket) -> bool:
    """True once the peer closed the connection (EOF, or a reset for unread data)."""
    try:
        return recv_to_eof(sock) == b""
    except ConnectionResetError:
        return True


def open_fds() -> set[int]:
    return {int(fd) for fd in os.listdir("/proc/self/fd")}


def forwarder_threads(name: str) -> list[str]:
    return [t.name for t in threading.enumerate() if t.name.startswith(f"{name}-")]


@pytest.fixture
def opener() -> Iterator[Opener]:
    o = Opener()
    yield o
    o.close_all()


@pytest.fixture
def forwarder(opener: Opener, request: pytest.FixtureRequest) -> Iterator[LocalForwarder]:
    fwd = LocalForwarder(opener, DEST, name=f"t{os.getpid()}-{request.node.name[:20]}")  # type: ignore[arg-type]
    fwd.start()
    yield fwd
    fwd.close()
    assert fwd.wait_closed(5.0)


def connect(port: int, host: str = "127.0.0.1") -> socket.socket:
    return socket.create_connection((host, port), timeout=5.0)


def test_port_zero_picks_a_free_port_and_passes_destination_and_origin(
    forwarder: LocalForwarder, opener: Opener
) -> None:
    assert forwarder.port > 0
    assert forwarder.url_host == "127.0.0.1"
    with connect(forwarder.port) as client:
        channel = opener.next_channel()
        client.sendall(b"ping")
        assert recv_exact(channel.remote, 4) == b"ping"
        channel.remote.sendall(b"pong")
        assert recv_exact(client, 4) == b"pong"
        dest, origin = opener.calls[0]
        assert dest == DEST
        assert origin == client.getsockname()


def test_two_forwarders_get_different_ports(opener: Opener) -> None:
    with LocalForwarder(opener, DEST) as a, LocalForwarder(opener, DEST) as b:  # type: ignore[arg-type]
        assert a.port != b.port


def test_busy_port_is_a_typed_error_and_leaves_nothing_behind(opener: Opener) -> None:
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        port = squatter.getsockname()[1]
        fds = open_fds()
        fwd = LocalForwarder(opener, DEST, local_port=port, name="busy")  # type: ignore[arg-type]
        with pytest.raises(LocalPortInUse) as info:
            fwd.start()
        assert info.value.port == port
        assert open_fds() == fds
        assert forwarder_threads("busy") == []


def test_fixed_port_is_used_and_can_be_reused_right_after_close(opener: Opener) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    fwd = LocalForwarder(opener, DEST, local_port=port)  # type: ignore[arg-type]
    fwd.start()
    assert fwd.port == port
    with connect(port) as client:  # leaves a TIME_WAIT behind on our side
        channel = opener.next_channel()
        client.sendall(b"x")
        assert recv_exact(channel.remote, 1) == b"x"
    fwd.close()
    assert fwd.wait_closed(5.0)
    again = LocalForwarder(opener, DEST, local_port=port)  # type: ignore[arg-type]
    again.start()  # the tunnel layer rebinds the same port after a reconnect
    again.close()
    assert again.wait_closed(5.0)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/net")
def test_listens_only_on_loopback(forwarder: LocalForwarder) -> None:
    port = forwarder.port
    listening: list[str] = []
    for table in ("tcp", "tcp6"):
        path = Path(f"/proc/net/{table}")
        if not path.exists():
            continue
        for line in path.read_text().splitlines()[1:]:
            fields = line.split()
            local, state = fields[1], fields[3]
            address, port_hex = local.rsplit(":", 1)
            if state == "0A" and int(port_hex, 16) == port:  # 0A = LISTEN
                listening.append(address)
    assert "0100007F" in listening  # 127.0.0.1
    assert set(listening) <= {"0100007F", "00000000000000000000000001000000"}  # and ::1
    with pytest.raises(OSError), connect(port, "127.0.0.2"):
        pass


def test_ipv6_loopback_is_served_when_available(forwarder: LocalForwarder, opener: Opener) -> None:
    try:
        client = socket.create_connection(("::1", forwarder.port), timeout=5.0)
    except OSError as e:
        pytest.skip(f"no IPv6 loopback here: {e}")
    with client:
        channel = opener.next_channel()
        client.sendall(b"six")
        assert recv_exact(channel.remote, 3) == b"six"


def test_eof_is_passed_on_both_ways_with_half_close(
    forwarder: LocalForwarder, opener: Opener
) -> None:
    with connect(forwarder.port) as client:
        channel = opener.next_channel()
        client.sendall(b"request")
        client.shutdown(socket.SHUT_WR)
        assert recv_to_eof(channel.remote) == b"request"  # the remote sees our EOF
        # ... and can still answer after it (half close), then close its side
        channel.remote.sendall(b"answer")
        channel.remote.shutdown(socket.SHUT_WR)
        assert recv_to_eof(client) == b"answer"


def test_remote_eof_first_then_client_keeps_sending(
    forwarder: LocalForwarder, opener: Opener
) -> None:
    with connect(forwarder.port) as client:
        channel = opener.next_channel()
        channel.remote.sendall(b"banner")
        channel.remote.shutdown(socket.SHUT_WR)
        assert recv_to_eof(client) == b"banner"
        client.sendall(b"still here")
        client.shutdown(socket.SHUT_WR)
        assert recv_to_eof(channel.remote) == b"still here"


def test_large_transfer_both_ways_arrives_intact(forwarder: LocalForwarder, opener: Opener) -> None:
    up = os.urandom(3 * 1024 * 1024 + 17)
    down = os.urandom(2 * 1024 * 1024 + 5)
    with connect(forwarder.port) as client:
        channel = opener.next_channel()
        got: dict[str, bytes] = {}

        def remote_side() -> None:
            sender = threading.Thread(target=channel.remote.sendall, args=(down,))
            sender.start()
            got["up"] = recv_to_eof(channel.remote)
            sender.join()
            channel.remote.shutdown(socket.SHUT_WR)

        t = threading.Thread(target=remote_side)
        t.start()
        client.sendall(up)
        client.shutdown(socket.SHUT_WR)
        got["down"] = recv_to_eof(client)
        t.join(10)
    assert got["up"] == up
    assert got["down"] == down
    stats = forwarder.stats()
    assert stats.bytes_to_remote == len(up)
    assert stats.bytes_from_remote == len(down)
    assert stats.connections_total == 1


def test_open_failure_is_reported_and_listener_keeps_serving(opener: Opener) -> None:
    errors: list[Exception] = []
    opener.refuse = 1
    with LocalForwarder(opener, DEST, on_error=errors.append) as fwd:  # type: ignore[arg-type]
        with connect(fwd.port) as refused:
            assert ended_by_peer(refused)
        assert len(errors) == 1
        assert isinstance(errors[0], ForwardingRefused)
        with connect(fwd.port) as client:
            channel = opener.next_channel()
            client.sendall(b"second")
            assert recv_exact(channel.remote, 6) == b"second"
        stats = fwd.stats()
        assert stats.open_failures == 1
        assert stats.connections_total == 2


def test_open_failure_is_logged_at_warning_by_default(
    opener: Opener, caplog: pytest.LogCaptureFixture
) -> None:
    opener.refuse = 1
    with (
        LocalForwarder(opener, DEST) as fwd,  # type: ignore[arg-type]
        caplog.at_level(logging.WARNING, logger="labtunnel.core.tunnel.forwarder"),
    ):
        with connect(fwd.port) as client:
            client.sendall(b"secret payload")
            assert ended_by_peer(client)
        deadline = time.monotonic() + 5
        while not caplog.records and time.monotonic() < deadline:
            time.sleep(0.01)
    assert [r.levelno for r in caplog.records] == [logging.WARNING]
    assert "connect_failed" in caplog.text
    assert "secret payload" not in caplog.text


def test_close_with_open_clients_is_prompt_and_leaves_nothing(opener: Opener) -> None:
    fds = open_fds()
    name = f"close{os.getpid()}"
    fwd = LocalForwarder(opener, DEST, name=name)  # type: ignore[arg-type]
    fwd.start()
    clients = [connect(fwd.port) for _ in range(5)]
    for client in clients:
        client.sendall(b"x")
    for _ in clients:
        assert recv_exact(opener.next_channel().remote, 1) == b"x"
    # this one never gets a channel: its open hangs until after close()
    stuck = threading.Event()
    opener.hold = stuck
    clients.append(connect(fwd.port))
    deadline = time.monotonic() + 5
    while fwd.stats().connections_active < 6 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert fwd.stats().connections_active == 6

    started = time.monotonic()
    fwd.close()
    assert time.monotonic() - started < 1.0
    fwd.close()  # idempotent
    for client in clients:
        client.settimeout(2.0)
        assert ended_by_peer(client)  # every client sees its connection end
    stuck.set()
    assert fwd.wait_closed(5.0)
    assert forwarder_threads(name) == []
    for client in clients:
        client.close()
    opener.close_all()
    assert open_fds() <= fds
    with pytest.raises(OSError), connect(fwd.port):
        pass


def test_a_burst_beyond_the_default_backlog_is_all_accepted(opener: Opener) -> None:
    count = 300  # well over the usual listen(128)
    assert count < LISTEN_BACKLOG

    def echo_opener(dest: tuple[str, int], origin: tuple[str, int]) -> FakeChannel:
        channel = FakeChannel()
        opener.channels.append(channel)

        def echo() -> None:
            with contextlib.suppress(OSError):
                while data := channel.remote.recv(65536):
                    channel.remote.sendall(data)
            with contextlib.suppress(OSError):
                channel.remote.shutdown(socket.SHUT_WR)

        threading.Thread(target=echo, daemon=True).start()
        return channel

    with LocalForwarder(echo_opener, DEST) as fwd:  # type: ignore[arg-type]
        clients = [connect(fwd.port) for _ in range(count)]  # all before any is served
        try:
            for i, client in enumerate(clients):
                client.sendall(b"%d" % i)
            for i, client in enumerate(clients):
                assert recv_exact(client, len(b"%d" % i)) == b"%d" % i
        finally:
            for client in clients:
                client.close()


def test_stats_count_active_connections(forwarder: LocalForwarder, opener: Opener) -> None:
    assert forwarder.stats().connections_active == 0
    client = connect(forwarder.port)
    channel = opener.next_channel()
    client.sendall(b"abc")
    assert recv_exact(channel.remote, 3) == b"abc"
    assert forwarder.stats().connections_active == 1
    client.close()
    channel.remote.close()
    deadline = time.monotonic() + 5
    while forwarder.stats().connections_active and time.monotonic() < deadline:
        time.sleep(0.01)
    assert forwarder.stats().connections_active == 0
    assert forwarder.stats().bytes_to_remote == 3


def test_start_twice_is_refused(forwarder: LocalForwarder) -> None:
    with pytest.raises(RuntimeError):
        forwarder.start()


def test_close_before_start_is_harmless(opener: Opener) -> None:
    fwd = LocalForwarder(opener, DEST)  # type: ignore[arg-type]
    fwd.close()
    assert fwd.wait_closed(1.0)


def test_client_reset_closes_the_channel(forwarder: LocalForwarder, opener: Opener) -> None:
    client = connect(forwarder.port)
    channel = opener.next_channel()
    client.sendall(b"bye")
    assert recv_exact(channel.remote, 3) == b"bye"
    client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
    client.close()  # RST
    assert channel.status_event.wait(5.0)
    assert channel.closed


@pytest.mark.posix
def test_denied_port_is_a_typed_error(opener: Opener) -> None:
    if os.geteuid() == 0:
        pytest.skip("root may bind low ports")
    from labtunnel.core.errors import LocalPortDenied

    fwd = LocalForwarder(opener, DEST, local_port=1)  # type: ignore[arg-type]
    with pytest.raises(LocalPortDenied):
        fwd.start()


def test_tune_transport_prefers_aes_gcm_and_big_windows() -> None:
    import paramiko

    from labtunnel.core.ssh.fast import packetizer as fastpath
    from labtunnel.core.ssh.fast import tuning
    from labtunnel.core.ssh.fast.transport import tune_transport

    a, b = socket.socketpair()
    transport = paramiko.Transport(a)
    try:
        tune_transport(transport)
        ciphers = transport.get_security_options().ciphers
        assert ciphers[0] == "aes128-gcm@openssh.com"
        assert set(ciphers) == set(paramiko.Transport(b).get_security_options().ciphers)
        assert transport.default_window_size == tuning.WINDOW_SIZE
        assert transport.default_max_packet_size == tuning.MAX_PACKET_SIZE
        assert tuning.CHANNEL_READ_SIZE >= tuning.WINDOW_SIZE  # see BufferedPipe
        assert tuning.READ_SIZE >= 32 * 1024
        assert tuning.LISTEN_BACKLOG >= 1024
        assert isinstance(transport.packetizer, fastpath.FastPacketizer) == (
            fastpath.FAST_PATH_AVAILABLE
        )
    finally:
        transport.close()
        a.close()
        b.close()


# --- limits (issue 12 item 7): any local program can connect, and each connection costs
# a channel on the server and descriptors (and, on the stock path, threads) here ------------


def test_connections_past_the_limit_are_refused_at_once_and_logged(
    opener: Opener, caplog: pytest.LogCaptureFixture
) -> None:
    limits = ForwardLimits(max_connections=3, max_opening=2)
    fwd = LocalForwarder(opener, DEST, name="capped", limits=limits)  # type: ignore[arg-type]
    with caplog.at_level(logging.WARNING, logger="labtunnel.core.tunnel.forwarder"), fwd:
        served = [connect(fwd.port) for _ in range(3)]
        for i, sock in enumerate(served):
            sock.sendall(b"ping%d" % i)
        # two openers work at once: the channels come in any order; pair them by content
        by_client = {}
        for _ in served:
            channel = opener.next_channel()
            by_client[int(recv_exact(channel.remote, 5)[4:])] = channel
        channels = [by_client[i] for i in range(3)]
        extra = [connect(fwd.port) for _ in range(2)]
        for sock in extra:
            assert ended_by_peer(sock)  # closed at once, no channel opened for it
        assert len(opener.calls) == 3
        assert fwd.stats().refused == 2
        # one served connection ends: the next one is served again
        served[0].close()
        channels[0].remote.close()
        deadline = time.monotonic() + 5
        while fwd.stats().connections_active > 2 and time.monotonic() < deadline:
            time.sleep(0.01)
        again = connect(fwd.port)
        opener.next_channel().remote.sendall(b"pong")
        assert recv_exact(again, 4) == b"pong"
        for sock in [*served, *extra, again]:
            sock.close()
    refusals = [r for r in caplog.records if "max_connections" in r.getMessage()]
    assert len(refusals) == 1, "refusals are logged, once per burst"
    assert "refused 1" in refusals[0].getMessage()


def test_channel_opens_in_flight_never_exceed_the_limit(opener: Opener) -> None:
    gate = threading.Event()
    in_flight = 0
    most = 0
    lock = threading.Lock()

    def slow_opener(dest: tuple[str, int], origin: tuple[str, int]) -> FakeChannel:
        nonlocal in_flight, most
        with lock:
            in_flight += 1
            most = max(most, in_flight)
        try:
            gate.wait(10)
            return opener(dest, origin)
        finally:
            with lock:
                in_flight -= 1

    name = f"opening-{os.getpid()}"
    limits = ForwardLimits(max_connections=50, max_opening=4)
    with LocalForwarder(slow_opener, DEST, name=name, limits=limits) as fwd:  # type: ignore[arg-type]
        clients = [connect(fwd.port) for _ in range(20)]
        deadline = time.monotonic() + 5
        while in_flight < 4 and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(0.1)
        assert in_flight == 4
        assert len([t for t in forwarder_threads(name) if "-open-" in t]) == 4
        gate.set()
        for client in clients:  # every waiting connection got its channel in the end
            client.sendall(b"x")
        for _ in clients:
            assert recv_exact(opener.next_channel().remote, 1) == b"x"
        assert most == 4
        deadline = time.monotonic() + 5
        while any("-open-" in t for t in forwarder_threads(name)):
            assert time.monotonic() < deadline, "opener threads end when nothing waits"
            time.sleep(0.01)
        for client in clients:
            client.close()


def test_close_with_connections_waiting_for_an_opener_leaves_nothing(opener: Opener) -> None:
    opener.hold = threading.Event()
    name = f"waiting-{os.getpid()}"
    before = open_fds()
    fwd = LocalForwarder(opener, DEST, name=name, limits=ForwardLimits(max_opening=1))  # type: ignore[arg-type]
    fwd.start()
    clients = [connect(fwd.port) for _ in range(5)]
    deadline = time.monotonic() + 5
    while len(opener.calls) < 1 and time.monotonic() < deadline:
        time.sleep(0.01)
    fwd.close()
    opener.hold.set()
    assert fwd.wait_closed(5.0)
    for client in clients:
        assert ended_by_peer(client)
        client.close()
    assert forwarder_threads(name) == []
    assert open_fds() <= before


def test_limits_must_be_positive() -> None:
    with pytest.raises(ValueError):
        ForwardLimits(max_connections=0)
    with pytest.raises(ValueError):
        ForwardLimits(max_opening=0)

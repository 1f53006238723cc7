"""LocalForwarder through a real OpenSSH server to services reachable only through it.

Each test runs three ways against the same sshd: LabTunnel's paramiko fast paths as on
Linux (the selector loop, direct delivery, batched AES-GCM packets, sendmsg and writev),
the same on the Windows path (no sendmsg, no writev: joined sends; a loop takes at most
40 sockets here, so that more than one loop serves the bigger tests), and with the fast
paths switched off (stock paramiko, a thread per direction: what runs if paramiko's
internals change under us).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterator

import paramiko
import pytest
from tests.harness import LabServer, RemoteService, ServiceFactory

from labtunnel.core.ssh.fast import packetizer as fastpath
from labtunnel.core.ssh.fast import primitives, tuning
from labtunnel.core.ssh.fast.transport import tune_transport
from labtunnel.core.tunnel.forwarder import LocalForwarder

pytestmark = pytest.mark.integration

MiB = 1024 * 1024


def open_transport(lab: LabServer, via: paramiko.Transport | None = None) -> paramiko.Transport:
    """A tuned transport to the lab server (or, ``via`` it, to its jump target): host
    key checked exactly, key auth."""
    sock: socket.socket | paramiko.Channel
    if via is None:
        sock = socket.create_connection((lab.host, lab.port), timeout=10.0)
        host_keys = lab.host_public_keys
    else:
        target = (lab.jump_target_host, lab.jump_target_port)
        sock = opener(via)(target, ("127.0.0.1", 0))
        host_keys = lab.jump_target_public_keys
    transport = paramiko.Transport(sock)
    try:
        tune_transport(transport)
        transport.start_client(timeout=10.0)
        key = transport.get_remote_server_key()
        trusted = {line.split()[0]: line.split()[1] for line in host_keys.values()}
        if trusted.get(key.get_name()) != key.get_base64():
            raise paramiko.BadHostKeyException(lab.host, key, key)
        transport.auth_publickey(lab.user.name, paramiko.PKey.from_path(lab.keys.ed25519))
    except BaseException:
        transport.close()
        raise
    return transport


def opener(transport: paramiko.Transport) -> Callable[..., paramiko.Channel]:
    def open_channel(dest: tuple[str, int], origin: tuple[str, int]) -> paramiko.Channel:
        return transport.open_channel(
            "direct-tcpip",
            dest,
            origin,
            window_size=tuning.WINDOW_SIZE,
            max_packet_size=tuning.MAX_PACKET_SIZE,
            timeout=15.0,
        )

    return open_channel


#: sockets per loop on the "windows" runs: small, so that 200 connections need several
WINDOWS_TEST_SOCKETS_PER_LOOP = 40


@pytest.fixture(params=["fast", "windows", "stock"])
def mode(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    mode: str = request.param
    if mode == "stock":
        monkeypatch.setattr(fastpath, "FAST_PATH_AVAILABLE", False)
    elif not fastpath.FAST_PATH_AVAILABLE:
        pytest.skip("this paramiko does not have what the fast paths need")
    if mode == "windows":
        monkeypatch.setattr(primitives, "HAS_SENDMSG", False)
        monkeypatch.setattr(primitives, "HAS_WRITEV", False)
        monkeypatch.setattr(primitives, "SOCKETS_PER_LOOP", WINDOWS_TEST_SOCKETS_PER_LOOP)
    return mode


@pytest.fixture
def fast(mode: str) -> bool:
    """The selector loop and the fast packet path (Linux or Windows primitives)."""
    return mode != "stock"


@pytest.fixture
def transport(lab_server: LabServer, fast: bool) -> Iterator[paramiko.Transport]:
    t = open_transport(lab_server)
    assert t.local_cipher == "aes128-gcm@openssh.com"
    assert isinstance(t.packetizer, fastpath.FastPacketizer) == fast
    yield t
    t.close()


def connect(port: int) -> socket.socket:
    return socket.create_connection(("127.0.0.1", port), timeout=30.0)


def recv_exact(sock: socket.socket, n: int) -> bytes:
    buf = bytearray()
    while len(buf) < n:
        got = sock.recv(min(n - len(buf), MiB))
        assert got, f"EOF after {len(buf)} of {n} bytes"
        buf += got
    return bytes(buf)


def recv_to_eof(sock: socket.socket) -> bytes:
    buf = bytearray()
    while chunk := sock.recv(MiB):
        buf += chunk
    return bytes(buf)


def open_fds() -> set[int]:
    return {int(fd) for fd in os.listdir("/proc/self/fd")}


def named_threads(prefix: str) -> list[str]:
    return [t.name for t in threading.enumerate() if t.name.startswith(prefix)]


def sink_upload(port: int, payload: bytes) -> bytes:
    """Send ``payload`` to the sink through the forward, half-close, return its answer."""
    with connect(port) as client:
        client.sendall(payload)
        client.shutdown(socket.SHUT_WR)
        return recv_to_eof(client)


def echo_round(port: int, payload: bytes, pause_reading: float = 0.0) -> bytes:
    """Echo ``payload`` (sent from a thread); optionally stop reading for a while."""
    with connect(port) as client:
        sender = threading.Thread(target=client.sendall, args=(payload,), daemon=True)
        sender.start()
        time.sleep(pause_reading)
        data = recv_exact(client, len(payload))
        sender.join(30)
        client.shutdown(socket.SHUT_WR)
        assert recv_to_eof(client) == b""
    return data


def test_bytes_arrive_intact_both_ways(
    transport: paramiko.Transport,
    sink_service: RemoteService,
    echo_service: RemoteService,
    fast: bool,
) -> None:
    up = os.urandom(8 * MiB + 123)
    down = os.urandom(6 * MiB + 7)
    with LocalForwarder(opener(transport), (sink_service.host, sink_service.port)) as sink:
        answer = sink_upload(sink.port, up)
        assert answer == f"{len(up)} {hashlib.sha256(up).hexdigest()}\n".encode()
        assert sink.stats().bytes_to_remote == len(up)
    with LocalForwarder(
        opener(transport), (echo_service.host, echo_service.port), name="echo"
    ) as echo:
        got = echo_round(echo.port, down)
        assert hashlib.sha256(got).hexdigest() == hashlib.sha256(down).hexdigest()
        stats = echo.stats()
        with connect(echo.port) as client:
            client.sendall(b"?")
            assert recv_exact(client, 1) == b"?"
            # the fast way needs no thread per connection and direction
            assert bool(named_threads("echo-conn-2-down")) == (not fast)
    assert stats.bytes_from_remote == len(down)
    assert stats.bytes_to_remote == len(down)


def test_a_client_that_stops_reading_loses_nothing(
    transport: paramiko.Transport, echo_service: RemoteService
) -> None:
    payload = os.urandom(24 * MiB)  # far more than the window and the socket buffers
    with LocalForwarder(opener(transport), (echo_service.host, echo_service.port)) as fwd:
        got = echo_round(fwd.port, payload, pause_reading=1.5)
    assert got == payload


def test_key_exchanges_during_transfers_lose_nothing(
    transport: paramiko.Transport, remote_services: ServiceFactory
) -> None:
    # paramiko re-keys every 512 MiB; make it every 2 MiB, in both directions
    transport.packetizer.REKEY_BYTES = 2 * MiB
    sink, echo = remote_services.sink(), remote_services.echo()
    up = os.urandom(20 * MiB)
    with (
        LocalForwarder(opener(transport), (sink.host, sink.port)) as to_sink,
        LocalForwarder(opener(transport), (echo.host, echo.port)) as to_echo,
    ):
        results: dict[str, bytes] = {}
        t = threading.Thread(target=lambda: results.update(echo=echo_round(to_echo.port, up)))
        t.start()
        results["sink"] = sink_upload(to_sink.port, up)
        t.join(120)
    assert results["sink"] == f"{len(up)} {hashlib.sha256(up).hexdigest()}\n".encode()
    assert results["echo"] == up
    assert transport.is_active()


def test_200_simultaneous_connections_are_all_served(
    transport: paramiko.Transport, echo_service: RemoteService, mode: str
) -> None:
    count = 200
    name = f"many{os.getpid()}"
    most_loops = 0
    errors: list[BaseException] = []
    start = threading.Barrier(count)

    def client() -> None:
        try:
            start.wait(30)
            with connect(fwd.port) as sock:
                for _ in range(10):
                    msg = os.urandom(1024)
                    sock.sendall(msg)
                    assert recv_exact(sock, 1024) == msg
        except BaseException as e:  # collected and reported below
            errors.append(e)

    with LocalForwarder(
        opener(transport), (echo_service.host, echo_service.port), name=name
    ) as fwd:
        threads = [threading.Thread(target=client) for _ in range(count)]
        for t in threads:
            t.start()
        while any(t.is_alive() for t in threads):
            most_loops = max(most_loops, len(named_threads(f"{name}-pump")))
            time.sleep(0.01)
        stats = fwd.stats()
    assert errors == []
    if mode == "windows":  # more connections at once than one loop takes: more loops
        assert most_loops >= 2
    elif mode == "fast":
        assert most_loops == 1
    assert stats.connections_total == count
    assert stats.open_failures == 0
    assert stats.bytes_to_remote == count * 10 * 1024


def test_close_with_busy_connections_is_prompt_and_leaves_nothing(
    lab_server: LabServer, echo_service: RemoteService, fast: bool
) -> None:
    fds = open_fds()
    transport = open_transport(lab_server)
    name = f"busy{os.getpid()}"
    fwd = LocalForwarder(opener(transport), (echo_service.host, echo_service.port), name=name)
    fwd.start()
    clients = [connect(fwd.port) for _ in range(20)]
    for client in clients:
        client.sendall(b"hello")
        assert recv_exact(client, 5) == b"hello"
    # one client keeps data moving both ways while we close
    stop = threading.Event()

    def stream() -> None:
        with contextlib.suppress(OSError):
            while not stop.is_set():
                clients[0].sendall(os.urandom(256 * 1024))

    streamer = threading.Thread(target=stream, daemon=True)
    streamer.start()
    time.sleep(0.3)

    started = time.monotonic()
    fwd.close()
    took = time.monotonic() - started
    stop.set()
    assert took < 1.0
    for client in clients[1:]:
        client.settimeout(5.0)
        assert recv_to_eof(client) == b""
    streamer.join(5)
    assert fwd.wait_closed(5.0)
    assert named_threads(f"{name}-") == []
    for client in clients:
        client.close()
    transport.close()
    deadline = time.monotonic() + 5
    while open_fds() - fds and time.monotonic() < deadline:
        time.sleep(0.05)  # paramiko's transport thread ends on its own schedule
    assert open_fds() - fds == set()


def test_a_lost_session_ends_its_connections_and_the_next_one_takes_over(
    lab_server: LabServer, echo_service: RemoteService, fast: bool
) -> None:
    sessions = [open_transport(lab_server)]

    def open_channel(dest: tuple[str, int], origin: tuple[str, int]) -> paramiko.Channel:
        return opener(sessions[-1])(dest, origin)

    try:
        with LocalForwarder(open_channel, (echo_service.host, echo_service.port)) as fwd:
            with connect(fwd.port) as old:
                old.sendall(b"one")
                assert recv_exact(old, 3) == b"one"
                sessions[0].close()  # the session dies under an open connection
                old.settimeout(10.0)
                assert recv_to_eof(old) == b""
            sessions.append(open_transport(lab_server))  # what the tunnel layer does
            port_before = fwd.port
            with connect(fwd.port) as new:
                new.sendall(b"two")
                assert recv_exact(new, 3) == b"two"
            assert fwd.port == port_before
    finally:
        for t in sessions:
            t.close()


def test_through_a_jump_host(
    lab_server: LabServer,
    sink_service: RemoteService,
    echo_service: RemoteService,
    fast: bool,
) -> None:
    outer = open_transport(lab_server)
    inner = open_transport(lab_server, via=outer)  # SSH inside a direct-tcpip channel
    try:
        assert isinstance(inner.packetizer, fastpath.FastPacketizer) == fast
        payload = os.urandom(6 * MiB + 3)
        with LocalForwarder(opener(inner), (sink_service.host, sink_service.port)) as sink:
            answer = sink_upload(sink.port, payload)
        assert answer == f"{len(payload)} {hashlib.sha256(payload).hexdigest()}\n".encode()
        with LocalForwarder(opener(inner), (echo_service.host, echo_service.port)) as echo:
            assert echo_round(echo.port, payload) == payload
    finally:
        inner.close()
        outer.close()


def test_1000_idle_connections_take_a_few_threads(
    transport: paramiko.Transport,
    echo_service: RemoteService,
    mode: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if mode == "stock":
        pytest.skip("the stock-paramiko fallback takes two threads per connection")
    if mode == "windows":  # the real figure: select() on Windows takes 512 sockets
        monkeypatch.setattr(primitives, "SOCKETS_PER_LOOP", 500)
    name = f"idle{os.getpid()}"
    clients: list[socket.socket] = []
    with LocalForwarder(
        opener(transport), (echo_service.host, echo_service.port), name=name
    ) as fwd:
        try:
            for _ in range(1000):
                clients.append(connect(fwd.port))
            for sock in clients:
                sock.sendall(b"!")
            for sock in clients:
                assert recv_exact(sock, 1) == b"!"  # all 1,000 open and working
            deadline = time.monotonic() + 10
            while any("-open-" in t for t in named_threads(f"{name}-")):
                assert time.monotonic() < deadline
                time.sleep(0.05)
            loops = named_threads(f"{name}-pump")
            assert len(loops) == (2 if mode == "windows" else 1), loops
            assert fwd.stats().connections_active == 1000
        finally:
            for sock in clients:
                sock.close()


class _GatheringWrites:
    """Counts sendmsg (an audit event) and os.writev calls while switched on."""

    def __init__(self) -> None:
        self.on = False
        self.sendmsg = 0
        self.writev = 0

    def audit(self, event: str, _args: tuple[object, ...]) -> None:
        if self.on and event == "socket.sendmsg":
            self.sendmsg += 1


_GATHERING = _GatheringWrites()
sys.addaudithook(_GATHERING.audit)  # audit hooks stay for the process: gated by .on


def test_the_windows_path_never_gathers_writes(
    transport: paramiko.Transport,
    echo_service: RemoteService,
    mode: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """What a Windows machine runs uses neither sendmsg nor writev (it has neither);
    the Linux fast path uses them (so the counting works)."""
    if mode == "stock":
        pytest.skip("paramiko's own code")
    real_writev = os.writev

    def counting_writev(fd: int, buffers: list[bytes]) -> int:
        if _GATHERING.on:
            _GATHERING.writev += 1
        return real_writev(fd, buffers)

    monkeypatch.setattr(os, "writev", counting_writev)
    _GATHERING.sendmsg = _GATHERING.writev = 0
    payload = os.urandom(8 * MiB)
    with LocalForwarder(opener(transport), (echo_service.host, echo_service.port)) as fwd:
        _GATHERING.on = True
        try:
            assert echo_round(fwd.port, payload) == payload
        finally:
            _GATHERING.on = False
    if mode == "windows":
        assert (_GATHERING.sendmsg, _GATHERING.writev) == (0, 0)
    else:
        assert _GATHERING.sendmsg > 0 and _GATHERING.writev > 0

"""Load through a real tunnel: 1,000 concurrent connections and 2 GiB each way, every byte
checked, and nothing left behind after close."""

from __future__ import annotations

import hashlib
import os
import selectors
import socket
import threading
import time
from pathlib import Path

import pytest
from tests.harness import LabServer, RemoteService
from tests.integration.tunnel_helpers import EventLog, make_tunnel, remote_target

from labtunnel.core.events import TunnelState
from labtunnel.core.ssh.hostkeys import HostKeyStore

pytestmark = pytest.mark.integration

BLOCK = 1 << 20


def open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def lab_threads() -> set[str]:
    return {
        t.name
        for t in threading.enumerate()
        if t.name.startswith(("fwd-", "tunnel-", "keepalive-"))
    }


def concurrent_echoes(port: int, count: int, size: int = 1024) -> tuple[int, float]:
    """Open ``count`` connections at once, echo ``size`` bytes on each; returns errors."""
    started = time.monotonic()
    errors = 0
    selector = selectors.DefaultSelector()
    expected: dict[socket.socket, tuple[bytes, bytearray]] = {}
    for _ in range(count):
        sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        payload = os.urandom(size)
        expected[sock] = (payload, bytearray())
    for sock, (payload, _) in expected.items():
        sock.sendall(payload)
        sock.setblocking(False)
        selector.register(sock, selectors.EVENT_READ)
    deadline = time.monotonic() + 120
    pending = len(expected)
    while pending and time.monotonic() < deadline:
        for key, _ in selector.select(timeout=1):
            ready = key.fileobj
            assert isinstance(ready, socket.socket)
            payload, got = expected[ready]
            try:
                chunk = ready.recv(65536)
            except BlockingIOError:
                continue
            except OSError:
                chunk = b""
            got += chunk
            if not chunk or len(got) >= len(payload):
                selector.unregister(ready)
                pending -= 1
                if bytes(got) != payload:
                    errors += 1
    errors += pending
    for sock in expected:
        sock.close()
    selector.close()
    return errors, time.monotonic() - started


def pattern_block(index: int, seed: bytes) -> bytes:
    head = hashlib.sha256(seed + index.to_bytes(8, "big")).digest()
    return (head * (BLOCK // len(head)))[:BLOCK]


def bulk_echo(port: int, total: int) -> tuple[bool, float]:
    """Send ``total`` bytes while reading the echo back; compare sha256 of both."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=60)
    seed = os.urandom(16)
    sent_hash = hashlib.sha256()
    received_hash = hashlib.sha256()
    received = 0

    def writer() -> None:
        for index in range(total // BLOCK):
            block = pattern_block(index, seed)
            sent_hash.update(block)
            sock.sendall(block)
        sock.shutdown(socket.SHUT_WR)

    started = time.monotonic()
    thread = threading.Thread(target=writer, name="bulk-writer")
    thread.start()
    while chunk := sock.recv(1 << 20):
        received_hash.update(chunk)
        received += len(chunk)
    thread.join(60)
    sock.close()
    seconds = time.monotonic() - started
    return received == total and sent_hash.digest() == received_hash.digest(), seconds


def test_thousand_concurrent_and_two_gib_each_way(
    lab_server: LabServer,
    trusted_hostkeys: HostKeyStore,
    tmp_path: Path,
    echo_service: RemoteService,
) -> None:
    lab_server.require_password_auth()
    fds_before, threads_before = open_fds(), lab_threads()
    log = EventLog()
    tunnel, _ = make_tunnel(
        lab_server,
        trusted_hostkeys,
        tmp_path,
        remote_target(echo_service.host, echo_service.port),
        log,
    )
    tunnel.start()
    try:
        _, status = log.wait_state(TunnelState.CONNECTED, 30)
        assert status.local_port
        errors, burst_seconds = concurrent_echoes(status.local_port, 1000)
        assert errors == 0
        ok, bulk_seconds = bulk_echo(status.local_port, 2 << 30)
        assert ok
    finally:
        tunnel.stop()
        assert tunnel.join(15)
    deadline = time.monotonic() + 10
    while (
        open_fds() > fds_before or lab_threads() - threads_before
    ) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert lab_threads() - threads_before == set()
    assert open_fds() <= fds_before
    rate = 2 * (2 << 30) / bulk_seconds / 1e6
    print(
        f"load: 1000 concurrent echoes in {burst_seconds:.2f} s, 0 errors; 2 GiB each way "
        f"(echo, both at once) in {bulk_seconds:.1f} s = {rate:.0f} MB/s combined"
    )


def test_the_profile_limits_what_the_port_takes_on(
    lab_server: LabServer,
    echo_service: RemoteService,
    trusted_hostkeys: HostKeyStore,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Any local program can connect to the forwarded port: past the profile's
    max_connections a connection is closed at once (and logged), the others go on."""
    log = EventLog()
    tunnel, _ = make_tunnel(
        lab_server,
        trusted_hostkeys,
        tmp_path,
        remote_target(echo_service.host, echo_service.port),
        log,
        max_connections=5,
        max_channel_opens=2,
    )
    tunnel.start()
    try:
        _, status = log.wait_state(TunnelState.CONNECTED, 30)
        assert status.local_port
        served = [socket.create_connection(("127.0.0.1", status.local_port)) for _ in range(5)]
        for sock in served:
            sock.sendall(b"hi")
            assert sock.recv(2) == b"hi"
        with socket.create_connection(("127.0.0.1", status.local_port), timeout=5) as extra:
            assert extra.recv(1) == b""  # closed at once
        for sock in served:  # the five are unharmed
            sock.sendall(b"ok")
            assert sock.recv(2) == b"ok"
            sock.close()
    finally:
        tunnel.stop()
        assert tunnel.join(10)
    assert any("max_connections" in r.getMessage() for r in caplog.records)

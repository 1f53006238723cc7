"""A hostile SSH server against LabTunnel's fast packet path (issue 12, item 2).

The 4-byte length of an SSH packet is read before the packet can be authenticated:
anyone on the path can write anything there. Here a real SSH server (paramiko's, on
loopback) lets the client log in, then writes a packet header claiming gigabytes and
keeps the connection open. The client runs in its own process, with its address space
capped at 1 GiB and its peak memory read from /proc, on the Linux fast path and on the
Windows path: it must refuse the length at once, end the session with a clear error and
set nothing aside for the claim. (Before the fix it set aside what the header claimed:
3.1 GB for 3 GiB, here a MemoryError under the cap.)
"""

from __future__ import annotations

import json
import os
import socket
import struct
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator
from pathlib import Path

import paramiko
import pytest
from paramiko.common import AUTH_SUCCESSFUL

from labtunnel.core.ssh.fast import packetizer

pytestmark = pytest.mark.integration

APP = Path(__file__).resolve().parents[2] / "app"

CLIENT = textwrap.dedent(
    """
    import json, resource, socket, sys, time
    limit = 1 << 30
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    import paramiko
    from labtunnel.core.ssh.fast import packetizer, primitives
    from labtunnel.core.ssh.fast.transport import tune_transport
    port, windows = int(sys.argv[1]), sys.argv[2] == "windows"
    if windows:
        primitives.HAS_SENDMSG = primitives.HAS_WRITEV = False
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    t = paramiko.Transport(sock)
    tune_transport(t)
    t.start_client(timeout=10)
    t.auth_publickey("lab", paramiko.ECDSAKey.generate())
    fast = isinstance(t.packetizer, packetizer.FastPacketizer)
    print("authenticated", flush=True)
    deadline = time.monotonic() + 10
    while t.is_active() and time.monotonic() < deadline:
        time.sleep(0.02)
    error = getattr(t, "saved_exception", None)
    peak_kb = 0
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            peak_kb = int(line.split()[1])
    print(json.dumps({
        "active": t.is_active(),
        "fast": fast,
        "cipher": t.remote_cipher,
        "error": type(error).__name__ if error else None,
        "message": str(error) if error else "",
        "peak_mb": peak_kb / 1024,
    }), flush=True)
    t.close()
    """
)


class _LetAnyoneIn(paramiko.ServerInterface):
    def get_allowed_auths(self, username: str) -> str:
        return "publickey"

    def check_auth_publickey(self, username: str, key: paramiko.PKey) -> int:
        return AUTH_SUCCESSFUL


class HostileServer:
    """Logs the client in, then (when told) writes ``claim`` as the next packet's length."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.host_key = paramiko.ECDSAKey.generate()
        self.raw: socket.socket | None = None
        self.transport: paramiko.Transport | None = None
        self.ready = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        raw, _ = self.listener.accept()
        self.raw = raw
        transport = paramiko.Transport(raw)
        transport.add_server_key(self.host_key)
        transport.start_server(server=_LetAnyoneIn())
        self.transport = transport
        self.ready.set()

    def claim(self, length: int) -> None:
        """A packet header the client reads before it can check anything; then silence."""
        assert self.ready.wait(10) and self.raw is not None
        self.raw.sendall(struct.pack(">I", length) + os.urandom(64))

    def close(self) -> None:
        if self.transport is not None:
            self.transport.close()
        if self.raw is not None:
            self.raw.close()
        self.listener.close()
        self.thread.join(5)


@pytest.fixture
def hostile() -> Iterator[HostileServer]:
    server = HostileServer()
    yield server
    server.close()


@pytest.mark.parametrize("path", ["fast", "windows"])
@pytest.mark.parametrize("claim", [3 << 30, packetizer.MAX_PACKET_LENGTH + 1])
def test_a_packet_length_over_the_limit_is_refused_without_setting_memory_aside(
    hostile: HostileServer, path: str, claim: int
) -> None:
    if not packetizer.FAST_PATH_AVAILABLE:
        pytest.skip("this paramiko does not have what the fast paths need")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(APP), os.environ.get("PYTHONPATH", "")]))
    client = subprocess.Popen(
        [sys.executable, "-c", CLIENT, str(hostile.port), path],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert client.stdout is not None
        assert client.stdout.readline().strip() == "authenticated", client.stderr.read()  # type: ignore[union-attr]
        hostile.claim(claim)
        result = json.loads(client.stdout.readline())
    finally:
        client.wait(30)
        for stream in (client.stdout, client.stderr):
            if stream is not None:
                stream.close()
    assert result["fast"] and result["cipher"] == "aes128-gcm@openssh.com"
    assert result["active"] is False, "the session must end, not wait for the data"
    assert result["error"] == "SSHException", result
    assert str(claim) in result["message"] and "limit" in result["message"]
    assert result["peak_mb"] < 200, f"{result['peak_mb']:.0f} MB at the peak"


def test_the_limit_is_openssh_s() -> None:
    # OpenSSH's PACKET_MAX_SIZE; sshd never sends more, so nothing real is refused
    assert packetizer.MAX_PACKET_LENGTH == 256 * 1024

"""Channels to Unix sockets (direct-streamlocal@openssh.com, core/ssh/fast/streamlocal.py)
against the real OpenSSH lab server: data both ways, another user kept out by the socket's
permissions, sshd configured to refuse (AllowStreamLocalForwarding no, DisableForwarding),
and Dropbear, which has no such channel type."""

from __future__ import annotations

import dataclasses
import hashlib
import os
from collections.abc import Iterator
from pathlib import Path

import paramiko
import pytest
from tests.harness import LabServer, ServiceFactory, TestUser
from tests.harness.dropbear import DropbearServer, start_dropbear
from tests.integration.installed_app import private_dir

from labtunnel.core.errors import SocketForwardingRefused, SocketRefusal
from labtunnel.core.profiles.model import AuthMethod
from labtunnel.core.ssh.auth import Credentials
from labtunnel.core.ssh.fast import streamlocal
from labtunnel.core.ssh.hostkeys import HostKeyStore, host_entry_name
from labtunnel.core.ssh.session import SshEndpoint, SshSession

pytestmark = pytest.mark.integration


def key_session(lab: LabServer, user: TestUser, tmp_path: Path, port: int = 0) -> SshSession:
    endpoint = SshEndpoint(
        host=lab.host,
        port=port or lab.port,
        username=user.name,
        auth=AuthMethod.KEY,
        key_path=str(lab.keys.ed25519),
        pinned_fingerprints=tuple(lab.host_key_fingerprints.values()),
        connect_timeout=10,
    )
    return SshSession.open(endpoint, Credentials(), HostKeyStore(tmp_path / "known_hosts"))


@dataclasses.dataclass(frozen=True)
class UnixEcho:
    user: TestUser
    path: str


@pytest.fixture(scope="module")
def unix_echo(lab_server: LabServer) -> Iterator[UnixEcho]:
    """An echo server of the test user on a socket in a 0700 folder of their home."""
    lab_server.require_password_auth()  # real users: root
    user = lab_server.user
    folder = f"{user.home}/.lt-streamlocal-test"
    lab_server.ns_exec(["mkdir", "-p", "-m", "700", folder], user, check=True)
    factory = ServiceFactory(lab_server)
    try:
        path = f"{folder}/echo.sock"
        factory.unix_echo(user, path)
        yield UnixEcho(user, path)
    finally:
        factory.close()
        lab_server.ns_exec(["rm", "-rf", folder], user)


def echo_through(channel: paramiko.Channel, payload: bytes) -> bytes:
    channel.sendall(payload)
    channel.shutdown_write()
    received = bytearray()
    while chunk := channel.recv(1 << 20):
        received += chunk
    channel.close()
    return bytes(received)


def test_this_paramiko_passes_the_probe() -> None:
    # if this fails, a paramiko release changed its channel bookkeeping: read
    # core/ssh/fast/streamlocal.py against it before switching the probe back on
    assert streamlocal.STREAMLOCAL_AVAILABLE, paramiko.__version__


def test_channel_to_a_unix_socket_carries_data_both_ways(
    lab_server: LabServer, unix_echo: UnixEcho, tmp_path: Path
) -> None:
    payload = os.urandom(3 * 1024 * 1024)
    with key_session(lab_server, unix_echo.user, tmp_path) as session:
        received = echo_through(session.open_unix_channel(unix_echo.path), payload)
        assert hashlib.sha256(received).digest() == hashlib.sha256(payload).digest()
        # many channels on one session, opened one after another and side by side
        channels = [session.open_unix_channel(unix_echo.path) for _ in range(20)]
        for number, channel in enumerate(channels):
            assert echo_through(channel, b"hello %d" % number) == b"hello %d" % number
        # the session is still fine for commands afterwards
        assert session.run("id -un", timeout=10).stdout.strip() == unix_echo.user.name


def test_missing_socket_is_refused_and_the_session_survives(
    lab_server: LabServer, unix_echo: UnixEcho, tmp_path: Path
) -> None:
    with key_session(lab_server, unix_echo.user, tmp_path) as session:
        with pytest.raises(SocketForwardingRefused) as caught:
            session.open_unix_channel(unix_echo.path + ".missing")
        assert caught.value.reason is SocketRefusal.REFUSED
        assert echo_through(session.open_unix_channel(unix_echo.path), b"ok") == b"ok"


def test_another_user_cannot_reach_the_socket(
    lab_server: LabServer, unix_echo: UnixEcho, tmp_path: Path
) -> None:
    other = lab_server.require_other_user()
    # on the server itself: the folder (0700) and the socket (0600) keep them out
    tried = lab_server.ns_exec(
        [
            "/usr/bin/python3",
            "-c",
            "import socket, sys\n"
            "s = socket.socket(socket.AF_UNIX)\n"
            "try:\n    s.connect(sys.argv[1])\n"
            "except PermissionError:\n    print('denied')\n"
            "else:\n    print('connected')\n",
            unix_echo.path,
        ],
        other,
        check=True,
    )
    assert tried.stdout.strip() == "denied"
    # and through their own SSH session: sshd connects as them, so it fails the same way
    with (
        key_session(lab_server, other, tmp_path) as session,
        pytest.raises(SocketForwardingRefused),
    ):
        session.open_unix_channel(unix_echo.path)


@pytest.mark.parametrize(
    "config", [["AllowStreamLocalForwarding no"], ["DisableForwarding yes"]], ids=str
)
def test_sshd_that_refuses_unix_socket_forwarding(
    lab_server: LabServer, unix_echo: UnixEcho, tmp_path: Path, config: list[str]
) -> None:
    port = lab_server.start_sshd_variant(config)
    try:
        with key_session(lab_server, unix_echo.user, tmp_path, port) as session:
            with pytest.raises(SocketForwardingRefused) as caught:
                session.open_unix_channel(unix_echo.path)
            assert caught.value.reason is SocketRefusal.REFUSED
            assert session.run("true", timeout=10).exit_status == 0
        assert "refused streamlocal port forward" in lab_server.variant_log(port).read_text()
    finally:
        lab_server.stop_sshd_variant(port)


@pytest.fixture(scope="module")
def dropbear(lab_server: LabServer) -> Iterator[DropbearServer]:
    with private_dir("dropbear-streamlocal") as work:
        server = start_dropbear(lab_server, work)
        try:
            yield server
        finally:
            server.close()


def test_dropbear_has_no_unix_socket_channels(
    dropbear: DropbearServer, unix_echo: UnixEcho, tmp_path: Path
) -> None:
    lab = dropbear.lab
    known = tmp_path / "known_hosts"
    name = host_entry_name(dropbear.host, dropbear.port)
    known.write_text("".join(f"{name} {line}\n" for line in dropbear.host_public_keys.values()))
    endpoint = SshEndpoint(
        host=dropbear.host,
        port=dropbear.port,
        username=unix_echo.user.name,
        auth=AuthMethod.KEY,
        key_path=str(lab.keys.ed25519),
        connect_timeout=10,
    )
    with SshSession.open(endpoint, Credentials(), HostKeyStore(known)) as session:
        with pytest.raises(SocketForwardingRefused) as caught:
            session.open_unix_channel(unix_echo.path)
        assert caught.value.reason is SocketRefusal.UNSUPPORTED
        assert session.run("true", timeout=10).exit_status == 0


def test_switched_off_probe_is_reported_as_the_clients_limit(
    lab_server: LabServer,
    unix_echo: UnixEcho,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(streamlocal, "STREAMLOCAL_AVAILABLE", False)
    with key_session(lab_server, unix_echo.user, tmp_path) as session:
        with pytest.raises(SocketForwardingRefused) as caught:
            session.open_unix_channel(unix_echo.path)
        assert caught.value.reason is SocketRefusal.CLIENT

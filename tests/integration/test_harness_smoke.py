"""The harness itself, checked with plain paramiko (RejectPolicy + the harness's host keys)."""

from __future__ import annotations

import base64
import hashlib
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import keyring
import paramiko
import pytest
from tests.harness import HttpService, LabServer, RemoteService

pytestmark = pytest.mark.integration


def make_client(public_keys: dict[str, str], host: str, port: int) -> paramiko.SSHClient:
    client = paramiko.SSHClient()
    client.set_missing_host_key_policy(paramiko.RejectPolicy())
    name = host if port == 22 else f"[{host}]:{port}"
    for line in public_keys.values():
        key_type, blob = line.split()[:2]
        key = paramiko.PKey.from_type_string(key_type, base64.b64decode(blob))
        client.get_host_keys().add(name, key_type, key)
    return client


CONNECT: dict[str, Any] = {
    "look_for_keys": False,
    "allow_agent": False,
    "timeout": 10,
    "banner_timeout": 10,
    "auth_timeout": 15,
}


def connect(lab: LabServer, port: int | None = None, **auth: Any) -> paramiko.SSHClient:
    client = make_client(lab.host_public_keys, lab.host, port or lab.port)
    client.connect(lab.host, port=port or lab.port, username=lab.user.name, **auth, **CONNECT)
    return client


def run_remote(client: paramiko.SSHClient, command: str) -> str:
    _, stdout, _ = client.exec_command(command, timeout=10)
    return str(stdout.read().decode().strip())


@pytest.fixture
def ssh(lab_server: LabServer) -> Iterator[paramiko.SSHClient]:
    client = connect(lab_server, key_filename=str(lab_server.keys.ed25519))
    yield client
    client.close()


def tunnel_roundtrip(client: paramiko.SSHClient, service: RemoteService, payload: bytes) -> bytes:
    transport = client.get_transport()
    assert transport is not None
    channel = transport.open_channel(
        "direct-tcpip", (service.host, service.port), ("127.0.0.1", 0), timeout=10
    )
    channel.settimeout(10)
    channel.sendall(payload)
    channel.shutdown_write()
    received = b""
    while chunk := channel.recv(65536):
        received += chunk
    channel.close()
    return received


# --- logging in -------------------------------------------------------------------------


def test_password_login(lab_server: LabServer) -> None:
    lab_server.require_password_auth()
    client = connect(lab_server, password=lab_server.user.password)
    try:
        assert run_remote(client, "id -un") == lab_server.user.name
        transport = client.get_transport()
        assert transport is not None
        served = transport.get_remote_server_key().fingerprint
        assert served in lab_server.host_key_fingerprints.values()
    finally:
        client.close()


def test_wrong_password_is_refused(lab_server: LabServer) -> None:
    lab_server.require_password_auth()
    with pytest.raises(paramiko.AuthenticationException):
        connect(lab_server, password=lab_server.user.password + "x")


@pytest.mark.parametrize("name", ["ed25519", "ed25519_encrypted", "rsa_pem_encrypted", "ecdsa"])
def test_each_key_logs_in(lab_server: LabServer, name: str) -> None:
    keys = lab_server.keys
    passphrase = {
        "ed25519_encrypted": keys.ed25519_passphrase,
        "rsa_pem_encrypted": keys.rsa_passphrase,
    }.get(name)
    path: Path = getattr(keys, name)
    if passphrase:
        # paramiko 5.1's PKey.from_path raises TypeError here, its per-type loaders
        # PasswordRequiredException: either proves the file is encrypted.
        with pytest.raises((paramiko.PasswordRequiredException, TypeError)):
            paramiko.PKey.from_path(path)
    # bytes, as paramiko needs at run time (types-paramiko wrongly says str).
    secret = passphrase.encode() if passphrase else None
    pkey = paramiko.PKey.from_path(path, password=secret)  # type: ignore[arg-type]
    assert pkey.fingerprint == keys.fingerprints[name]
    client = connect(lab_server, pkey=pkey)
    try:
        assert run_remote(client, "id -un") == lab_server.user.name
    finally:
        client.close()


def test_unauthorized_key_is_refused(lab_server: LabServer) -> None:
    with pytest.raises(paramiko.AuthenticationException):
        connect(lab_server, key_filename=str(lab_server.keys.unauthorized))


def test_unknown_host_key_is_rejected(lab_server: LabServer) -> None:
    client = make_client({}, lab_server.host, lab_server.port)
    with pytest.raises(paramiko.SSHException, match="not found in known_hosts"):
        client.connect(
            lab_server.host,
            port=lab_server.port,
            username=lab_server.user.name,
            key_filename=str(lab_server.keys.ed25519),
            **CONNECT,
        )
    client.close()


@pytest.mark.parametrize(
    ("kind", "algorithm"),
    [("ed25519", "ssh-ed25519"), ("ecdsa", "ecdsa-sha2-nistp256"), ("rsa", "rsa-sha2-512")],
)
def test_every_host_key_fingerprint_is_served(
    lab_server: LabServer, kind: str, algorithm: str
) -> None:
    with socket.create_connection((lab_server.host, lab_server.port), timeout=10) as sock:
        transport = paramiko.Transport(sock)
        try:
            transport.get_security_options().key_types = (algorithm,)
            transport.start_client(timeout=10)
            served = transport.get_remote_server_key().fingerprint
        finally:
            transport.close()
    assert served == lab_server.host_key_fingerprints[kind]


# --- what is reachable from where -------------------------------------------------------


def test_echo_service_only_through_ssh(
    lab_server: LabServer, ssh: paramiko.SSHClient, echo_service: RemoteService
) -> None:
    lab_server.require_netns()
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection((lab_server.host, echo_service.port), timeout=5)
    payload = bytes(range(256)) * 1024
    assert tunnel_roundtrip(ssh, echo_service, payload) == payload


def test_sink_service_counts_and_hashes(
    ssh: paramiko.SSHClient, sink_service: RemoteService
) -> None:
    payload = b"labtunnel" * 100_000
    answer = tunnel_roundtrip(ssh, sink_service, payload)
    assert answer == f"{len(payload)} {hashlib.sha256(payload).hexdigest()}\n".encode()


def test_http_service_through_ssh(ssh: paramiko.SSHClient, http_service: HttpService) -> None:
    request = (
        f"GET {http_service.url_path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    ).encode()
    response = tunnel_roundtrip(ssh, http_service, request)
    head, _, body = response.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.") and b" 200 " in head.split(b"\r\n")[0]
    assert len(body) == http_service.size
    assert hashlib.sha256(body).hexdigest() == http_service.sha256
    assert body == http_service.local_copy.read_bytes()


def test_jump_sshd_only_via_first_hop(lab_server: LabServer, ssh: paramiko.SSHClient) -> None:
    lab_server.require_netns()
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection((lab_server.host, lab_server.jump_target_port), timeout=5)
    transport = ssh.get_transport()
    assert transport is not None
    target = (lab_server.jump_target_host, lab_server.jump_target_port)
    channel = transport.open_channel("direct-tcpip", target, ("127.0.0.1", 0), timeout=10)
    inner = make_client(lab_server.jump_target_public_keys, *target)
    try:
        inner.connect(
            lab_server.jump_target_host,
            port=lab_server.jump_target_port,
            username=lab_server.user.name,
            key_filename=str(lab_server.keys.ecdsa),
            sock=channel,
            **CONNECT,
        )
        inner_transport = inner.get_transport()
        assert inner_transport is not None
        served = inner_transport.get_remote_server_key().fingerprint
        assert served in lab_server.jump_target_fingerprints.values()
        assert served not in lab_server.host_key_fingerprints.values()
        assert run_remote(inner, "id -un") == lab_server.user.name
    finally:
        inner.close()


# --- helpers on the server --------------------------------------------------------------


def test_ns_exec_as_users_and_isolation(lab_server: LabServer) -> None:
    other = lab_server.require_other_user()
    me = lab_server.ns_exec(["id", "-un"], user=lab_server.user, check=True)
    assert me.stdout.strip() == lab_server.user.name
    secret_file = lab_server.write_user_file(lab_server.user, "private/note.txt", "mine", 0o600)
    assert lab_server.ns_exec(["cat", secret_file], user=lab_server.user).stdout == "mine"
    peek = lab_server.ns_exec(["cat", secret_file], user=other)
    assert peek.returncode != 0 and "Permission denied" in peek.stderr


def test_jupyter_venv_runs_as_test_user(lab_server: LabServer) -> None:
    jupyter = lab_server.require_jupyter()
    result = lab_server.ns_exec([jupyter, "server", "--version"], user=lab_server.user)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip()[0].isdigit()


def test_notebook6_venv_has_no_lab(lab_server: LabServer) -> None:
    jupyter = lab_server.require_notebook6()
    user = lab_server.user
    version = lab_server.ns_exec([jupyter, "notebook", "--version"], user, check=True)
    assert version.stdout.strip().startswith("6.")
    lab = lab_server.ns_exec([jupyter, "lab", "--version"], user)
    assert lab.returncode != 0 and "jupyter-lab" in lab.stderr + lab.stdout


def test_added_zsh_user_logs_in_and_is_removed(lab_server: LabServer) -> None:
    user = lab_server.add_user("smoke", shell="/usr/bin/zsh")
    try:
        assert Path(user.home, ".bashrc").exists()  # Debian's skeleton
        client = make_client(lab_server.host_public_keys, lab_server.host, lab_server.port)
        client.connect(
            lab_server.host,
            port=lab_server.port,
            username=user.name,
            key_filename=str(lab_server.keys.ed25519),
            **CONNECT,
        )
        try:
            assert run_remote(client, "echo ${ZSH_VERSION:-not zsh}")[0].isdigit()
        finally:
            client.close()
    finally:
        lab_server.remove_user(user)
    assert not Path(user.home).exists()


def test_variant_sshd_without_forwarding(
    lab_server: LabServer, echo_service: RemoteService
) -> None:
    port = lab_server.start_sshd_variant(["AllowTcpForwarding no"])
    try:
        client = connect(lab_server, port=port, key_filename=str(lab_server.keys.ed25519))
        try:
            with pytest.raises(paramiko.ChannelException):
                tunnel_roundtrip(client, echo_service, b"x")
        finally:
            client.close()
        assert "Accepted publickey" in lab_server.variant_log(port).read_text()
    finally:
        lab_server.stop_sshd_variant(port)


def test_variant_sshd_without_password_and_new_host_keys(lab_server: LabServer) -> None:
    lab_server.require_password_auth()
    port = lab_server.start_sshd_variant(
        ["PasswordAuthentication no", "KbdInteractiveAuthentication no"], new_host_keys=True
    )
    try:
        fingerprints = lab_server.variant_fingerprints(port)
        assert set(fingerprints.values()).isdisjoint(lab_server.host_key_fingerprints.values())
        client = paramiko.SSHClient()
        client.set_missing_host_key_policy(paramiko.RejectPolicy())
        with pytest.raises(paramiko.SSHException, match="not found in known_hosts"):
            client.connect(lab_server.host, port=port, username=lab_server.user.name, **CONNECT)
        with socket.create_connection((lab_server.host, port), timeout=10) as sock:
            transport = paramiko.Transport(sock)
            try:
                transport.start_client(timeout=10)
                assert transport.get_remote_server_key().fingerprint in fingerprints.values()
                with pytest.raises(paramiko.BadAuthenticationType):
                    transport.auth_password(lab_server.user.name, lab_server.user.password)
            finally:
                transport.close()
    finally:
        lab_server.stop_sshd_variant(port)


# --- faults -----------------------------------------------------------------------------


def _connect_outcome(host: str, port: int, timeout: float) -> str:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return "connected"
    except ConnectionRefusedError:
        return "refused"
    except TimeoutError:
        return "timeout"
    except OSError as exc:
        return f"error {exc.errno}"


def test_link_down_and_drop_all_blackhole_the_server(lab_server: LabServer) -> None:
    lab_server.require_netns()
    assert _connect_outcome(lab_server.host, lab_server.port, 5) == "connected"
    lab_server.drop_all()
    try:
        assert _connect_outcome(lab_server.host, lab_server.port, 1) == "timeout"
    finally:
        lab_server.undrop()
    assert _connect_outcome(lab_server.host, lab_server.port, 5) == "connected"
    lab_server.link_down()
    try:
        assert _connect_outcome(lab_server.host, lab_server.port, 1) in ("timeout", "error 113")
    finally:
        lab_server.link_up()
    deadline = time.monotonic() + 10
    while _connect_outcome(lab_server.host, lab_server.port, 2) != "connected":
        assert time.monotonic() < deadline, "server unreachable after link_up()"
        time.sleep(0.1)


def test_kill_sshd_cuts_sessions_and_start_sshd_restores(lab_server: LabServer) -> None:
    client = connect(lab_server, key_filename=str(lab_server.keys.ed25519))
    try:
        assert run_remote(client, "true") == ""
        old_pid = lab_server.sshd_pid
        lab_server.kill_sshd()
        transport = client.get_transport()
        assert transport is not None
        deadline = time.monotonic() + 5
        while transport.is_active() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not transport.is_active()
        assert _connect_outcome(lab_server.host, lab_server.port, 2) == "refused"
    finally:
        client.close()
        lab_server.start_sshd()
    assert lab_server.sshd_pid not in (None, old_pid)
    client = connect(lab_server, key_filename=str(lab_server.keys.ed25519))
    client.close()


def test_reset_faults_restores_everything(lab_server: LabServer) -> None:
    lab_server.require_netns()
    lab_server.kill_sshd()
    lab_server.drop_all()
    lab_server.link_down()
    lab_server.reset_faults()
    deadline = time.monotonic() + 10
    while _connect_outcome(lab_server.host, lab_server.port, 2) != "connected":
        assert time.monotonic() < deadline, "server unreachable after reset_faults()"
        time.sleep(0.1)
    connect(lab_server, key_filename=str(lab_server.keys.ed25519)).close()


def test_restart_sshd_keeping_sessions(lab_server: LabServer) -> None:
    client = connect(lab_server, key_filename=str(lab_server.keys.ed25519))
    try:
        lab_server.restart_sshd(kill_sessions=False)
        assert run_remote(client, "echo alive") == "alive"
    finally:
        client.close()


# --- keyring ----------------------------------------------------------------------------


def test_real_keyring_round_trip(real_keyring: str) -> None:
    backend = keyring.get_keyring()
    assert "SecretService" in type(backend).__module__ + type(backend).__qualname__
    keyring.set_password(real_keyring, "alice", "s3cret ✓")
    assert keyring.get_password(real_keyring, "alice") == "s3cret ✓"
    # The same item, seen by another Secret Service client (reads it from its stdout).
    lookup = subprocess.run(
        ["secret-tool", "lookup", "service", real_keyring, "username", "alice"],
        capture_output=True,
        text=True,
        timeout=10,
        check=False,
    )
    assert lookup.stdout == "s3cret ✓"
    keyring.delete_password(real_keyring, "alice")
    assert keyring.get_password(real_keyring, "alice") is None

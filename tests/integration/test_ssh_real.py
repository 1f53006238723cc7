"""SshSession against the real OpenSSH lab server: auth, host keys, jump host, failures."""

from __future__ import annotations

import dataclasses
import hashlib
import os
import socket
import time
from collections.abc import Sequence
from pathlib import Path

import pytest
from tests.harness import LabServer

from labtunnel.core.errors import (
    AgentUnavailable,
    AuthFailed,
    AuthMethodNotAllowed,
    ConnectionRefused,
    ConnectTimeout,
    DnsFailure,
    ForwardingRefused,
    HostKeyChanged,
    HostKeyUnknown,
    JumpHostFailed,
    KeyPassphraseNeeded,
    KeyPassphraseWrong,
    OneTimeCodeCancelled,
    RemoteCommandTimeout,
)
from labtunnel.core.profiles.model import AuthMethod
from labtunnel.core.ssh.auth import Credentials
from labtunnel.core.ssh.hops import open_chain
from labtunnel.core.ssh.hostkeys import HostKeyStore, fingerprint
from labtunnel.core.ssh.session import SshEndpoint, SshSession

pytestmark = pytest.mark.integration


def open_session(
    endpoint: SshEndpoint, credentials: Credentials, hostkeys: HostKeyStore, **kwargs: object
) -> SshSession:
    return SshSession.open(endpoint, credentials, hostkeys, **kwargs)  # type: ignore[arg-type]


def whoami(session: SshSession) -> str:
    return session.run("id -un", timeout=10).stdout.strip()


def test_password_login_runs_commands(
    lab_server: LabServer, endpoint: SshEndpoint, trusted_hostkeys: HostKeyStore
) -> None:
    lab_server.require_password_auth()
    steps: list[str] = []
    with open_session(
        endpoint,
        Credentials(password=lab_server.user.password),
        trusted_hostkeys,
        on_step=steps.append,
    ) as session:
        assert whoami(session) == lab_server.user.name
        result = session.run("cat; echo err >&2; exit 3", timeout=10, stdin=b"hello")
        assert (result.exit_status, result.stdout, result.stderr) == (3, "hello", "err\n")
        assert session.transport.remote_cipher == "aes128-gcm@openssh.com"  # type: ignore[attr-defined]
    assert steps == ["connecting", "authenticating"]


def test_wrong_password_is_auth_failed(
    lab_server: LabServer, endpoint: SshEndpoint, trusted_hostkeys: HostKeyStore
) -> None:
    lab_server.require_password_auth()
    with pytest.raises(AuthFailed) as caught:
        open_session(endpoint, Credentials(password="wrong-password-1"), trusted_hostkeys)
    assert "wrong-password-1" not in str(caught.value)


@pytest.mark.parametrize(
    ("key_name", "passphrase_attr"),
    [
        ("ed25519", None),
        ("ecdsa", None),
        ("ed25519_encrypted", "ed25519_passphrase"),
        ("rsa_pem_encrypted", "rsa_passphrase"),
    ],
)
def test_key_logins(
    lab_server: LabServer,
    endpoint: SshEndpoint,
    trusted_hostkeys: HostKeyStore,
    key_name: str,
    passphrase_attr: str | None,
) -> None:
    keys = lab_server.keys
    key_endpoint = dataclasses.replace(
        endpoint, auth=AuthMethod.KEY, key_path=str(getattr(keys, key_name))
    )
    passphrase = getattr(keys, passphrase_attr) if passphrase_attr else None
    with open_session(key_endpoint, Credentials(passphrase=passphrase), trusted_hostkeys) as s:
        assert whoami(s) == lab_server.user.name


def test_key_passphrase_errors(
    lab_server: LabServer, endpoint: SshEndpoint, trusted_hostkeys: HostKeyStore
) -> None:
    key_endpoint = dataclasses.replace(
        endpoint, auth=AuthMethod.KEY, key_path=str(lab_server.keys.ed25519_encrypted)
    )
    with pytest.raises(KeyPassphraseNeeded):
        open_session(key_endpoint, Credentials(), trusted_hostkeys)
    with pytest.raises(KeyPassphraseWrong):
        open_session(key_endpoint, Credentials(passphrase="nope nope"), trusted_hostkeys)


def test_unauthorized_key_is_refused(
    lab_server: LabServer, endpoint: SshEndpoint, trusted_hostkeys: HostKeyStore
) -> None:
    key_endpoint = dataclasses.replace(
        endpoint, auth=AuthMethod.KEY, key_path=str(lab_server.keys.unauthorized)
    )
    with pytest.raises(AuthFailed):
        open_session(key_endpoint, Credentials(), trusted_hostkeys)


def test_agent_login_and_no_agent(
    lab_server: LabServer,
    endpoint: SshEndpoint,
    trusted_hostkeys: HostKeyStore,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import subprocess

    agent_endpoint = dataclasses.replace(endpoint, auth=AuthMethod.AGENT)
    monkeypatch.delenv("SSH_AUTH_SOCK", raising=False)
    with pytest.raises(AgentUnavailable):
        open_session(agent_endpoint, Credentials(), trusted_hostkeys)
    sock = tmp_path / "agent.sock"
    agent = subprocess.Popen(["ssh-agent", "-D", "-a", str(sock)], stdout=subprocess.DEVNULL)
    try:
        for _ in range(100):
            if sock.exists():
                break
            time.sleep(0.05)
        env = {**os.environ, "SSH_AUTH_SOCK": str(sock)}
        subprocess.run(
            ["ssh-add", "-q", str(lab_server.keys.ed25519)],
            env=env,
            check=True,
            capture_output=True,
        )
        monkeypatch.setenv("SSH_AUTH_SOCK", str(sock))
        with open_session(agent_endpoint, Credentials(), trusted_hostkeys) as session:
            assert whoami(session) == lab_server.user.name
    finally:
        agent.kill()
        agent.wait(5)


def test_unknown_host_key_is_refused_until_trusted(
    lab_server: LabServer, endpoint: SshEndpoint, tmp_path: Path
) -> None:
    lab_server.require_password_auth()
    store = HostKeyStore(tmp_path / "fresh_known_hosts")
    credentials = Credentials(password=lab_server.user.password)
    with pytest.raises(HostKeyUnknown) as caught:
        open_session(endpoint, credentials, store)
    unknown = caught.value
    assert unknown.fingerprint in lab_server.host_key_fingerprints.values()
    assert not (tmp_path / "fresh_known_hosts").exists()
    store.trust(unknown.host, unknown.port, unknown.key_type, unknown.key_base64)
    with open_session(endpoint, credentials, store) as session:
        assert whoami(session) == lab_server.user.name


def test_changed_host_key_is_refused(
    lab_server: LabServer, endpoint: SshEndpoint, tmp_path: Path
) -> None:
    lab_server.require_password_auth()
    port = lab_server.start_sshd_variant(new_host_keys=True)
    variant = dataclasses.replace(endpoint, port=port)
    store = HostKeyStore(tmp_path / "kh")
    # what the user trusted before the "reinstall": the main server's keys, for this port
    for line in lab_server.host_public_keys.values():
        key_type, key_b64 = line.split()[:2]
        store.trust(lab_server.host, port, key_type, key_b64)
    with pytest.raises(HostKeyChanged) as caught:
        open_session(variant, Credentials(password=lab_server.user.password), store)
    changed = caught.value
    assert changed.actual_fingerprint in lab_server.variant_fingerprints(port).values()
    assert changed.expected_fingerprints[0] in lab_server.host_key_fingerprints.values()


def test_pinned_fingerprint(lab_server: LabServer, endpoint: SshEndpoint, tmp_path: Path) -> None:
    lab_server.require_password_auth()
    credentials = Credentials(password=lab_server.user.password)
    pinned = dataclasses.replace(
        endpoint, pinned_fingerprints=tuple(lab_server.host_key_fingerprints.values())
    )
    with open_session(pinned, credentials, HostKeyStore(tmp_path / "empty")) as session:
        assert whoami(session) == lab_server.user.name
    wrong = dataclasses.replace(endpoint, pinned_fingerprints=("SHA256:" + "A" * 43,))
    with pytest.raises(HostKeyChanged):
        open_session(wrong, credentials, HostKeyStore(tmp_path / "empty"))


def test_jump_host_reaches_a_target_only_visible_from_the_server(
    lab_server: LabServer, endpoint: SshEndpoint, trusted_hostkeys: HostKeyStore
) -> None:
    lab_server.require_password_auth()
    credentials = Credentials(password=lab_server.user.password)
    target = dataclasses.replace(
        endpoint, host=lab_server.jump_target_host, port=lab_server.jump_target_port
    )
    session = open_chain([(endpoint, credentials), (target, credentials)], trusted_hostkeys)
    try:
        assert whoami(session) == lab_server.user.name
        server_key = fingerprint(session.transport.get_remote_server_key())
        assert server_key in lab_server.jump_target_fingerprints.values()
    finally:
        session.close()
    assert not session.transport.is_active()


def test_jump_host_failures_are_wrapped(
    lab_server: LabServer, endpoint: SshEndpoint, trusted_hostkeys: HostKeyStore, tmp_path: Path
) -> None:
    lab_server.require_password_auth()
    good = Credentials(password=lab_server.user.password)
    target = dataclasses.replace(
        endpoint, host=lab_server.jump_target_host, port=lab_server.jump_target_port
    )
    with pytest.raises(JumpHostFailed) as bad_jump:
        open_chain([(endpoint, Credentials(password="wrong-pw")), (target, good)], trusted_hostkeys)
    assert isinstance(bad_jump.value.cause, AuthFailed)
    closed_target = dataclasses.replace(target, port=1)
    with pytest.raises(JumpHostFailed) as refused:
        open_chain([(endpoint, good), (closed_target, good)], trusted_hostkeys)
    assert isinstance(refused.value.cause, ConnectionRefused)
    # the target's host key is verified too, against its own entry
    only_jump = HostKeyStore(tmp_path / "only_jump")
    for line in lab_server.host_public_keys.values():
        key_type, key_b64 = line.split()[:2]
        only_jump.trust(lab_server.host, lab_server.port, key_type, key_b64)
    with pytest.raises(HostKeyUnknown) as unknown:
        open_chain([(endpoint, good), (target, good)], only_jump)
    assert unknown.value.fingerprint in lab_server.jump_target_fingerprints.values()


def test_network_failures_are_typed(endpoint: SshEndpoint, trusted_hostkeys: HostKeyStore) -> None:
    creds = Credentials(password="x")
    with pytest.raises(DnsFailure):
        open_session(
            dataclasses.replace(endpoint, host="no-such-host.invalid"), creds, trusted_hostkeys
        )
    free = socket.socket()
    free.bind(("127.0.0.1", 0))
    port = free.getsockname()[1]
    free.close()
    with pytest.raises(ConnectionRefused):
        open_session(
            dataclasses.replace(endpoint, host="127.0.0.1", port=port), creds, trusted_hostkeys
        )
    # a listener that never speaks: the banner wait times out
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(1)
    started = time.monotonic()
    try:
        with pytest.raises((ConnectTimeout, Exception)) as caught:
            open_session(
                dataclasses.replace(
                    endpoint, host="127.0.0.1", port=silent.getsockname()[1], connect_timeout=2
                ),
                creds,
                trusted_hostkeys,
            )
    finally:
        silent.close()
    assert time.monotonic() - started < 8
    assert type(caught.value).__name__ in ("ConnectTimeout", "ProtocolError")


def test_password_only_server_refuses_key_login_clearly(
    lab_server: LabServer, endpoint: SshEndpoint, trusted_hostkeys: HostKeyStore
) -> None:
    port = lab_server.start_sshd_variant(["PubkeyAuthentication no"])
    key_endpoint = dataclasses.replace(
        endpoint, port=port, auth=AuthMethod.KEY, key_path=str(lab_server.keys.ed25519)
    )
    for line in lab_server.host_public_keys.values():
        key_type, key_b64 = line.split()[:2]
        trusted_hostkeys.trust(lab_server.host, port, key_type, key_b64)
    with pytest.raises(AuthMethodNotAllowed) as caught:
        open_session(key_endpoint, Credentials(), trusted_hostkeys)
    assert "password" in caught.value.allowed or "keyboard-interactive" in caught.value.allowed


class RecordingPrompter:
    def __init__(self, answer: Sequence[str] | None) -> None:
        self.answer = answer
        self.asked: list[list[tuple[str, bool]]] = []

    def ask(
        self,
        host: str,
        title: str,
        instructions: str,
        prompts: Sequence[tuple[str, bool]],
        cancel: object = None,
    ) -> Sequence[str] | None:
        self.asked.append(list(prompts))
        return self.answer


def test_keyboard_interactive_answers_password_itself(
    lab_server: LabServer, endpoint: SshEndpoint, trusted_hostkeys: HostKeyStore
) -> None:
    lab_server.require_password_auth()
    port = lab_server.start_sshd_variant(
        ["PasswordAuthentication no", "KbdInteractiveAuthentication yes"]
    )
    for line in lab_server.host_public_keys.values():
        key_type, key_b64 = line.split()[:2]
        trusted_hostkeys.trust(lab_server.host, port, key_type, key_b64)
    prompter = RecordingPrompter(None)
    kbd = dataclasses.replace(endpoint, port=port)
    with open_session(
        kbd, Credentials(password=lab_server.user.password), trusted_hostkeys, prompter=prompter
    ) as session:
        assert whoami(session) == lab_server.user.name
    assert prompter.asked == []  # the password prompt never reached the person
    with pytest.raises((AuthFailed, OneTimeCodeCancelled)):
        open_session(kbd, Credentials(password=None), trusted_hostkeys, prompter=prompter)
    assert prompter.asked  # with no stored password, the prompt goes to the person


def test_forwarding_prohibited_and_command_timeout(
    lab_server: LabServer,
    endpoint: SshEndpoint,
    trusted_hostkeys: HostKeyStore,
    echo_service: object,
) -> None:
    lab_server.require_password_auth()
    port = lab_server.start_sshd_variant(["AllowTcpForwarding no"])
    for line in lab_server.host_public_keys.values():
        key_type, key_b64 = line.split()[:2]
        trusted_hostkeys.trust(lab_server.host, port, key_type, key_b64)
    credentials = Credentials(password=lab_server.user.password)
    with open_session(
        dataclasses.replace(endpoint, port=port), credentials, trusted_hostkeys
    ) as session:
        with pytest.raises(ForwardingRefused) as caught:
            session.open_channel(("127.0.0.1", echo_service.port), ("127.0.0.1", 0))  # type: ignore[attr-defined]
        assert caught.value.reason == "prohibited" and caught.value.permanent
        started = time.monotonic()
        with pytest.raises(RemoteCommandTimeout):
            session.run("sleep 30", timeout=1.0)
        assert time.monotonic() - started < 3
        assert whoami(session) == lab_server.user.name  # the session survives a timeout


def test_channel_to_service_only_reachable_through_ssh(
    lab_server: LabServer,
    endpoint: SshEndpoint,
    trusted_hostkeys: HostKeyStore,
    echo_service: object,
) -> None:
    lab_server.require_password_auth()
    payload = os.urandom(3 * 1024 * 1024)
    with open_session(
        endpoint, Credentials(password=lab_server.user.password), trusted_hostkeys
    ) as session:
        channel = session.open_channel(("127.0.0.1", echo_service.port), ("127.0.0.1", 0))  # type: ignore[attr-defined]
        channel.sendall(payload)
        channel.shutdown_write()
        received = bytearray()
        while chunk := channel.recv(1 << 20):
            received += chunk
        channel.close()
    assert hashlib.sha256(received).digest() == hashlib.sha256(payload).digest()


def test_dead_peer_is_noticed_by_counted_keepalives(
    lab_server: LabServer, endpoint: SshEndpoint, trusted_hostkeys: HostKeyStore
) -> None:
    lab_server.require_netns()
    lab_server.require_password_auth()
    fast = dataclasses.replace(endpoint, keepalive_interval=1.0, keepalive_count_max=3)
    session = open_session(fast, Credentials(password=lab_server.user.password), trusted_hostkeys)
    try:
        lab_server.drop_all()
        started = time.monotonic()
        assert session.dead.wait(15), "dead link not noticed"
        noticed = time.monotonic() - started
        assert not session.is_alive()
        assert session.dead_reason == "no_reply"
    finally:
        lab_server.undrop()
        session.close()
    print(f"dead peer noticed after {noticed:.1f} s (interval 1 s x 3)")


def test_command_on_a_closing_session_ends_promptly(
    lab_server: LabServer, endpoint: SshEndpoint, trusted_hostkeys: HostKeyStore
) -> None:
    import threading

    from labtunnel.core.errors import SessionLost

    lab_server.require_password_auth()
    session = open_session(
        endpoint, Credentials(password=lab_server.user.password), trusted_hostkeys
    )
    closer = threading.Timer(0.5, session.close)
    closer.start()
    started = time.monotonic()
    with pytest.raises(SessionLost):
        session.run("sleep 30", timeout=20)
    assert time.monotonic() - started < 3
    closer.join(5)
    assert not session.transport.is_alive()  # close() waited for paramiko's thread

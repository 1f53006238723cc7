"""The click made short, against the real sshd and a real Jupyter (issue 13):

- a login made ahead (the tray's menu opened: core/tunnel/ahead.py) is taken by the
  click's tunnel, which then neither logs in nor asks the server for Jupyter; without a
  click it is closed on the server too; a profile whose login could ask anything (a
  password, a passphrase, the agent, an unknown host key, a second factor) is never
  logged in ahead, and the keyring is never read for it;
- a connect after a disconnect goes straight to the Jupyter the app reached
  (core/tunnel/known.py), and one that moved is looked for on the server after all.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from tests.harness import LabServer
from tests.integration.conftest import known_hosts_text
from tests.integration.test_jupyter_real import kill_if_users, manager, open_session
from tests.integration.tunnel_helpers import EventLog, http_get

from labtunnel.core.events import TunnelState
from labtunnel.core.jupyter.manager import JupyterManager
from labtunnel.core.jupyter.server import JupyterServer
from labtunnel.core.profiles.model import AuthMethod, HostProfile, JupyterSpec
from labtunnel.core.profiles.remembered import RememberedServers
from labtunnel.core.profiles.secrets import MemorySecretStore, SecretKind
from labtunnel.core.profiles.store import ProfileStore
from labtunnel.core.ssh.cancel import CancelToken
from labtunnel.core.ssh.hops import open_chain
from labtunnel.core.ssh.hostkeys import HostKeyStore, host_entry_name
from labtunnel.core.ssh.session import SshSession
from labtunnel.core.tunnel.ahead import LoginsAhead
from labtunnel.core.tunnel.known import KnownServers
from labtunnel.core.tunnel.tunnel import Tunnel, TunnelDeps

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def jupyter(lab_server: LabServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """The test user's Jupyter, running for the whole module; stopped (or killed) after."""
    lab_server.require_jupyter()
    tmp = tmp_path_factory.mktemp("login-ahead")
    session = open_session(lab_server, lab_server.user, tmp)
    server: JupyterServer | None = None
    try:
        jm = manager(session, lab_server, tmp / "state.json", "ahead")
        server = jm.find() or jm.start()
        yield server
        jm.stop(server)
    finally:
        session.close()
        if server is not None:
            kill_if_users(server.pid, lab_server.user)


class Opener:
    """open_chain, counted: who opened sessions, and whether they were to ask nothing."""

    def __init__(self) -> None:
        self.calls: list[bool] = []
        self.lock = threading.Lock()

    def __call__(self, *args: Any, **kwargs: Any) -> SshSession:
        with self.lock:
            self.calls.append(bool(kwargs.get("ask_nothing")))
        return open_chain(*args, **kwargs)


class CountingSecrets(MemorySecretStore):
    def __init__(self) -> None:
        super().__init__()
        self.reads = 0

    def get(self, profile_id: str, kind: SecretKind) -> str | None:
        self.reads += 1
        return super().get(profile_id, kind)


class Lab:
    """One profile of the lab server's test user and what tunnels to it need."""

    def __init__(self, lab: LabServer, tmp: Path, port: int | None = None, **changes: Any) -> None:
        known_hosts = tmp / "known_hosts"
        known_hosts.write_text(known_hosts_text(lab))
        self.hostkeys = HostKeyStore(known_hosts)
        self.store = ProfileStore(tmp / "profiles.json")
        self.store.load()
        fields: dict[str, Any] = {
            "auth": AuthMethod.KEY,
            "key_path": str(lab.keys.ed25519),
            "target": JupyterSpec(env=str(lab.jupyter_venv)),
            "port": port or lab.port,
        }
        fields.update(changes)
        self.profile = self.store.add(HostProfile("lab", lab.host, lab.user.name, **fields))
        self.secrets = CountingSecrets()
        self.remembered = RememberedServers(tmp / "state.json")
        self.opener = Opener()
        self.ahead = LoginsAhead(
            self.hostkeys, self.store.get, self.remembered, open_session=self.opener, enabled=True
        )

    def deps(self, known: KnownServers | None = None) -> TunnelDeps:
        return TunnelDeps(
            store=self.store,
            secrets=self.secrets,
            hostkeys=self.hostkeys,
            remembered=self.remembered,
            open_session=self.opener,
            known=known or KnownServers(),
            ahead=self.ahead,
        )


@contextlib.contextmanager
def connected(lab: Lab, deps: TunnelDeps) -> Iterator[str]:
    """A tunnel of ``lab``'s profile, connected; yields its URL (with the token)."""
    log = EventLog()
    tunnel = Tunnel(lab.profile, deps, log)
    tunnel.start()
    try:
        _, status = log.wait_state(TunnelState.CONNECTED, 60)
        assert status.local_url is not None
        yield status.local_url
    finally:
        tunnel.stop()
        assert tunnel.join(15)


@pytest.fixture
def finds(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every time a tunnel asked the server for Jupyter (JupyterManager.find_or_start)."""
    calls: list[str] = []
    real = JupyterManager.find_or_start

    def counted(self: JupyterManager, *args: Any, **kwargs: Any) -> JupyterServer:
        calls.append(threading.current_thread().name)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(JupyterManager, "find_or_start", counted)
    return calls


def answers(url: str, server: JupyterServer) -> bool:
    port = int(url.split(":")[2].split("/")[0])
    assert f"token={server.token}" in url
    return http_get(port, f"/api/status?token={server.token}")[0] == 200


def test_the_click_takes_the_login_made_ahead_and_asks_the_server_nothing(
    lab_server: LabServer, jupyter: JupyterServer, tmp_path: Path, finds: list[str]
) -> None:
    lab = Lab(lab_server, tmp_path)
    assert lab.ahead.prepare(lab.profile)
    assert lab.ahead.prepare(lab.profile)  # the menu opened again: the same login
    with connected(lab, lab.deps()) as url:
        assert answers(url, jupyter)
    # one session, made ahead and asking nothing; the click neither logged in nor looked
    assert lab.opener.calls == [True]
    assert finds == []
    assert lab.secrets.reads == 0  # a key without passphrase: the keyring never read
    lab.ahead.close()


def test_without_a_click_the_login_ahead_ends_on_the_server_too(
    lab_server: LabServer, jupyter: JupyterServer, tmp_path: Path
) -> None:
    before = set(lab_server.sshd_sessions())
    lab = Lab(lab_server, tmp_path)
    lab.ahead = LoginsAhead(lab.hostkeys, lab.store.get, lab.remembered, keep_for=0.5)
    assert lab.ahead.prepare(lab.profile)
    deadline = time.monotonic() + 15
    while not set(lab_server.sshd_sessions()) - before:  # logged in: sshd has its session
        assert time.monotonic() < deadline, "no session on the server"
        time.sleep(0.05)
    while set(lab_server.sshd_sessions()) - before:  # closed again without a click
        assert time.monotonic() < deadline, "the login made ahead was not closed"
        time.sleep(0.05)
    assert lab.ahead.take(lab.profile, [], CancelToken()) is None
    lab.ahead.close()


@pytest.mark.parametrize("kind", ["password", "encrypted key", "agent"])
def test_a_login_that_needs_a_secret_or_the_agent_is_never_made_ahead(
    lab_server: LabServer, tmp_path: Path, kind: str
) -> None:
    changes: dict[str, Any] = {
        "password": {"auth": AuthMethod.PASSWORD, "key_path": ""},
        "encrypted key": {"key_path": str(lab_server.keys.ed25519_encrypted)},
        "agent": {"auth": AuthMethod.AGENT, "key_path": ""},
    }[kind]
    lab = Lab(lab_server, tmp_path, **changes)
    lab.secrets.set(lab.profile.id, SecretKind.PASSWORD, lab_server.user.password)
    lab.secrets.set(lab.profile.id, SecretKind.PASSPHRASE, lab_server.keys.ed25519_passphrase)
    lab.secrets.reads = 0
    assert lab.ahead.prepare(lab.profile)  # decided on its thread (the key file is read)
    assert lab.ahead.take(lab.profile, [], CancelToken()) is None  # waits for it
    assert lab.opener.calls == []  # not even a TCP connection
    assert lab.secrets.reads == 0
    assert not lab.ahead.prepare(lab.profile)


def test_an_unknown_host_key_ends_the_login_ahead_without_a_question(
    lab_server: LabServer, tmp_path: Path
) -> None:
    lab = Lab(lab_server, tmp_path)
    lab.hostkeys = HostKeyStore(tmp_path / "empty_known_hosts")
    lab.ahead = LoginsAhead(lab.hostkeys, lab.store.get, lab.remembered, open_session=lab.opener)
    assert lab.ahead.prepare(lab.profile)
    assert lab.ahead.take(lab.profile, [], CancelToken()) is None  # waits for it
    assert lab.opener.calls == [True]  # tried once, nothing trusted, nobody asked
    assert not lab.ahead.prepare(lab.profile)  # and not again for this profile as it is
    assert lab.opener.calls == [True]


def test_a_second_factor_gets_no_answer_from_a_login_ahead(
    lab_server: LabServer, tmp_path: Path
) -> None:
    """Key first, then keyboard-interactive (the password through PAM): the login ahead
    stops after the key, so the server counts no failed attempt."""
    port = lab_server.start_sshd_variant(
        ["AuthenticationMethods publickey,keyboard-interactive", "KbdInteractiveAuthentication yes"]
    )
    try:
        log_path = lab_server.variant_log(port)
        lab = Lab(lab_server, tmp_path, port=port)
        entry = host_entry_name(lab_server.host, port)
        lines = [f"{entry} {line}\n" for line in lab_server.host_public_keys.values()]
        (tmp_path / "variant_known_hosts").write_text("".join(lines))
        lab.hostkeys = HostKeyStore(tmp_path / "variant_known_hosts")
        lab.ahead = LoginsAhead(
            lab.hostkeys, lab.store.get, lab.remembered, open_session=lab.opener
        )
        assert lab.ahead.prepare(lab.profile)
        assert lab.ahead.take(lab.profile, [], CancelToken()) is None  # waits for it
        assert lab.opener.calls == [True]
        logged = log_path.read_text(errors="replace")
        assert f"Partial publickey for {lab_server.user.name}" in logged
        assert "Failed" not in logged and "authentication failure" not in logged
        assert not lab.ahead.prepare(lab.profile)
    finally:
        lab_server.stop_sshd_variant(port)


def test_a_connect_after_a_disconnect_goes_straight_to_the_jupyter_it_reached(
    lab_server: LabServer, jupyter: JupyterServer, tmp_path: Path, finds: list[str]
) -> None:
    lab = Lab(lab_server, tmp_path)
    lab.ahead.enabled = False
    known = KnownServers()
    with connected(lab, lab.deps(known)) as url:
        assert answers(url, jupyter)
    assert len(finds) == 1
    with connected(lab, lab.deps(known)) as url:
        assert answers(url, jupyter)
    assert len(finds) == 1  # the second asked the server nothing: one request told it
    # a Jupyter that moved (here: a port where nothing listens) is looked for after all
    known.answered(lab.profile, replace(jupyter, port=1))
    with connected(lab, lab.deps(known)) as url:
        assert answers(url, jupyter)
    assert len(finds) == 2
    found = known.get(lab.profile)
    assert found is not None and (found.pid, found.port) == (jupyter.pid, jupyter.port)

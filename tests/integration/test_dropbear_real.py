"""LabTunnel against Dropbear, the other SSH server real labs run, on the lab server next to
OpenSSH (tests/harness/dropbear.py): its own host keys, password login checked by Dropbear
itself (no PAM, no keyboard-interactive), key login, Jupyter found and started through
it, forwards, and a reconnect after Dropbear is killed and started again."""

from __future__ import annotations

import contextlib
import hashlib
import signal
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from tests.harness import HttpService, LabServer
from tests.harness.dropbear import DropbearServer, start_dropbear
from tests.integration.installed_app import private_dir
from tests.integration.test_cli_real import ConnectProcess, cli_env, fetch, labtunnel
from tests.integration.tunnel_helpers import (
    EventLog,
    http_get,
    jupyter_target,
    make_tunnel,
    wait_until_answers,
)

from labtunnel.core.errors import HostKeyChanged
from labtunnel.core.events import TunnelState, TunnelStatus, TunnelStep
from labtunnel.core.jupyter.manager import JupyterManager
from labtunnel.core.profiles.model import AuthMethod, JupyterSpec
from labtunnel.core.ssh.auth import Credentials
from labtunnel.core.ssh.hostkeys import HostKeyStore, host_entry_name
from labtunnel.core.ssh.session import SshEndpoint, SshSession

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def dropbear(lab_server: LabServer) -> Iterator[DropbearServer]:
    with private_dir("dropbear") as work:
        server = start_dropbear(lab_server, work)
        try:
            yield server
        finally:
            server.close()


@pytest.fixture
def dropbear_running(dropbear: DropbearServer) -> Iterator[DropbearServer]:
    """Dropbear up before and after the test (a test that kills it restarts it)."""
    dropbear.start()
    yield dropbear
    dropbear.start()


@pytest.fixture
def dropbear_trusted(tmp_path: Path, dropbear: DropbearServer) -> HostKeyStore:
    path = tmp_path / "known_hosts"
    name = host_entry_name(dropbear.host, dropbear.port)
    path.write_text("".join(f"{name} {line}\n" for line in dropbear.host_public_keys.values()))
    return HostKeyStore(path)


def add_dropbear_profile(
    dropbear: DropbearServer, env: dict[str, str], name: str, password: str, *extra: str
) -> None:
    lab = dropbear.lab
    added = labtunnel(
        *("profile", "add", name, "--host", lab.host, "--port", str(dropbear.port)),
        *("--user", lab.user.name, "--password-stdin", *extra),
        env=env,
        stdin=password + "\n",
    )
    assert added.returncode == 0, added.stderr


def key_session(
    dropbear: DropbearServer,
    key: Path,
    passphrase: str | None,
    pins: tuple[str, ...],
    tmp: Path,
    **endpoint_changes: float,
) -> SshSession:
    endpoint = SshEndpoint(
        host=dropbear.host,
        port=dropbear.port,
        username=dropbear.lab.user.name,
        auth=AuthMethod.KEY,
        key_path=str(key),
        pinned_fingerprints=pins,
        connect_timeout=10,
        **endpoint_changes,  # type: ignore[arg-type]
    )
    return SshSession.open(
        endpoint, Credentials(passphrase=passphrase), HostKeyStore(tmp / "known_hosts")
    )


def test_cli_trusts_dropbears_own_key_only_when_asked_then_forwards(
    dropbear_running: DropbearServer,
    config_dir: Path,
    real_keyring: str,
    http_service: HttpService,
) -> None:
    lab = dropbear_running.lab
    env = cli_env(config_dir, real_keyring)
    remote = f"{http_service.host}:{http_service.port}"
    add_dropbear_profile(dropbear_running, env, "dropbear", lab.user.password, "--remote", remote)

    refused = labtunnel("connect", "dropbear", "--no-browser", env=env)
    assert refused.returncode == 1 and refused.stdout == ""
    assert any(fp in refused.stderr for fp in dropbear_running.host_key_fingerprints.values())
    assert not any(fp in refused.stderr for fp in lab.host_key_fingerprints.values())

    started = time.monotonic()
    connect = ConnectProcess(env, "dropbear", "--accept-new-host-key")
    try:
        url = connect.first_line()
        seconds = time.monotonic() - started
        status, body = fetch(url, http_service.url_path)
        assert status == 200 and hashlib.sha256(body).hexdigest() == http_service.sha256
    finally:
        assert connect.stop(signal.SIGINT) == 0, connect.stderr()
    trusted = labtunnel("hostkey", "list", env=env).stdout.splitlines()
    entry = [t for t in trusted if t.startswith(f"[{lab.host}]:{dropbear_running.port}\t")]
    assert entry and entry[0].split("\t")[2] in dropbear_running.host_key_fingerprints.values()
    print(f"dropbear: labtunnel connect (password) gave the URL after {seconds:.2f} s")


def test_wrong_password_on_dropbear_is_one_sentence(
    dropbear_running: DropbearServer, config_dir: Path, real_keyring: str
) -> None:
    env = cli_env(config_dir, real_keyring)
    wrong = "not-the-password"
    add_dropbear_profile(dropbear_running, env, "dropbear", wrong, "--remote", "127.0.0.1:1")
    result = labtunnel("connect", "dropbear", "--no-browser", "--accept-new-host-key", env=env)
    assert result.returncode == 1 and result.stdout == ""
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("labtunnel: ") and "did not accept the login" in last, result.stderr
    assert wrong not in result.stderr


def test_key_logins_and_pinned_keys_on_dropbear(
    dropbear_running: DropbearServer, tmp_path: Path
) -> None:
    lab = dropbear_running.lab
    pins = tuple(dropbear_running.host_key_fingerprints.values())
    keys = lab.keys
    for key, passphrase in [
        (keys.ed25519, None),
        (keys.ecdsa, None),
        (keys.ed25519_encrypted, keys.ed25519_passphrase),
        (keys.rsa_pem_encrypted, keys.rsa_passphrase),
    ]:
        session = key_session(dropbear_running, key, passphrase, pins, tmp_path)
        try:
            result = session.run("id -un; echo $0", timeout=10)
            assert result.exit_status == 0
            assert result.stdout.split()[0] == lab.user.name, result
        finally:
            session.close()
    # pinned to OpenSSH's keys on the same host: Dropbear's key is not one of them
    with pytest.raises(HostKeyChanged):
        key_session(
            dropbear_running,
            keys.ed25519,
            None,
            tuple(lab.host_key_fingerprints.values()),
            tmp_path,
        )


def test_dropbear_answers_keepalives_and_a_dead_link_is_noticed(
    dropbear_running: DropbearServer, tmp_path: Path
) -> None:
    """Dropbear answers OpenSSH's keepalive@openssh.com with a failure: that is a reply
    too, so a healthy session stays up; when packets vanish, it is declared dead."""
    lab = dropbear_running.lab
    lab.require_netns()
    pins = tuple(dropbear_running.host_key_fingerprints.values())
    session = key_session(
        dropbear_running,
        lab.keys.ed25519,
        None,
        pins,
        tmp_path,
        keepalive_interval=0.5,
        keepalive_count_max=2,
    )
    try:
        time.sleep(3)  # six probes
        assert session.is_alive(), session.dead_reason
        lab.drop_all()
        cut = time.monotonic()
        while session.is_alive() and time.monotonic() - cut < 10:
            time.sleep(0.1)
        noticed = time.monotonic() - cut
        assert not session.is_alive()
        assert noticed < 5, noticed
        print(f"dropbear: dead link noticed after {noticed:.1f} s (limit 1 s)")
    finally:
        lab.undrop()
        session.close()


def steps(log: EventLog, after: float = 0.0) -> list[TunnelStep | None]:
    return [e.step for t, e in log.events if isinstance(e, TunnelStatus) and t >= after]


def test_jupyter_through_dropbear_started_found_and_back_after_a_restart(
    dropbear_running: DropbearServer, dropbear_trusted: HostKeyStore, tmp_path: Path
) -> None:
    lab = dropbear_running.lab
    lab.require_jupyter()
    _stop_jupyter(dropbear_running, tmp_path)  # others may have left the user's Jupyter up
    log = EventLog()
    tunnel, _ = make_tunnel(
        lab, dropbear_trusted, tmp_path, jupyter_target(lab), log, port=dropbear_running.port
    )
    tunnel.start()
    try:
        _, connected = log.wait_state(TunnelState.CONNECTED, 90)
        assert connected.local_url and connected.local_port
        assert "starting_jupyter" in steps(log)
        parts = urlsplit(connected.local_url)
        token = parts.query.split("token=")[1]
        port = connected.local_port
        status, body = http_get(port, f"/api/status?token={token}")
        assert status == 200 and b"started" in body
        assert http_get(port, "/api/status")[0] == 403

        dropbear_running.kill()
        killed = time.monotonic()
        log.wait_state(TunnelState.RECONNECTING, 20, after=killed)
        time.sleep(1)
        dropbear_running.start()
        back = time.monotonic()
        recovered = wait_until_answers(port, f"/api/status?token={token}", 20)
        _, again = log.wait_state(TunnelState.CONNECTED, 20, after=back)
        assert again.local_port == port and again.was_connected
        # the same Jupyter, found again (not started again)
        assert again.local_url == connected.local_url
        assert "finding_jupyter" in steps(log, back) and "starting_jupyter" not in steps(log, back)
        print(f"dropbear: Jupyter answering {recovered:.1f} s after Dropbear came back")
    finally:
        tunnel.stop()
        assert tunnel.join(10)
        _stop_jupyter(dropbear_running, tmp_path)


def _stop_jupyter(dropbear: DropbearServer, tmp_path: Path) -> None:
    """Stop the user's Jupyter servers through Dropbear too (Disconnect leaves them up)."""
    lab = dropbear.lab
    pins = tuple(dropbear.host_key_fingerprints.values())
    with contextlib.closing(key_session(dropbear, lab.keys.ed25519, None, pins, tmp_path)) as s:
        manager = JupyterManager(
            s, JupyterSpec(env=lab.jupyter_venv), remembered=None, profile_id="x"
        )
        for server in manager.list_servers():
            manager.stop(server)
        assert manager.list_servers() == []

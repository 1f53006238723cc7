"""Security regressions (issue 12) against the real lab server: a failed jump attempt
leaks nothing, a host key of another type is a changed key, a damaged known_hosts file
keeps its protection, a lab file cannot override trust, a stalled connect can be stopped."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import signal
import socket
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from tests.harness import LabServer, RemoteService
from tests.harness.browser import (
    fake_browser,
    kill_with_children,
    page_path,
    page_target,
    processes_showing,
)
from tests.integration.conftest import known_hosts_text
from tests.integration.test_bad_input_real import documented_templates, template_regex
from tests.integration.test_cli_real import add_password_profile, cli_env, labtunnel
from tests.integration.tunnel_helpers import EventLog, make_tunnel, remote_target

from labtunnel.core.errors import (
    HostKeyChanged,
    HostKeyTypeChanged,
    HostKeyUnknown,
    JumpHostFailed,
    KnownHostsUnreadable,
    unknown_host_key,
)
from labtunnel.core.events import TunnelState, TunnelStatus, TunnelStep
from labtunnel.core.profiles.model import JumpHost
from labtunnel.core.profiles.secrets import KeyringSecretStore, SecretKind
from labtunnel.core.ssh.auth import Credentials
from labtunnel.core.ssh.hops import open_chain
from labtunnel.core.ssh.hostkeys import HostKeyStore, fingerprint, host_entry_name
from labtunnel.core.ssh.session import SshEndpoint
from labtunnel.core.tunnel.reconnect import ReconnectPolicy
from labtunnel.core.tunnel.tunnel import Tunnel
from labtunnel.messages import describe

pytestmark = pytest.mark.integration

#: retries at once, so 20 failed reconnects take seconds, not a minute
FAST_RETRIES = ReconnectPolicy(first_delay=0.05, fresh_max_delay=0.05, jitter=0.0)


def _wait_until(predicate, timeout: float) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return bool(predicate())


def _known_hosts(lab: LabServer, *places: tuple[str, int]) -> str:
    """The main sshd's keys (which its variants share) under each host:port."""
    return "".join(
        f"{host_entry_name(host, port)} {line}\n"
        for host, port in places
        for line in lab.host_public_keys.values()
    )


@pytest.fixture
def jump_and_target(lab_server: LabServer) -> Iterator[tuple[int, int]]:
    """A jump sshd of its own (so its sessions can be counted) and a target sshd behind
    it, reached from the jump at 127.0.0.1; the target is stopped by the test."""
    lab_server.require_password_auth()
    jump = lab_server.start_sshd_variant()
    target = lab_server.start_sshd_variant()
    try:
        yield jump, target
    finally:
        for port in (jump, target):
            with contextlib.suppress(KeyError):  # the test stopped it
                lab_server.stop_sshd_variant(port)


def _other_threads(before: set[threading.Thread]) -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t not in before and t.is_alive()]


# --- 1: a failed attempt through a jump host closes the jump session ---------------------


def test_failed_reconnects_through_a_jump_host_leave_no_session_and_no_thread(
    lab_server: LabServer,
    jump_and_target: tuple[int, int],
    echo_service: RemoteService,
    tmp_path: Path,
) -> None:
    """The GPU server reboots behind its gateway: every reconnect logs in to the jump
    host, which cannot reach the target. 20 such attempts must leave nothing behind."""
    jump_port, target_port = jump_and_target
    known = tmp_path / "known_hosts"
    known.write_text(
        _known_hosts(lab_server, (lab_server.host, jump_port), ("127.0.0.1", target_port))
    )
    log = EventLog()
    before = set(threading.enumerate())
    tunnel, _ = make_tunnel(
        lab_server,
        HostKeyStore(known),
        tmp_path,
        remote_target(*echo_service),
        log,
        policy=FAST_RETRIES,
        host="127.0.0.1",
        port=target_port,
        jump=JumpHost(host=lab_server.host, port=jump_port),
    )
    tunnel.start()
    try:
        log.wait_state(TunnelState.CONNECTED, 30)
        assert lab_server.sshd_sessions(jump_port), "the jump host carries the session"
        lab_server.stop_sshd_variant(target_port)  # the server behind the gateway is gone
        _, status = log.wait_for(
            lambda s: s.state is TunnelState.RECONNECTING and s.attempt >= 20, 120
        )
        assert type(status.error).__name__ == "JumpHostFailed"
    finally:
        tunnel.stop()
        assert tunnel.join(10)
    gone = _wait_until(lambda: not lab_server.sshd_sessions(jump_port), 5)
    left = lab_server.sshd_sessions(jump_port)
    assert gone, f"{len(left)} sshd processes still logged in on the jump host: {left}"
    assert _wait_until(lambda: not _other_threads(before), 5), [
        t.name for t in _other_threads(before)
    ]


# --- 5: a key of another type for a known host is a changed key --------------------------


def _endpoint(lab: LabServer, host: str, port: int) -> SshEndpoint:
    return SshEndpoint(host=host, port=port, username=lab.user.name, connect_timeout=10)


@pytest.fixture
def rsa_only_port(lab_server: LabServer) -> Iterator[int]:
    """An sshd on the lab host that has only its RSA host key (an old server, or a man in
    the middle who holds no ed25519 key for it)."""
    port = lab_server.start_sshd_variant(host_key_types=["rsa"])
    try:
        yield port
    finally:
        lab_server.stop_sshd_variant(port)


def test_a_host_known_by_ed25519_that_shows_rsa_is_refused_as_changed(
    lab_server: LabServer, rsa_only_port: int, tmp_path: Path
) -> None:
    """Before: "LabTunnel has not connected to … before" (HostKeyUnknown), which
    ``connect --accept-new-host-key`` trusted with no question."""
    lab_server.require_password_auth()
    known = tmp_path / "known_hosts"
    name = host_entry_name(lab_server.host, rsa_only_port)
    known.write_text(f"{name} {lab_server.host_public_keys['ed25519']}\n")
    before = known.read_bytes()
    hops = [(_endpoint(lab_server, lab_server.host, rsa_only_port), _password(lab_server))]
    with pytest.raises(HostKeyTypeChanged) as caught:
        open_chain(hops, HostKeyStore(known))
    error = caught.value
    assert isinstance(error, HostKeyChanged)  # refused like a changed key, never offered
    assert error.key_type == "ssh-rsa"
    assert error.actual_fingerprint == lab_server.host_key_fingerprints["rsa"]
    assert error.expected_fingerprints == (lab_server.host_key_fingerprints["ed25519"],)
    assert error.known_key_types == ("ssh-ed25519",)
    assert_documented("Host key of another type", describe(error).text)
    assert unknown_host_key(error) is None  # what --accept-new-host-key would trust
    assert known.read_bytes() == before


def test_a_jump_host_known_by_ed25519_that_shows_rsa_is_refused_as_changed(
    lab_server: LabServer, rsa_only_port: int, tmp_path: Path
) -> None:
    lab_server.require_password_auth()
    known = tmp_path / "known_hosts"
    known.write_text(
        f"{host_entry_name(lab_server.host, rsa_only_port)} "
        f"{lab_server.host_public_keys['ed25519']}\n"
        + "".join(
            f"{host_entry_name(lab_server.jump_target_host, lab_server.jump_target_port)} {k}\n"
            for k in lab_server.jump_target_public_keys.values()
        )
    )
    hops = [
        (_endpoint(lab_server, lab_server.host, rsa_only_port), _password(lab_server)),
        (
            _endpoint(lab_server, lab_server.jump_target_host, lab_server.jump_target_port),
            _password(lab_server),
        ),
    ]
    with pytest.raises(JumpHostFailed) as caught:
        open_chain(hops, HostKeyStore(known))
    assert isinstance(caught.value.cause, HostKeyTypeChanged)
    assert unknown_host_key(caught.value) is None  # nothing for --accept-new-host-key


@pytest.mark.parametrize("kind", ["rsa", "ecdsa", "ed25519"])
def test_the_handshake_asks_for_the_key_type_already_known(
    lab_server: LabServer, tmp_path: Path, kind: str
) -> None:
    """The server has all three kinds; with only one known, that one must be negotiated
    (before: a host known by RSA got ed25519 negotiated and looked like a new server)."""
    lab_server.require_password_auth()
    known = tmp_path / "known_hosts"
    known.write_text(
        f"{host_entry_name(lab_server.host, lab_server.port)} {lab_server.host_public_keys[kind]}\n"
    )
    hops = [(_endpoint(lab_server, lab_server.host, lab_server.port), _password(lab_server))]
    with open_chain(hops, HostKeyStore(known)) as session:
        shown = fingerprint(session.transport.get_remote_server_key())
    assert shown == lab_server.host_key_fingerprints[kind]


def test_cli_accept_new_host_key_refuses_a_key_of_another_type(
    lab_server: LabServer,
    rsa_only_port: int,
    config_dir: Path,
    real_keyring: str,
    echo_service: RemoteService,
) -> None:
    lab_server.require_password_auth()
    env = cli_env(config_dir, real_keyring)
    added = add_password_profile(
        lab_server, env, "old", "--port", str(rsa_only_port), "--remote", _place(echo_service)
    )
    assert added.returncode == 0, added.stderr
    known = config_dir / "known_hosts"
    known.write_text(
        f"{host_entry_name(lab_server.host, rsa_only_port)} "
        f"{lab_server.host_public_keys['ed25519']}\n"
    )
    before = known.read_bytes()
    result = labtunnel(
        "connect", "old", "--accept-new-host-key", "--no-browser", env=env, timeout=60
    )
    assert result.returncode == 1, result.stderr
    assert result.stdout == ""  # no URL: it never connected
    assert "Trusted" not in result.stderr
    assert lab_server.host_key_fingerprints["rsa"] in result.stderr
    last = result.stderr.strip().splitlines()[-1].removeprefix("labtunnel: ")
    assert_documented("Host key of another type", last)
    assert known.read_bytes() == before


# --- 6: a damaged known_hosts file keeps its protection -----------------------------------


NOT_UTF8 = b"# caf\xe9 latin-1 comment, and a stray \xff byte\n"
GARBAGE = b"this is not a known_hosts line\n\x00\x00\x00\n|1|not-base64|x ssh-ed25519\n"


def _truncated(lab: LabServer) -> bytes:
    """A line of another host whose base64 was cut short (a full disk, an editor)."""
    key_type, blob = lab.host_public_keys["ed25519"].split()[:2]
    return f"other.example.org {key_type} {blob[:-9]}\n".encode()


def _lab_lines(lab: LabServer) -> bytes:
    return _known_hosts(lab, (lab.host, lab.port)).encode()


def _sockets_to(host: str, port: int) -> int:
    """TCP sockets of this process connected to host:port (IPv4)."""
    inodes = set()
    for fd in Path("/proc/self/fd").iterdir():
        with contextlib.suppress(OSError):
            target = os.readlink(fd)
            if target.startswith("socket:["):
                inodes.add(target[8:-1])
    wanted = "{:08X}:{:04X}".format(int.from_bytes(socket.inet_aton(host), "little"), port)
    count = 0
    for line in Path("/proc/self/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if fields[2] == wanted and fields[9] in inodes and fields[3] != "06":  # not TIME_WAIT
            count += 1
    return count


def _connect(lab: LabServer, known: Path) -> None:
    hops = [(_endpoint(lab, lab.host, lab.port), _password(lab))]
    open_chain(hops, HostKeyStore(known)).close()


@pytest.mark.parametrize(
    "damage",
    [NOT_UTF8, GARBAGE, b"TRUNCATED"],
    ids=["non-utf8-byte", "garbage-lines", "truncated-base64"],
)
def test_damaged_lines_are_skipped_and_the_rest_still_counts(
    lab_server: LabServer, tmp_path: Path, damage: bytes
) -> None:
    """Before: a non-UTF-8 byte made the whole file read as empty (HostKeyUnknown), a
    truncated line raised paramiko's InvalidHostKey out of the handshake."""
    lab_server.require_password_auth()
    damage = _truncated(lab_server) if damage == b"TRUNCATED" else damage
    known = tmp_path / "known_hosts"
    known.write_bytes(damage + _lab_lines(lab_server) + damage)
    _connect(lab_server, known)
    assert _sockets_to(lab_server.host, lab_server.port) == 0


def test_a_changed_key_is_still_refused_in_a_damaged_file(
    lab_server: LabServer, tmp_path: Path
) -> None:
    lab_server.require_password_auth()
    wrong = lab_server.jump_target_public_keys["ed25519"]  # a real key, not this host's
    known = tmp_path / "known_hosts"
    known.write_bytes(
        NOT_UTF8
        + _truncated(lab_server)
        + f"{host_entry_name(lab_server.host, lab_server.port)} {wrong}\n".encode()
    )
    with pytest.raises(HostKeyChanged) as caught:
        _connect(lab_server, known)
    assert caught.value.expected_fingerprints == (lab_server.jump_target_fingerprints["ed25519"],)
    assert _sockets_to(lab_server.host, lab_server.port) == 0


def test_trusting_a_new_host_keeps_every_other_line(lab_server: LabServer, tmp_path: Path) -> None:
    """Before: trusting rewrote a file that had failed to parse with only the new key."""
    lab_server.require_password_auth()
    others = b"other.example.org " + lab_server.jump_target_public_keys["rsa"].encode() + b"\n"
    original = NOT_UTF8 + others + _truncated(lab_server) + GARBAGE
    known = tmp_path / "known_hosts"
    known.write_bytes(original)
    store = HostKeyStore(known)
    with pytest.raises(HostKeyUnknown) as caught:
        _connect(lab_server, known)
    unknown = caught.value
    store.trust(unknown.host, unknown.port, unknown.key_type, unknown.key_base64)
    content = known.read_bytes()
    assert content.startswith(original), "a line of the file was lost or changed"
    assert content[len(original) :].count(b"\n") == 1
    _connect(lab_server, known)  # and the new key is trusted
    assert store.forget(lab_server.host, lab_server.port) == 1
    assert known.read_bytes() == original  # forgetting also leaves the rest as it was


@pytest.mark.parametrize("how", ["directory", "all-garbage"])
def test_an_unreadable_own_file_refuses_to_connect(
    lab_server: LabServer, tmp_path: Path, how: str
) -> None:
    """Before: an unreadable file counted as empty, so every known host became a
    first-use question (and trusting then replaced the file)."""
    lab_server.require_password_auth()
    known = tmp_path / "known_hosts"
    if how == "directory":
        known.mkdir()
    else:
        known.write_bytes(b"\xff\xfe\x00garbage\n" * 40)
    with pytest.raises(KnownHostsUnreadable) as caught:
        _connect(lab_server, known)
    assert caught.value.path == str(known)
    text = describe(caught.value).text
    assert str(known) in text
    situation = "unreadable" if how == "directory" else "damaged"
    assert_documented(f"List of trusted servers {situation}", text)
    assert _sockets_to(lab_server.host, lab_server.port) == 0
    with pytest.raises(KnownHostsUnreadable):
        HostKeyStore(known).trust(
            lab_server.host, lab_server.port, "ssh-ed25519", _blob(lab_server, "ed25519")
        )
    if how != "directory":
        assert known.read_bytes() == b"\xff\xfe\x00garbage\n" * 40


def assert_documented(situation: str, text: str) -> None:
    """``text`` is the sentence docs/errors.md gives for ``situation``."""
    template = documented_templates()[situation]
    assert template_regex(template).match(text), (situation, text)


def _blob(lab: LabServer, kind: str) -> str:
    return lab.host_public_keys[kind].split()[1]


def _password(lab: LabServer) -> Credentials:
    return Credentials(password=lab.user.password)


def _place(service: RemoteService) -> str:
    return f"{service.host}:{service.port}"


# --- 4: a lab profile file decides less than it used to ----------------------------------


def _crafted_lab_file(path: Path, server: dict[str, object], jump: dict | None = None) -> None:  # type: ignore[type-arg]
    """What anyone can write: the "integrity digest" is a SHA-256 of the content, which
    the author recomputes (the file is not signed)."""
    content = {
        "format": "labtunnel-lab-profile",
        "version": 1,
        "profile": {"name": "GPU lab", "server": server, "jump": jump, "target": None},
    }
    content["profile"]["target"] = {"kind": "remote", "host": "127.0.0.1", "port": 9}  # type: ignore[index]
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    digest = hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    path.write_text(json.dumps({**content, "sha256": digest}, indent=2))


def test_a_crafted_lab_file_cannot_override_a_trusted_key(
    lab_server: LabServer, config_dir: Path, real_keyring: str, tmp_path: Path
) -> None:
    """The user already trusts the lab server. A file naming that server with an
    attacker's pin, while the attacker answers at its address (an sshd with other keys),
    used to import cleanly and connect to the attacker with no question."""
    lab_server.require_password_auth()
    impostor = lab_server.start_sshd_variant(new_host_keys=True)
    try:
        env = cli_env(config_dir, real_keyring)
        known = config_dir / "known_hosts"
        known.write_text(_known_hosts(lab_server, (lab_server.host, impostor)))  # the real keys
        path = tmp_path / "gpu.labtunnel"
        pins = list(lab_server.variant_fingerprints(impostor).values())
        _crafted_lab_file(
            path, {"host": lab_server.host, "port": impostor, "host_key_fingerprints": pins}
        )
        imported = labtunnel(
            "profile", "import", str(path), "--user", lab_server.user.name, "--password-stdin",
            env=env, stdin=lab_server.user.password + "\n",
        )  # fmt: skip
        assert imported.returncode == 0, imported.stderr  # well-formed: it does import
        result = labtunnel("connect", "GPU lab", "--no-browser", env=env, timeout=45)
    finally:
        lab_server.stop_sshd_variant(impostor)
    assert result.returncode == 1 and result.stdout == "", result.stderr
    last = result.stderr.strip().splitlines()[-1].removeprefix("labtunnel: ")
    assert_documented("Pinned key contradicts a trusted key", last)
    assert lab_server.host_key_fingerprints["ed25519"] in last


def test_a_file_chosen_jump_host_gets_the_password_only_when_the_user_agrees(
    lab_server: LabServer, config_dir: Path, real_keyring: str, tmp_path: Path
) -> None:
    """Before: the password typed for the server was also stored for (and sent to) the
    jump host the file named, whoever wrote the file."""
    lab_server.require_password_auth()
    env = cli_env(config_dir, real_keyring)
    path = tmp_path / "via-gw.labtunnel"
    _crafted_lab_file(
        path,
        {
            "host": lab_server.jump_target_host,
            "port": lab_server.jump_target_port,
            "host_key_fingerprints": list(lab_server.jump_target_fingerprints.values()),
        },
        {
            "host": lab_server.host,
            "port": lab_server.port,
            "host_key_fingerprints": list(lab_server.host_key_fingerprints.values()),
        },
    )
    secrets = KeyringSecretStore(real_keyring)
    stdin = lab_server.user.password + "\n"
    for extra, jump_gets_it in (((), False), (("--same-password-for-jump",), True)):
        name = f"lab{len(extra)}"
        result = labtunnel(
            "profile", "import", str(path), "--user", lab_server.user.name,
            "--password-stdin", "--name", name, *extra, env=env, stdin=stdin,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
        by_name = {p["name"]: p for p in _profiles(env)}
        main = by_name[name]
        jump_id = main["jump"]["profile_id"]  # type: ignore[index]
        jump = next(p for p in by_name.values() if p["id"] == jump_id)
        assert secrets.get(str(main["id"]), SecretKind.PASSWORD) == lab_server.user.password
        stored = secrets.get(str(jump_id), SecretKind.PASSWORD)
        assert stored == (lab_server.user.password if jump_gets_it else None), extra
        if not jump_gets_it:
            assert f'labtunnel profile set-password "{jump["name"]}"' in result.stderr
        labtunnel("profile", "remove", name, env=env)
        labtunnel("profile", "remove", str(jump["name"]), env=env)


def _profiles(env: dict[str, str]) -> list[dict[str, object]]:
    listed = labtunnel("profile", "list", "--json", env=env)
    assert listed.returncode == 0, listed.stderr
    data: list[dict[str, object]] = json.loads(listed.stdout)
    return data


# --- 3: the Jupyter token is on no command line ------------------------------------------


def test_connect_opens_the_browser_without_the_token_on_any_command_line(
    lab_server: LabServer, config_dir: Path, real_keyring: str, tmp_path: Path
) -> None:
    """Before: ``labtunnel connect`` ran the browser with ``…/lab?token=…`` in its argv,
    which every local user's ``ps`` shows while the browser runs."""
    lab_server.require_password_auth()
    lab_server.require_jupyter()
    env = cli_env(config_dir, real_keyring)
    added = add_password_profile(
        lab_server, env, "jupyter", "--jupyter-env", str(lab_server.jupyter_venv)
    )
    assert added.returncode == 0, added.stderr
    (config_dir / "known_hosts").write_text(_known_hosts(lab_server, (lab_server.host, 22)))
    _script, log, browser_env = fake_browser(tmp_path)
    env.update(browser_env)
    connect = subprocess.Popen(
        [sys.executable, "-m", "labtunnel", "connect", "jupyter"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    browser_pid = 0
    try:
        assert connect.stdout is not None
        url = connect.stdout.readline().strip()
        assert "token=" in url, url
        token = parse_qs(urlsplit(url).query)["token"][0]
        assert _wait_until(lambda: log.exists() and log.read_text().strip(), 20)
        line = log.read_text().splitlines()[0]
        browser_pid = int(line.split()[0])
        assert processes_showing(token) == {}, "the token is on a command line"
        page = page_path(line.split()[1])
        assert stat.S_IMODE(page.stat().st_mode) == 0o600
        assert stat.S_IMODE(page.parent.stat().st_mode) == 0o700
        assert page_target(line.split()[1]) == url
        connect.send_signal(signal.SIGINT)
        assert connect.wait(20) == 0
        assert not page.exists(), "the page outlived the tunnel"
    finally:
        if browser_pid:
            kill_with_children(browser_pid)
        if connect.poll() is None:
            connect.kill()
        connect.wait(10)
    labtunnel("jupyter", "stop", "jupyter", env=env)


# --- 12: stopping never waits on the network -------------------------------------------


@contextlib.contextmanager
def silent_server() -> Iterator[tuple[int, threading.Event]]:
    """A hostile server on loopback: accepts TCP and then says nothing (no SSH banner)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    accepted = threading.Event()
    peers: list[socket.socket] = []

    def serve() -> None:
        with contextlib.suppress(OSError):
            while True:
                peer, _ = listener.accept()
                peers.append(peer)
                accepted.set()

    thread = threading.Thread(target=serve, name="silent-server", daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1], accepted
    finally:
        listener.close()
        for peer in peers:
            peer.close()
        thread.join(2)


def _stop_quickly(tunnel: Tunnel, log: EventLog) -> float:
    """Stop ``tunnel``; the seconds stop() took. Its thread must end soon after, and the
    tunnel end as disconnected (a stop, not a failure)."""
    started = time.monotonic()
    tunnel.stop()
    took = time.monotonic() - started
    assert tunnel.join(1.5), "the tunnel's thread still runs 1.5 s after stop()"
    final = log.events[-1][1]
    assert isinstance(final, TunnelStatus) and final.state is TunnelState.DISCONNECTED, final
    return took


def test_stop_cancels_a_connect_to_a_blackholed_server(
    lab_server: LabServer, trusted_hostkeys: HostKeyStore, tmp_path: Path
) -> None:
    """Before: the worker sat in connect() until the 15 s timeout."""
    lab_server.require_netns()
    lab_server.drop_all()
    log = EventLog()
    tunnel, _ = make_tunnel(
        lab_server, trusted_hostkeys, tmp_path, remote_target("127.0.0.1", 9), log
    )
    tunnel.start()
    log.wait_for(lambda s: s.step is TunnelStep.CONNECTING, 5)
    time.sleep(0.3)  # inside connect()
    assert _stop_quickly(tunnel, log) < 0.1


def test_stop_cancels_a_handshake_with_a_server_that_says_nothing(
    lab_server: LabServer, trusted_hostkeys: HostKeyStore, tmp_path: Path
) -> None:
    """Before: the worker waited for the SSH banner until the 15 s timeout."""
    log = EventLog()
    with silent_server() as (port, accepted):
        tunnel, _ = make_tunnel(
            lab_server, trusted_hostkeys, tmp_path, remote_target("127.0.0.1", 9), log,
            host="127.0.0.1", port=port,
        )  # fmt: skip
        tunnel.start()
        assert accepted.wait(5)
        time.sleep(0.2)  # waiting for the banner
        assert _stop_quickly(tunnel, log) < 0.1


def test_stop_of_a_tunnel_through_a_jump_host_on_a_dead_network_returns_at_once(
    lab_server: LabServer, echo_service: RemoteService, tmp_path: Path
) -> None:
    lab_server.require_netns()
    lab_server.require_password_auth()
    known = tmp_path / "known_hosts"
    known.write_text(known_hosts_text(lab_server))
    log = EventLog()
    tunnel, _ = make_tunnel(
        lab_server, HostKeyStore(known), tmp_path, remote_target(*echo_service), log,
        host=lab_server.jump_target_host, port=lab_server.jump_target_port,
        jump=JumpHost(host=lab_server.host, port=lab_server.port),
    )  # fmt: skip
    tunnel.start()
    log.wait_state(TunnelState.CONNECTED, 30)
    lab_server.drop_all()
    assert _stop_quickly(tunnel, log) < 0.1

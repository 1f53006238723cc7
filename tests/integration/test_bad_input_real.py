"""Every kind of bad input a user can meet, through `labtunnel` against the real server: each
gives exit 1 and one plain sentence naming the fix, the settings stay intact, and the sentence
is the one docs/errors.md lists."""

from __future__ import annotations

import json
import re
import shutil
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from tests.harness import LabServer
from tests.integration.test_cli_real import add_password_profile, cli_env, labtunnel

pytestmark = pytest.mark.integration

DOC = Path(__file__).resolve().parents[2] / "docs" / "errors.md"


def documented_templates() -> dict[str, str]:
    """Situation -> message template, from the table in docs/errors.md."""
    rows: dict[str, str] = {}
    for line in DOC.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 2 and cells[0] and not cells[0].startswith(("Situation", "---")):
            rows[cells[0]] = cells[1].replace("\\|", "|")
    return rows


def template_regex(template: str) -> re.Pattern[str]:
    parts = re.split(r"\{[a-z_]+\}", template)
    return re.compile(".+?".join(re.escape(p) for p in parts) + "$", re.DOTALL)


@dataclass
class Case:
    env: dict[str, str]
    config: Path
    lab: LabServer

    def add(self, name: str, *extra: str) -> None:
        result = add_password_profile(self.lab, self.env, name, *extra)
        assert result.returncode == 0, result.stderr

    def run(self, *args: str, stdin: str | None = None) -> str:
        before = self.snapshot()
        result = labtunnel(*args, env=self.env, stdin=stdin, timeout=120)
        assert result.returncode == 1, (result.returncode, result.stdout, result.stderr)
        assert result.stdout == ""
        last = result.stderr.strip().splitlines()[-1]
        assert last.startswith("labtunnel: "), result.stderr
        assert "Traceback" not in result.stderr
        after = self.snapshot()
        assert after == before, "a failed command changed the settings"
        return last.removeprefix("labtunnel: ")

    def snapshot(self) -> dict[str, bytes]:
        return {
            str(p.relative_to(self.config)): p.read_bytes()
            for p in self.config.rglob("*")
            if p.is_file()
            and "logs" not in p.parts
            and "home" not in p.parts
            and "unreadable" not in p.name
        }

    def trust_lab(self, port: int | None = None) -> None:
        port = port or self.lab.port
        name = self.lab.host if port == 22 else f"[{self.lab.host}]:{port}"
        lines = [f"{name} {line}\n" for line in self.lab.host_public_keys.values()]
        with (self.config / "known_hosts").open("a") as handle:
            handle.writelines(lines)


@pytest.fixture
def case(lab_server: LabServer, config_dir: Path, real_keyring: str) -> Iterator[Case]:
    lab_server.require_password_auth()
    yield Case(cli_env(config_dir, real_keyring), config_dir, lab_server)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def banner_then_close() -> tuple[int, threading.Thread]:
    """A server that answers like sshd and hangs up in the middle of the handshake."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)

    def serve() -> None:
        conn, _ = listener.accept()
        conn.sendall(b"SSH-2.0-OpenSSH_9.2\r\n")
        conn.recv(4096)
        conn.close()
        listener.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    return int(listener.getsockname()[1]), thread


def unknown_host(c: Case) -> str:
    result = labtunnel(
        "profile",
        "add",
        "lab",
        "--host",
        "no-such-host.invalid",
        "--user",
        "u",
        "--agent",
        "--remote",
        "127.0.0.1:80",
        env=c.env,
    )
    assert result.returncode == 0, result.stderr
    return c.run("connect", "lab", "--no-browser")


def unreachable_host(c: Case) -> str:
    c.lab.require_netns()
    c.add("lab", "--remote", "127.0.0.1:80", "--connect-timeout", "8")
    c.lab.link_down()
    try:
        return c.run("connect", "lab", "--no-browser", "--accept-new-host-key")
    finally:
        c.lab.link_up()


def connect_timeout(c: Case) -> str:
    c.lab.require_netns()
    c.add("lab", "--remote", "127.0.0.1:80", "--connect-timeout", "3")
    c.lab.drop_all()
    try:
        return c.run("connect", "lab", "--no-browser", "--accept-new-host-key")
    finally:
        c.lab.undrop()


def connection_refused(c: Case) -> str:
    c.add("lab", "--remote", "127.0.0.1:80", "--port", "1")
    return c.run("connect", "lab", "--no-browser")


def wrong_password(c: Case) -> str:
    c.trust_lab()
    result = labtunnel(
        "profile",
        "add",
        "lab",
        "--host",
        c.lab.host,
        "--user",
        c.lab.user.name,
        "--password-stdin",
        "--remote",
        "127.0.0.1:80",
        env=c.env,
        stdin="wrong-password\n",
    )
    assert result.returncode == 0
    return c.run("connect", "lab", "--no-browser")


def add_key_profile(c: Case, key: Path, passphrase: str | None = None) -> None:
    c.trust_lab()
    args = [
        "profile",
        "add",
        "lab",
        "--host",
        c.lab.host,
        "--user",
        c.lab.user.name,
        "--key",
        str(key),
        "--remote",
        "127.0.0.1:80",
    ]
    if passphrase is not None:
        args.append("--passphrase-stdin")
    result = labtunnel(*args, env=c.env, stdin=(passphrase or "") + "\n")
    assert result.returncode == 0, result.stderr


def wrong_passphrase(c: Case) -> str:
    add_key_profile(c, c.lab.keys.ed25519_encrypted, "not the passphrase")
    return c.run("connect", "lab", "--no-browser")


def copied_key(c: Case) -> Path:
    key = c.config / "home" / "id_test"
    shutil.copy(c.lab.keys.ed25519, key)
    return key


def key_missing(c: Case) -> str:
    key = copied_key(c)
    add_key_profile(c, key)
    key.unlink()
    return c.run("connect", "lab", "--no-browser")


def key_unreadable(c: Case) -> str:
    key = copied_key(c)
    add_key_profile(c, key)
    key.unlink()
    key.mkdir()
    return c.run("connect", "lab", "--no-browser")


def key_unsupported(c: Case) -> str:
    add_key_profile(c, Path(f"{c.lab.keys.ed25519}.pub"))
    return c.run("connect", "lab", "--no-browser")


def agent_not_running(c: Case) -> str:
    c.trust_lab()
    result = labtunnel(
        "profile",
        "add",
        "lab",
        "--host",
        c.lab.host,
        "--user",
        c.lab.user.name,
        "--agent",
        "--remote",
        "127.0.0.1:80",
        env=c.env,
    )
    assert result.returncode == 0
    c.env.pop("SSH_AUTH_SOCK", None)
    return c.run("connect", "lab", "--no-browser")


def jump_host_failing(c: Case) -> str:
    c.trust_lab()
    c.add("lab", "--remote", "127.0.0.1:80", "--jump", f"{c.lab.host}:1")
    return c.run("connect", "lab", "--no-browser")


def unknown_host_key(c: Case) -> str:
    c.add("lab", "--remote", "127.0.0.1:80")
    return c.run("connect", "lab", "--no-browser")


def changed_host_key(c: Case) -> str:
    port = c.lab.start_sshd_variant(new_host_keys=True)
    c.trust_lab(port)
    c.add("lab", "--remote", "127.0.0.1:80", "--port", str(port))
    return c.run("connect", "lab", "--no-browser", "--accept-new-host-key")


def local_port_in_use(c: Case) -> str:
    c.trust_lab()
    busy = socket.socket()
    busy.bind(("127.0.0.1", 0))
    busy.listen(1)
    try:
        c.add("lab", "--remote", "127.0.0.1:22", "--local-port", str(busy.getsockname()[1]))
        return c.run("connect", "lab", "--no-browser")
    finally:
        busy.close()


def port_out_of_range(c: Case) -> str:
    return c.run(
        "profile", "add", "lab", "--host", "gpu", "--user", "u", "--port", "70000", "--agent"
    )


def duplicate_name(c: Case) -> str:
    c.add("GPU lab", "--remote", "127.0.0.1:80")
    return c.run("profile", "add", "gpu LAB", "--host", "gpu", "--user", "u", "--agent")


def corrupt_profile_file(c: Case) -> str:
    (c.config / "profiles.json").write_text('{"schema": 1, "profiles": [')
    message = c.run("profile", "list")
    assert list(c.config.glob("profiles.json.unreadable-*"))
    c.run("profile", "add", "x", "--host", "gpu", "--user", "u", "--agent")
    return message


def newer_profile_file(c: Case) -> str:
    (c.config / "profiles.json").write_text('{"schema": 99, "profiles": []}')
    return c.run("profile", "list")


def keyring_unavailable(c: Case) -> str:
    c.env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
    return c.run(
        "profile",
        "add",
        "lab",
        "--host",
        "gpu",
        "--user",
        "u",
        "--password-stdin",
        stdin="secret-pw\n",
    )


def jupyter_not_installed(c: Case) -> str:
    c.trust_lab()
    c.add("lab", "--jupyter-env", "/opt/no-such-env")
    return c.run("connect", "lab", "--no-browser")


def remote_command_hanging(c: Case) -> str:
    c.trust_lab()
    fake = c.lab.write_user_file(
        c.lab.user, "hang/bin/jupyter", "#!/bin/sh\nsleep 600\n", mode=0o755
    )
    c.add("lab", "--jupyter-env", str(fake))
    try:
        return c.run("connect", "lab", "--no-browser")
    finally:
        # a "jupyter" that hangs must not stay where later tests' users look for one
        shutil.rmtree(Path(c.lab.user.home) / "hang", ignore_errors=True)


def server_closes_during_auth(c: Case) -> str:
    port, thread = banner_then_close()
    c.add("lab", "--remote", "127.0.0.1:80")
    profiles = json.loads((c.config / "profiles.json").read_text())
    profiles["profiles"][0].update(host="127.0.0.1", port=port)
    (c.config / "profiles.json").write_text(json.dumps(profiles))
    message = c.run("connect", "lab", "--no-browser")
    thread.join(5)
    return message


def forwarding_not_allowed(c: Case) -> str:
    port = c.lab.start_sshd_variant(["AllowTcpForwarding no"])
    c.trust_lab(port)
    c.add("lab", "--remote", "127.0.0.1:22", "--port", str(port))
    return c.run("connect", "lab", "--no-browser")


CASES: dict[str, Callable[[Case], str]] = {
    "Unknown host name": unknown_host,
    "Host unreachable": unreachable_host,
    "Connection timed out": connect_timeout,
    "Connection refused": connection_refused,
    "Wrong password": wrong_password,
    "Wrong key passphrase": wrong_passphrase,
    "Key file missing": key_missing,
    "Key file unreadable": key_unreadable,
    "Key file of an unsupported type": key_unsupported,
    "SSH agent not running": agent_not_running,
    "Jump host failing": jump_host_failing,
    "Unknown host key": unknown_host_key,
    "Changed host key": changed_host_key,
    "Local port in use": local_port_in_use,
    "Port out of range": port_out_of_range,
    "Duplicate profile name": duplicate_name,
    "Corrupt profile file": corrupt_profile_file,
    "Profile file from a newer version": newer_profile_file,
    "Keyring unavailable": keyring_unavailable,
    "Jupyter not installed": jupyter_not_installed,
    "Remote command hanging": remote_command_hanging,
    "Server closes the session during the handshake": server_closes_during_auth,
    "Server does not allow port forwarding": forwarding_not_allowed,
}


def test_every_case_is_documented() -> None:
    assert set(documented_templates()) >= set(CASES)


@pytest.mark.parametrize("situation", list(CASES))
def test_bad_input_gives_the_documented_sentence(case: Case, situation: str) -> None:
    message = CASES[situation](case)
    print(f"{situation}: {message}")
    template = documented_templates().get(situation, "(not documented)")
    assert template_regex(template).match(message), f"{situation}: {message!r}"

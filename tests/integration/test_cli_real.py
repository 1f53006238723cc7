"""`labtunnel` as a user runs it: real process, real sshd, real keyring."""

from __future__ import annotations

import hashlib
import http.client
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from tests.harness import HttpService, LabServer
from tests.unit.connect_imports import RUN_CLI, problems

pytestmark = pytest.mark.integration


def cli_env(config_dir: Path, keyring_service: str | None = None) -> dict[str, str]:
    env = dict(os.environ, LABTUNNEL_CONFIG_DIR=str(config_dir), HOME=str(config_dir / "home"))
    (config_dir / "home").mkdir(exist_ok=True)
    if keyring_service:
        env["LABTUNNEL_KEYRING_SERVICE"] = keyring_service
    return env


def labtunnel(
    *args: str, env: dict[str, str], stdin: str | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "labtunnel", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
    )


def add_password_profile(
    lab: LabServer, env: dict[str, str], name: str, *extra: str
) -> subprocess.CompletedProcess[str]:
    return labtunnel(
        "profile",
        "add",
        name,
        "--host",
        lab.host,
        "--port",
        str(lab.port),
        "--user",
        lab.user.name,
        "--password-stdin",
        *extra,
        env=env,
        stdin=lab.user.password + "\n",
    )


def fetch(url: str, path: str) -> tuple[int, bytes]:
    parts = urlsplit(url)
    assert parts.hostname == "127.0.0.1"
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=20)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


class ConnectProcess:
    """`labtunnel connect` running in the background, read line by line. With
    ``modules_to``, the modules it loaded are written there when it exits."""

    def __init__(self, env: dict[str, str], *args: str, modules_to: Path | None = None) -> None:
        start = ["-c", RUN_CLI, str(modules_to)] if modules_to else ["-m", "labtunnel"]
        self.proc = subprocess.Popen(
            [sys.executable, *start, "connect", *args, "--no-browser"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )

    def first_line(self, timeout: float = 90) -> str:
        import selectors

        assert self.proc.stdout is not None
        selector = selectors.DefaultSelector()
        selector.register(self.proc.stdout, selectors.EVENT_READ)
        if not selector.select(timeout):
            self.stop()
            raise AssertionError(f"no URL within {timeout} s; stderr: {self.stderr()}")
        return self.proc.stdout.readline().strip()

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 15) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            return self.proc.wait(timeout)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait()

    def stderr(self) -> str:
        if self.proc.poll() is None:
            return "(running)"
        assert self.proc.stderr is not None
        return self.proc.stderr.read()


def test_profile_commands_keep_the_password_only_in_the_keyring(
    lab_server: LabServer, config_dir: Path, real_keyring: str
) -> None:
    env = cli_env(config_dir, real_keyring)
    added = add_password_profile(lab_server, env, "GPU lab", "--remote", "127.0.0.1:8888")
    assert added.returncode == 0, added.stderr
    listed = labtunnel("profile", "list", "--json", env=env)
    profiles = json.loads(listed.stdout)
    assert [p["name"] for p in profiles] == ["GPU lab"]
    import keyring

    stored = keyring.get_password(real_keyring, f"{profiles[0]['id']}:password")
    assert stored == lab_server.user.password
    for path in config_dir.rglob("*"):
        if path.is_file():
            assert lab_server.user.password not in path.read_text(errors="replace"), path
    duplicate = add_password_profile(lab_server, env, "gpu LAB")
    assert duplicate.returncode == 1
    assert "already called" in duplicate.stderr
    bad_port = labtunnel(
        "profile", "add", "x", "--host", "h", "--user", "u", "--port", "70000", "--agent", env=env
    )
    assert bad_port.returncode == 1 and "65535" in bad_port.stderr
    removed = labtunnel("profile", "remove", "GPU lab", env=env)
    assert removed.returncode == 0
    assert keyring.get_password(real_keyring, f"{profiles[0]['id']}:password") is None


def test_connect_forwards_a_service_reachable_only_through_ssh(
    lab_server: LabServer, config_dir: Path, real_keyring: str, http_service: HttpService
) -> None:
    env = cli_env(config_dir, real_keyring)
    remote = f"{http_service.host}:{http_service.port}"
    assert add_password_profile(lab_server, env, "lab", "--remote", remote).returncode == 0

    refused = labtunnel("connect", "lab", "--no-browser", env=env)
    assert refused.returncode == 1
    assert refused.stdout == ""
    assert any(fp in refused.stderr for fp in lab_server.host_key_fingerprints.values())
    assert "--accept-new-host-key" in refused.stderr

    started = time.monotonic()
    connect = ConnectProcess(env, "lab", "--accept-new-host-key")
    url = connect.first_line()
    connect_seconds = time.monotonic() - started
    try:
        assert url.startswith("http://127.0.0.1:") and url.endswith("/")
        status, body = fetch(url, http_service.url_path)
        assert status == 200
        assert hashlib.sha256(body).hexdigest() == http_service.sha256
    finally:
        code = connect.stop()
    assert code == 0, connect.stderr()
    # the key was trusted once: the next connect needs no flag
    again = ConnectProcess(env, "lab")
    try:
        assert again.first_line().startswith("http://127.0.0.1:")
    finally:
        assert again.stop(signal.SIGINT) == 0
    print(f"labtunnel connect: URL after {connect_seconds:.2f} s (process start included)")


def test_a_key_login_connect_loads_only_what_a_connect_needs(
    lab_server: LabServer, config_dir: Path, http_service: HttpService
) -> None:
    """A whole connect, through to a request over the tunnel: no module outside the
    connect's list (tests/unit/connect_imports.py), no Qt, and for a key without
    passphrase no keyring at all (its secrets are asked for only when a login needs one)."""
    env = cli_env(config_dir)
    added = labtunnel(
        "profile", "add", "lab", "--host", lab_server.host, "--port", str(lab_server.port),
        "--user", lab_server.user.name, "--key", str(lab_server.keys.ed25519),
        "--remote", f"{http_service.host}:{http_service.port}", env=env,
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    listing = config_dir / "modules"
    connect = ConnectProcess(env, "lab", "--accept-new-host-key", modules_to=listing)
    try:
        url = connect.first_line()
        assert fetch(url, http_service.url_path)[0] == 200
    finally:
        assert connect.stop(signal.SIGINT) == 0, connect.stderr()
    assert problems(set(listing.read_text().split())) == []


def test_connect_failures_are_one_plain_sentence(
    lab_server: LabServer, config_dir: Path, real_keyring: str
) -> None:
    env = cli_env(config_dir, real_keyring)
    subprocess.run(["true"], check=True)
    bad = labtunnel(
        "profile",
        "add",
        "wrongpw",
        "--host",
        lab_server.host,
        "--user",
        lab_server.user.name,
        "--password-stdin",
        "--remote",
        "127.0.0.1:1",
        env=env,
        stdin="not-the-password\n",
    )
    assert bad.returncode == 0
    result = labtunnel("connect", "wrongpw", "--no-browser", "--accept-new-host-key", env=env)
    assert result.returncode == 1 and result.stdout == ""
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("labtunnel: ") and "did not accept the login" in last
    assert "not-the-password" not in result.stderr
    missing = labtunnel("connect", "nope", env=env)
    assert missing.returncode == 1 and "no saved lab server" in missing.stderr.lower()


def test_connect_lands_in_the_users_own_jupyter(
    lab_server: LabServer, config_dir: Path, real_keyring: str
) -> None:
    lab_server.require_jupyter()
    env = cli_env(config_dir, real_keyring)
    added = add_password_profile(
        lab_server, env, "jupyter", "--jupyter-env", str(lab_server.jupyter_venv)
    )
    assert added.returncode == 0, added.stderr
    started = time.monotonic()
    connect = ConnectProcess(env, "jupyter", "--accept-new-host-key")
    url = connect.first_line(timeout=120)
    first_seconds = time.monotonic() - started
    try:
        parts = urlsplit(url)
        assert parts.hostname == "127.0.0.1" and "token=" in parts.query
        token = parts.query.split("token=")[1]
        status, body = fetch(url, f"/api/status?token={token}")
        assert status == 200 and b"started" in body
        assert fetch(url, "/api/status")[0] == 403
        assert fetch(url, parts.path + "?" + parts.query)[0] == 200
    finally:
        assert connect.stop() == 0
    assert "Jupyter listens on a private socket" in connect.stderr()
    # the next connect reuses the same server (same token), found quickly
    started = time.monotonic()
    again = ConnectProcess(env, "jupyter")
    try:
        # same server, same token, and the same local port: an open tab finds it again
        assert again.first_line(timeout=60) == url
        reuse_seconds = time.monotonic() - started
    finally:
        again.stop()
    listed = labtunnel("jupyter", "list", "jupyter", env=env)
    assert listed.returncode == 0 and listed.stdout.count("socket ") == 1
    assert token not in listed.stdout + listed.stderr
    stopped = labtunnel("jupyter", "stop", "jupyter", env=env)
    assert stopped.returncode == 0, stopped.stderr
    after = labtunnel("jupyter", "list", "jupyter", env=env)
    assert "socket" not in after.stdout and "port" not in after.stdout
    print(f"jupyter: first connect {first_seconds:.1f} s (start), reuse {reuse_seconds:.1f} s")


def test_connect_through_a_jump_host_trusts_both_keys_when_asked(
    lab_server: LabServer, config_dir: Path, real_keyring: str, http_service: HttpService
) -> None:
    env = cli_env(config_dir, real_keyring)
    added = labtunnel(
        "profile",
        "add",
        "inner",
        "--host",
        lab_server.jump_target_host,
        "--port",
        str(lab_server.jump_target_port),
        "--user",
        lab_server.user.name,
        "--password-stdin",
        "--jump",
        f"{lab_server.host}:{lab_server.port}",
        "--remote",
        f"{http_service.host}:{http_service.port}",
        env=env,
        stdin=lab_server.user.password + "\n",
    )
    assert added.returncode == 0, added.stderr
    refused = labtunnel("connect", "inner", "--no-browser", env=env)
    assert refused.returncode == 1 and "Via the jump host" in refused.stderr
    connect = ConnectProcess(env, "inner", "--accept-new-host-key")
    try:
        url = connect.first_line()
        status, body = fetch(url, http_service.url_path)
        assert status == 200 and hashlib.sha256(body).hexdigest() == http_service.sha256
    finally:
        assert connect.stop() == 0
    trusted = labtunnel("hostkey", "list", env=env).stdout.splitlines()
    jump_entry = [line for line in trusted if line.startswith(f"{lab_server.host}\t")]
    target_name = f"[{lab_server.jump_target_host}]:{lab_server.jump_target_port}\t"
    target_entry = [line for line in trusted if line.startswith(target_name)]
    assert jump_entry and jump_entry[0].split("\t")[2] in lab_server.host_key_fingerprints.values()
    assert target_entry
    assert target_entry[0].split("\t")[2] in lab_server.jump_target_fingerprints.values()

"""`labtunnel profile use-key / remove-key / forget-password` as a user runs them: real
process, real sshd, real keyring, a fresh account each time. A refused use-key exits 1 with
the sentence docs/errors.md lists and leaves the settings folder as it was."""

from __future__ import annotations

import itertools
import json
import os
import signal
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import keyring
import pytest
from tests.harness import LabServer, TestUser
from tests.harness.mounts import start_full_home_sshd, start_readonly_home_sshd
from tests.integration.test_bad_input_real import documented_templates, template_regex
from tests.integration.test_cli_real import ConnectProcess, cli_env, labtunnel

pytestmark = pytest.mark.integration

_tags = itertools.count(1)


@dataclass
class Account:
    lab: LabServer
    user: TestUser
    env: dict[str, str]
    config: Path
    service: str

    def add(self, port: int | None = None) -> str:
        port = port or self.lab.port
        name = self.lab.host if port == 22 else f"[{self.lab.host}]:{port}"
        with (self.config / "known_hosts").open("a") as handle:
            handle.writelines(f"{name} {line}\n" for line in self.lab.host_public_keys.values())
        result = labtunnel(
            "profile",
            "add",
            "lab",
            "--host",
            self.lab.host,
            "--port",
            str(port),
            "--user",
            self.user.name,
            "--password-stdin",
            "--remote",
            "127.0.0.1:22",
            env=self.env,
            stdin=self.user.password + "\n",
        )
        assert result.returncode == 0, result.stderr
        return str(
            json.loads(labtunnel("profile", "show", "lab", "--json", env=self.env).stdout)["id"]
        )

    def secret(self, profile_id: str, kind: str) -> str | None:
        return keyring.get_password(self.service, f"{profile_id}:{kind}")

    @property
    def authorized_keys(self) -> Path:
        return Path(self.user.home) / ".ssh" / "authorized_keys"

    def snapshot(self) -> dict[str, bytes]:
        files = {
            str(p.relative_to(self.config)): p.read_bytes()
            for p in self.config.rglob("*")
            if p.is_file() and "logs" not in p.parts and "home" not in p.parts
        }
        files["server:authorized_keys"] = self.authorized_keys.read_bytes()
        return files


@pytest.fixture
def account(lab_server: LabServer, config_dir: Path, real_keyring: str) -> Iterator[Account]:
    lab_server.require_password_auth()
    user = lab_server.add_user(f"cli{next(_tags)}")
    try:
        yield Account(lab_server, user, cli_env(config_dir, real_keyring), config_dir, real_keyring)
    finally:
        lab_server.remove_user(user)


def test_use_key_then_connect_without_the_password_then_undo(account: Account) -> None:
    profile_id = account.add()
    before = account.authorized_keys.read_text()
    used = labtunnel(
        "profile",
        "use-key",
        "lab",
        "--passphrase-stdin",
        "--forget-password",
        env=account.env,
        stdin="a passphrase\n",
        timeout=120,
    )
    assert used.returncode == 0, used.stderr
    assert used.stdout == ""
    lines = used.stderr.splitlines()
    assert lines[:5] == [
        "Signing in with your password…",
        "Checking that the server accepts keys…",
        "Adding the key to ~/.ssh/authorized_keys…",
        "Signing in with the key alone, as a test…",
        "Saving the lab server's settings…",
    ]
    assert any(
        line.startswith(f"LabTunnel now signs in to {account.lab.host} with a key")
        for line in lines
    )
    assert lines[-1] == "The saved password of “lab” was deleted."
    shown = json.loads(labtunnel("profile", "show", "lab", "--json", env=account.env).stdout)
    assert shown["auth"] == "key"
    key = Path(shown["key_path"])
    assert key.parent == account.config / "keys"
    assert (key.stat().st_mode & 0o777) == 0o600
    assert account.secret(profile_id, "password") is None
    assert account.secret(profile_id, "passphrase") == "a passphrase"
    after = account.authorized_keys.read_text()
    assert after.startswith(before) and after.count("LabTunnel key from") == 1
    for path in account.config.rglob("*"):
        if path.is_file():
            assert "a passphrase" not in path.read_text(errors="replace")

    connect = ConnectProcess(account.env, "lab")
    try:
        assert connect.first_line().startswith("http://127.0.0.1:")
    finally:
        assert connect.stop(signal.SIGINT) == 0

    undone = labtunnel(
        "profile",
        "remove-key",
        "lab",
        "--password-stdin",
        env=account.env,
        stdin=account.user.password + "\n",
        timeout=120,
    )
    assert undone.returncode == 0, undone.stderr
    assert "1 line(s) removed" in undone.stderr
    assert account.authorized_keys.read_text() == before
    assert not key.exists()
    assert account.secret(profile_id, "password") == account.user.password
    assert account.secret(profile_id, "passphrase") is None
    again = labtunnel("profile", "remove-key", "lab", env=account.env)
    assert again.returncode == 1
    assert "does not sign in with a key" in again.stderr


def test_forget_password_refuses_a_password_profile(account: Account) -> None:
    profile_id = account.add()
    result = labtunnel("profile", "forget-password", "lab", env=account.env)
    assert result.returncode == 1
    assert "deleting it would stop it from connecting" in result.stderr
    assert account.secret(profile_id, "password") == account.user.password


def pubkey_off(account: Account) -> int:
    return account.lab.start_sshd_variant(["PubkeyAuthentication no"])


def password_as_well(account: Account) -> int:
    return account.lab.start_sshd_variant(["AuthenticationMethods publickey,password password"])


def strict_modes(account: Account) -> int:
    other = account.lab.require_other_user()
    os.chown(account.user.home, -1, other.gid)
    os.chmod(account.user.home, 0o775)  # noqa: S103  (the point of the test)
    return account.lab.port


def read_only(account: Account) -> int:
    return start_readonly_home_sshd(account.lab, account.user)


def full(account: Account) -> int:
    return start_full_home_sshd(account.lab, account.user)


REFUSALS: dict[str, Callable[[Account], int]] = {
    "Server takes no keys (use-key)": pubkey_off,
    "Server wants the password as well as a key (use-key)": password_as_well,
    "Home folder writable by others, StrictModes (use-key)": strict_modes,
    "Home folder read-only (use-key)": read_only,
    "Home folder full (use-key)": full,
}


@pytest.mark.parametrize("situation", list(REFUSALS))
def test_a_refused_use_key_says_why_and_changes_nothing(account: Account, situation: str) -> None:
    port = REFUSALS[situation](account)
    profile_id = account.add(port)
    before = account.snapshot()
    result = labtunnel("profile", "use-key", "lab", env=account.env, timeout=120)
    assert result.returncode == 1, result.stderr
    assert result.stdout == "" and "Traceback" not in result.stderr
    assert account.snapshot() == before
    assert account.secret(profile_id, "password") == account.user.password
    message = result.stderr.strip().splitlines()[-1].removeprefix("labtunnel: ")
    print(f"{situation}: {message}")
    template = documented_templates()[situation]
    assert template_regex(template).match(message), message

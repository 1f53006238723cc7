"""A real two-factor login (tests/harness/totp.py): sshd with PAM google-authenticator asks
for the password and then a TOTP verification code, both through keyboard-interactive.
The stored password is answered by LabTunnel itself; only the code reaches the person:
``labtunnel connect`` on a real pseudo-terminal (pexpect), codes computed by oathtool.

Two sshd configurations real labs have: the usual 2FA guide's ``PasswordAuthentication
no``, and OpenSSH's default ``PasswordAuthentication yes`` left on (password logins then
go through the same PAM stack, which wants a code that plain password auth cannot give).
"""

from __future__ import annotations

import hashlib
import re
import signal
import sys
from collections.abc import Iterator
from pathlib import Path

import pexpect
import pytest
from tests.harness import HttpService, LabServer
from tests.harness.totp import CODE_PROMPT, TotpServer, start_totp_sshd
from tests.integration.test_cli_real import cli_env, fetch, labtunnel

from labtunnel.core.profiles.model import AuthMethod
from labtunnel.core.ssh.auth import Credentials
from labtunnel.core.ssh.hostkeys import HostKeyStore
from labtunnel.core.ssh.session import SshEndpoint, SshSession

pytestmark = pytest.mark.integration

URL = re.compile(r"http://127\.0\.0\.1:\d+/\S*")


@pytest.fixture(scope="module", params=["PasswordAuthentication no", "PasswordAuthentication yes"])
def totp(request: pytest.FixtureRequest, lab_server: LabServer) -> Iterator[TotpServer]:
    server = start_totp_sshd(lab_server, password_authentication=request.param.endswith("yes"))
    try:
        yield server
    finally:
        lab_server.stop_sshd_variant(server.port)


def add_profile(
    lab: LabServer, port: int, env: dict[str, str], service: HttpService, password: str
) -> None:
    added = labtunnel(
        *("profile", "add", "2fa", "--host", lab.host, "--port", str(port)),
        *("--user", lab.user.name, "--password-stdin"),
        *("--remote", f"{service.host}:{service.port}"),
        env=env,
        stdin=password + "\n",
    )
    assert added.returncode == 0, added.stderr


def spawn_connect(env: dict[str, str]) -> pexpect.spawn[str]:
    """``labtunnel connect`` on a pseudo-terminal of its own, as typed in a terminal."""
    return pexpect.spawn(
        sys.executable,
        ["-m", "labtunnel", "connect", "2fa", "--accept-new-host-key", "--no-browser"],
        env=env,
        encoding="utf-8",
        timeout=30,
        dimensions=(24, 200),
    )


def before(child: pexpect.spawn[str]) -> str:
    """What the terminal showed before the last match."""
    text = child.before
    assert isinstance(text, str)
    return text


def test_cli_asks_only_for_the_code_on_the_terminal(
    lab_server: LabServer,
    totp: TotpServer,
    config_dir: Path,
    real_keyring: str,
    http_service: HttpService,
) -> None:
    env = cli_env(config_dir, real_keyring)
    add_profile(lab_server, totp.port, env, http_service, lab_server.user.password)
    child = spawn_connect(env)
    try:
        child.expect_exact(CODE_PROMPT)
        before_prompt = before(child)
        child.sendline(totp.code())
        child.expect(URL)
        url = child.after
        assert isinstance(url, str)
        status, body = fetch(url, http_service.url_path)
        assert status == 200 and hashlib.sha256(body).hexdigest() == http_service.sha256
        child.kill(signal.SIGINT)
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    after_url = before(child)
    assert child.exitstatus == 0, after_url
    # the password came from the keyring: never asked, never shown
    assert "assword" not in before_prompt
    assert lab_server.user.password not in before_prompt + after_url


def test_cli_wrong_code_is_refused_in_one_sentence(
    lab_server: LabServer,
    totp: TotpServer,
    config_dir: Path,
    real_keyring: str,
    http_service: HttpService,
) -> None:
    env = cli_env(config_dir, real_keyring)
    add_profile(lab_server, totp.port, env, http_service, lab_server.user.password)
    child = spawn_connect(env)
    try:
        child.expect_exact(CODE_PROMPT)
        wrong = totp.wrong_code()
        child.sendline(wrong)
        child.expect(pexpect.EOF)
        output = before(child)
    finally:
        child.close(force=True)
    assert child.exitstatus == 1, output
    last = output.strip().splitlines()[-1]
    assert last.startswith("labtunnel: ") and "one-time code" in last, output
    assert CODE_PROMPT not in output, "asked a second time"


def test_cli_without_a_terminal_says_a_code_is_needed(
    lab_server: LabServer,
    totp: TotpServer,
    config_dir: Path,
    real_keyring: str,
    http_service: HttpService,
) -> None:
    env = cli_env(config_dir, real_keyring)
    add_profile(lab_server, totp.port, env, http_service, lab_server.user.password)
    result = labtunnel("connect", "2fa", "--accept-new-host-key", "--no-browser", env=env)
    assert result.returncode == 1 and result.stdout == ""
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("labtunnel: No one-time code was entered"), result.stderr


def test_cli_wrong_password_is_not_blamed_on_the_code(
    lab_server: LabServer,
    totp: TotpServer,
    config_dir: Path,
    real_keyring: str,
    http_service: HttpService,
) -> None:
    """Debian's PAM stack stops at a wrong password: no code is asked, and the sentence
    says to check the password."""
    env = cli_env(config_dir, real_keyring)
    add_profile(lab_server, totp.port, env, http_service, "not-the-password")
    child = spawn_connect(env)
    try:
        child.expect(pexpect.EOF, timeout=60)
        output = before(child)
    finally:
        child.close(force=True)
    assert child.exitstatus == 1, output
    assert CODE_PROMPT not in output
    last = output.strip().splitlines()[-1]
    assert last.startswith("labtunnel: ") and "did not accept the login" in last, output
    assert "not-the-password" not in output


def test_password_login_where_keyboard_interactive_has_nothing_behind_it(
    lab_server: LabServer, tmp_path: Path
) -> None:
    """``UsePAM no`` with ``KbdInteractiveAuthentication yes``: keyboard-interactive is
    offered but asks nothing and fails; the password method is tried next and works."""
    lab_server.require_password_auth()
    port = lab_server.start_sshd_variant(
        ["UsePAM no", "KbdInteractiveAuthentication yes", "PasswordAuthentication yes"]
    )
    try:
        endpoint = SshEndpoint(
            host=lab_server.host,
            port=port,
            username=lab_server.user.name,
            auth=AuthMethod.PASSWORD,
            pinned_fingerprints=tuple(lab_server.host_key_fingerprints.values()),
            connect_timeout=10,
        )
        credentials = Credentials(password=lab_server.user.password)
        session = SshSession.open(endpoint, credentials, HostKeyStore(tmp_path / "known_hosts"))
        try:
            assert session.run("id -un", timeout=10).stdout.strip() == lab_server.user.name
        finally:
            session.close()
        log = lab_server.variant_log(port).read_text()
        assert "Accepted password" in log
    finally:
        lab_server.stop_sshd_variant(port)

"""A real second factor: an sshd on the lab server whose PAM stack asks for the password
and then a time-based one-time code (libpam-google-authenticator), as many labs do.

The PAM stack is this machine's own /etc/pam.d/sshd with ``auth required
pam_google_authenticator.so`` right after ``@include common-auth``, as the usual guides
set it up: Debian's common-auth stops at a wrong password (``requisite pam_deny``), so the
code is asked only after a right one. The sshd runs in a private mount namespace in which
that file is bound over /etc/pam.d/sshd (:meth:`LabServer.start_sshd_variant`'s
``pam_config``): nothing on this machine's /etc changes, and the main sshd keeps the usual
password stack. Two sshd configurations real servers have:

- the guides' ``PasswordAuthentication no`` (and ``AuthenticationMethods
  keyboard-interactive``): the password and the code are both keyboard-interactive prompts;
- OpenSSH's default ``PasswordAuthentication yes`` left on (``password_authentication=
  True``): "password" logins go through the same PAM stack too, and fail there, because
  that method cannot ask for a code; ``ssh`` itself tries keyboard-interactive first.

The user's secret lives in ~/.google_authenticator (mode 0400, time-based, no rate limit,
codes reusable within their 30 s: several logins per test); one secret per user, shared by
all their TOTP servers. :meth:`TotpServer.code` gives the current code from
``oathtool --totp`` (package oathtool), with the secret on stdin, never in an argv.
"""

from __future__ import annotations

import base64
import secrets
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from . import _proc
from .errors import HarnessError, unavailable
from .lab import LabServer
from .pam import SSHD_PAM, with_module_after_auth
from .users import TestUser

PAM_MODULE_DIRS = ("/lib/x86_64-linux-gnu/security", "/usr/lib/x86_64-linux-gnu/security")
PAM_MODULE = "pam_google_authenticator.so"
SECRET_FILE = ".google_authenticator"
#: the module's prompt (sent with echo off)
CODE_PROMPT = "Verification code: "
STEP_SECONDS = 30
#: keyboard-interactive only: "password" auth cannot ask the second question
SSHD_LINES = (
    "PasswordAuthentication no",
    "KbdInteractiveAuthentication yes",
    "AuthenticationMethods keyboard-interactive",
)
#: OpenSSH's defaults kept: password and keyboard-interactive (and publickey) offered
SSHD_LINES_PASSWORD_ON = ("PasswordAuthentication yes", "KbdInteractiveAuthentication yes")


@dataclass(frozen=True)
class TotpServer:
    host: str
    port: int
    user: TestUser
    secret: str = field(repr=False)  # base32, as in ~/.google_authenticator
    log_path: Path

    def code(self, *, steps_from_now: int = 0) -> str:
        """The code a phone would show now (or ``steps_from_now`` 30 s steps away)."""
        argv = ["oathtool", "--totp", "--base32"]
        if steps_from_now:
            argv.append(f"--now=now {steps_from_now * STEP_SECONDS:+d} seconds")
        return _proc.run([*argv, "-"], input=self.secret).stdout.strip()

    def wrong_code(self) -> str:
        """Six digits the server refuses: none of the codes of its window around now."""
        near = {self.code(steps_from_now=n) for n in range(-3, 4)}
        candidate = 123456
        while f"{candidate:06d}" in near:
            candidate += 1
        return f"{candidate:06d}"


def totp_pam_config() -> str:
    """The text of the /etc/pam.d/sshd a TOTP sshd sees."""
    text = Path(SSHD_PAM).read_text()
    try:
        return with_module_after_auth(text, f"auth required {PAM_MODULE}")
    except ValueError as exc:
        raise HarnessError(f"{SSHD_PAM}: {exc}") from exc


def _user_secret(server: LabServer, user: TestUser) -> str:
    """The user's TOTP secret: the one already written this session, else a new one."""
    path = Path(user.home) / SECRET_FILE
    if path.is_file():
        return path.read_text().splitlines()[0].strip()
    secret = base64.b32encode(secrets.token_bytes(10)).decode()
    server.write_user_file(user, SECRET_FILE, f'{secret}\n" TOTP_AUTH\n', 0o400)
    return secret


def start_totp_sshd(
    server: LabServer, user: TestUser | None = None, *, password_authentication: bool = False
) -> TotpServer:
    """Another sshd on ``server.host`` asking ``user`` (default: ``server.user``) for the
    password and then a code; stopped with the lab server (or ``stop_sshd_variant``)."""
    server.require_password_auth()
    if not any((Path(d) / PAM_MODULE).is_file() for d in PAM_MODULE_DIRS):
        unavailable("libpam-google-authenticator is not installed")
    if shutil.which("oathtool") is None:
        unavailable("oathtool is not installed")
    user = user or server.user
    secret = _user_secret(server, user)
    lines = SSHD_LINES_PASSWORD_ON if password_authentication else SSHD_LINES
    port = server.start_sshd_variant(lines, pam_config=totp_pam_config())
    return TotpServer(server.host, port, user, secret, server.variant_log(port))

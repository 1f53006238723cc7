"""A real second factor: an sshd on the lab server whose PAM stack asks for the password
and then a time-based one-time code (libpam-google-authenticator), as many labs do.

The sshd runs in a private mount namespace in which its own PAM file is bound over
/etc/pam.d/sshd: nothing on this machine's /etc changes, and the main sshd keeps the
usual password stack. The user's secret lives in ~/.google_authenticator (mode 0400, as
the module requires); :meth:`TotpServer.code` gives the current code from
``oathtool --totp`` (package oathtool).
"""

from __future__ import annotations

import base64
import dataclasses
import secrets
import shutil
from dataclasses import dataclass
from pathlib import Path

from . import _proc
from .errors import unavailable
from .lab import LabServer, _free_port
from .sshd import Sshd
from .users import TestUser

PAM_MODULE_DIRS = ("/lib/x86_64-linux-gnu/security", "/usr/lib/x86_64-linux-gnu/security")
PAM_MODULE = "pam_google_authenticator.so"
PAM_STACK = f"""\
# LabTunnel test harness: password, then a one-time code
auth     required  pam_unix.so
auth     required  {PAM_MODULE}
account  required  pam_unix.so
session  required  pam_unix.so
"""
#: keyboard-interactive only: "password" auth cannot ask the second question
SSHD_LINES = (
    "PasswordAuthentication no",
    "KbdInteractiveAuthentication yes",
    "AuthenticationMethods keyboard-interactive",
)


@dataclass(frozen=True)
class TotpServer:
    host: str
    port: int
    user: TestUser
    secret: str  # base32, as in ~/.google_authenticator
    log_path: Path

    def code(self) -> str:
        """The code a phone would show now (``oathtool --totp``)."""
        return _proc.run(["oathtool", "--totp", "--base32", self.secret]).stdout.strip()


def start_totp_sshd(server: LabServer, user: TestUser | None = None) -> TotpServer:
    """Another sshd on ``server.host`` asking ``user`` (default: ``server.user``) for the
    password and then a code; stopped with the lab server (or ``stop_sshd_variant``)."""
    server.require_password_auth()
    if not any((Path(d) / PAM_MODULE).is_file() for d in PAM_MODULE_DIRS):
        unavailable("libpam-google-authenticator is not installed")
    if shutil.which("oathtool") is None:
        unavailable("oathtool is not installed")
    user = user or server.user
    rt = server._rt
    secret = base64.b32encode(secrets.token_bytes(10)).decode()
    server.write_user_file(user, ".google_authenticator", f'{secret}\n" TOTP_AUTH\n', 0o400)
    pam_file = rt.workdir / "pam-sshd-totp"
    pam_file.write_text(PAM_STACK)
    assert rt.main is not None
    with rt.lock:
        if rt.ns is not None:
            port = rt.next_port
            rt.next_port += 1
        else:
            port = _free_port()
    settings = dataclasses.replace(rt.main.settings, port=port, extra_lines=SSHD_LINES)
    # a mount namespace of its own: the bind mount is seen by this sshd and its children only
    bind_then_exec = 'mount --bind "$0" /etc/pam.d/sshd && exec "$@"'
    prefix = [
        *rt.exec_prefix,
        "unshare",
        "--mount",
        "--propagation",
        "private",
        "sh",
        "-c",
        bind_then_exec,
        str(pam_file),
    ]
    sshd = Sshd(f"totp{port}", settings, rt.workdir, prefix)
    sshd.start()
    rt.variants[port] = sshd
    return TotpServer(server.host, port, user, secret, sshd.log_path)

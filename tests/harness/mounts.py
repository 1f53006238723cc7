"""sshd variants that see a user's home differently from the rest of the machine: read-only,
or on a small full file system, or with a PAM stack of their own (a second factor after
the key). Each runs in a private mount namespace (``unshare --mount``) inside the lab
namespace, so nothing on this machine's own mounts or /etc changes and everything goes
with the sshd's processes. Stopped with the lab server (or ``stop_sshd_variant``).
"""

from __future__ import annotations

import base64
import dataclasses
import secrets
import shlex
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from . import _proc
from .errors import unavailable
from .lab import LabServer, _free_port
from .sshd import Sshd
from .totp import PAM_MODULE, PAM_MODULE_DIRS
from .users import TestUser


def _start(server: LabServer, name: str, setup: str, extra_lines: Sequence[str]) -> int:
    """An sshd whose mount namespace ran ``setup`` (sh, as root) before it started."""
    server.require_password_auth()
    rt = server._rt
    assert rt.main is not None
    with rt.lock:
        if rt.ns is not None:
            port = rt.next_port
            rt.next_port += 1
        else:
            port = _free_port()
    settings = dataclasses.replace(rt.main.settings, port=port, extra_lines=tuple(extra_lines))
    prefix = [
        *rt.exec_prefix,
        *("unshare", "--mount", "--propagation", "private", "sh", "-c"),
        f'set -e\n{setup}\nexec "$@"',
        "sh",
    ]
    sshd = Sshd(f"{name}{port}", settings, rt.workdir, prefix)
    sshd.start()
    rt.variants[port] = sshd
    return port


def start_readonly_home_sshd(server: LabServer, user: TestUser) -> int:
    """``user``'s home is read-only for everything this sshd runs (an NFS home mounted
    read-only, a home on a full quota that refuses writes...)."""
    home = shlex.quote(user.home)
    setup = f"mount --bind {home} {home}\nmount -o remount,bind,ro {home}"
    return _start(server, "rohome", setup, ())


def start_full_home_sshd(server: LabServer, user: TestUser) -> int:
    """``user``'s ``~/.ssh`` is a tiny file system that is full: creating a file works,
    writing to it fails with "No space left on device". Its authorized_keys is a copy of
    the real one."""
    ssh_dir = shlex.quote(f"{user.home}/.ssh")
    keep = shlex.quote(str(server._rt.workdir / f"full-{user.name}-keys"))
    setup = "\n".join(
        [
            f"mkdir -p {keep}",
            f"cp -p {ssh_dir}/authorized_keys {keep}/ 2>/dev/null || true",
            f"mount -t tmpfs -o size=16k,mode=0700,uid={user.uid},gid={user.gid} lt-full {ssh_dir}",
            f"cp -p {keep}/authorized_keys {ssh_dir}/ 2>/dev/null || true",
            f"dd if=/dev/zero of={ssh_dir}/.filler bs=1k 2>/dev/null || true",
        ]
    )
    return _start(server, "fullhome", setup, ())


#: only the one-time code: the key (or nothing else) comes before it
CODE_ONLY_STACK = f"""\
# LabTunnel test harness: a one-time code only
auth     required  {PAM_MODULE}
account  required  pam_unix.so
session  required  pam_unix.so
"""
#: the password, then a code
PASSWORD_AND_CODE_STACK = f"""\
# LabTunnel test harness: password, then a one-time code
auth     required  pam_unix.so
auth     required  {PAM_MODULE}
account  required  pam_unix.so
session  required  pam_unix.so
"""


@dataclass(frozen=True)
class CodeServer:
    port: int
    user: TestUser
    secret: str

    def code(self) -> str:
        return _proc.run(["oathtool", "--totp", "--base32", self.secret]).stdout.strip()


def start_code_sshd(
    server: LabServer, user: TestUser, pam_stack: str, extra_lines: Sequence[str]
) -> CodeServer:
    """An sshd with its own PAM stack (``/etc/pam.d/sshd`` bound over in its namespace)
    and a time-based one-time code for ``user`` (libpam-google-authenticator, oathtool)."""
    if not any((Path(d) / PAM_MODULE).is_file() for d in PAM_MODULE_DIRS):
        unavailable("libpam-google-authenticator is not installed")
    if shutil.which("oathtool") is None:
        unavailable("oathtool is not installed")
    secret = base64.b32encode(secrets.token_bytes(10)).decode()
    server.write_user_file(user, ".google_authenticator", f'{secret}\n" TOTP_AUTH\n', 0o400)
    pam_file = server._rt.workdir / f"pam-{user.name}-{secrets.token_hex(4)}"
    pam_file.write_text(pam_stack)
    setup = f"mount --bind {shlex.quote(str(pam_file))} /etc/pam.d/sshd"
    lines = ["PasswordAuthentication no", "KbdInteractiveAuthentication yes", *extra_lines]
    return CodeServer(_start(server, "code", setup, lines), user, secret)

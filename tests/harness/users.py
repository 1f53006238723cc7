"""Real Unix users on this machine (the lab server's accounts), made and removed per session."""

from __future__ import annotations

import os
import pwd
import re
import secrets
from dataclasses import dataclass, field

from . import _proc, owner
from .errors import HarnessError

#: GECOS marker: only users carrying it are ever reaped as stale.
COMMENT = "labtunnel-test-harness"


@dataclass(frozen=True)
class TestUser:
    """A login on the lab server; ``password`` works for password and keyboard-interactive."""

    __test__ = False  # not a pytest test class

    name: str
    password: str = field(repr=False)
    home: str
    uid: int
    gid: int


def create_user(name: str, authorized_keys: list[str], shell: str = "/bin/bash") -> TestUser:
    """``useradd --create-home`` (so the home holds Debian's /etc/skel files: the real
    ``.profile`` and ``.bashrc`` with its "not interactive: return" guard)."""
    if not os.access(shell, os.X_OK):
        raise HarnessError(f"login shell {shell} is not installed")
    password = secrets.token_urlsafe(18)
    _proc.run(["useradd", "--create-home", "--shell", shell, "--comment", COMMENT, name])
    try:
        # chpasswd reads "name:password" on stdin: the password is never in an argv.
        _proc.run(["chpasswd"], input=f"{name}:{password}\n")
        entry = pwd.getpwnam(name)
        user = TestUser(name, password, entry.pw_dir, entry.pw_uid, entry.pw_gid)
        install_authorized_keys(user, authorized_keys)
    except BaseException:
        _proc.run(["userdel", "--remove", name], check=False)
        raise
    return user


def install_authorized_keys(user: TestUser, lines: list[str]) -> None:
    ssh_dir = os.path.join(user.home, ".ssh")
    os.makedirs(ssh_dir, mode=0o700, exist_ok=True)
    path = os.path.join(ssh_dir, "authorized_keys")
    with open(path, "w") as handle:
        handle.write("".join(line + "\n" for line in lines))
    os.chmod(path, 0o600)
    for target in (ssh_dir, path):
        os.chown(target, user.uid, user.gid)


def delete_user(name: str) -> None:
    """Kill every process the user still runs (all started by tests), then ``userdel -r``."""
    try:
        uid = pwd.getpwnam(name).pw_uid
    except KeyError:
        return
    for _ in range(5):
        pids = _proc.pids_of_uid(uid)
        _proc.kill_pids(pids)
        _proc.wait_gone(pids, timeout=3)
        result = _proc.run(["userdel", "--remove", name], check=False)
        try:
            pwd.getpwnam(name)
        except KeyError:
            return
    raise HarnessError(f"userdel {name} failed: {result.stderr.strip()}")


def extra_user_name(pid: int, tag: str) -> str:
    """``lt<pid>-<tag>``: the extra users a session adds (one per kind of server account)."""
    if not re.fullmatch(r"[a-z][a-z0-9]{0,15}", tag):
        raise HarnessError(f"user tag {tag!r}: lowercase letters and digits, at most 16")
    return f"lt{pid}-{tag}"


def reap_stale(prefix: str = "lt") -> None:
    """Remove harness users (``lt<pid>a``/``lt<pid>b``/``lt<pid>-<tag>`` with our marker)
    whose session died."""
    for entry in pwd.getpwall():
        match = re.fullmatch(rf"{prefix}(\d+)(?:[ab]|-[a-z][a-z0-9]*)", entry.pw_name)
        if match and entry.pw_gecos == COMMENT and owner.is_dead(int(match.group(1))):
            delete_user(entry.pw_name)

"""``~/.ssh/authorized_keys`` on the server, changed over an SSH session that is already
logged in: add one public key line (without duplicating it, keeping every other line),
or take LabTunnel's lines for a key off again.

The work is done by ``scripts/authorized_keys.sh`` (POSIX sh, ``LC_ALL=C``): it writes a
temporary file in ``~/.ssh`` and renames it over the old one, so sshd never reads half a
file. It reports the modes of the home folder, ``~/.ssh`` and the file as they were, which
is how a StrictModes refusal is explained afterwards.
"""

from __future__ import annotations

import functools
import logging
import secrets
import shlex
from dataclasses import dataclass
from importlib.resources import files

from labtunnel.core.errors import (
    AuthorizedKeysProblem,
    AuthorizedKeysUnwritable,
    KeyRefusedByModes,
    RemoteCommandFailed,
    StrictModesProblem,
)
from labtunnel.core.ssh.remote import RemoteRunner

log = logging.getLogger(__name__)

#: a plain sh reading the script: no login shell, so no startup file can get in the way
_COMMAND = "exec /bin/sh -s"
_TIMEOUT = 30.0
#: what the comment of every line LabTunnel adds starts with (removing looks for it)
COMMENT_TAG = "LabTunnel key"


@dataclass(frozen=True)
class PathMode:
    """One path as ``ls -ldn`` showed it: ``drwxrwxr-x``, the owner's uid."""

    path: str
    mode: str
    uid: int

    def problem(self, user_uid: int) -> StrictModesProblem | None:
        """Why StrictModes would refuse keys because of this path, if it would."""
        if self.mode.startswith("l"):
            return None  # a link: sshd looks at what it points to
        if self.uid not in (user_uid, 0):
            return StrictModesProblem.OWNER
        if self.mode[5:6] == "w" or self.mode[8:9] == "w":
            return StrictModesProblem.WRITABLE
        return None


@dataclass(frozen=True)
class Report:
    """What the script said: the file, the modes, and what it did."""

    host: str
    path: str
    uid: int
    modes: tuple[PathMode, ...]
    outcome: str  # PRESENT, ADDED, REMOVED
    created_dir: bool = False
    created_file: bool = False
    #: a newline went after a last line that had none, before the key's line
    added_newline: bool = False
    removed: int = 0

    @property
    def added(self) -> bool:
        return self.outcome == "ADDED"

    def strict_modes_problem(self) -> KeyRefusedByModes | None:
        """The first path (home, then ~/.ssh, then the file) StrictModes would object to."""
        for entry in self.modes:
            problem = entry.problem(self.uid)
            if problem is not None:
                return KeyRefusedByModes(self.host, entry.path, entry.mode[:10], problem)
        return None


@functools.cache
def _script() -> str:
    return (files(__package__) / "scripts" / "authorized_keys.sh").read_text(encoding="utf-8")


def install(runner: RemoteRunner, host: str, key_base64: str, line: str) -> Report:
    """Add ``line`` unless a line with this key is there already (``outcome`` PRESENT).
    Raises AuthorizedKeysUnwritable (nothing changed) or RemoteCommandFailed."""
    return _run(runner, host, "install", key_base64, lt_line=shlex.quote(line))


def remove(
    runner: RemoteRunner,
    host: str,
    key_base64: str,
    *,
    undo: Report | None = None,
) -> Report:
    """Take off the lines with this key whose comment starts with :data:`COMMENT_TAG`
    (what :func:`install` added), nothing else. ``undo``: the report of an install that
    just happened, to put back exactly what was there (no ~/.ssh or file it made, no
    newline it added)."""
    return _run(
        runner,
        host,
        "remove",
        key_base64,
        lt_tag=shlex.quote(COMMENT_TAG),
        lt_created_dir=int(undo is not None and undo.created_dir),
        lt_created_file=int(undo is not None and undo.created_file),
        lt_undo_newline=int(undo is not None and undo.added_newline),
    )


def _run(
    runner: RemoteRunner, host: str, action: str, key_base64: str, **words: str | int
) -> Report:
    marker = f"@@LT:{secrets.token_hex(8)}:"
    values: dict[str, str | int] = {
        "lt_m": shlex.quote(marker),
        "lt_action": action,
        "lt_b64": shlex.quote(key_base64),
        **words,
    }
    script = "".join(f"{name}={value}\n" for name, value in values.items()) + _script()
    result = runner.run(_COMMAND, timeout=_TIMEOUT, stdin=script.encode("utf-8"))
    said = [
        line[line.index(marker) + len(marker) :]
        for line in result.stdout.splitlines()
        if marker in line
    ]
    return _parse(host, said, result.exit_status, result.stderr)


def _parse(host: str, said: list[str], status: int, stderr: str) -> Report:
    uid = -1
    modes: list[PathMode] = []
    failure: tuple[str, str] | None = None
    detail = ""
    for line in said:
        word, _, rest = line.partition(" ")
        if word == "UID" and rest.strip().isdigit():
            uid = int(rest)
        elif word == "MODE":
            mode, owner, path = [*rest.split(" ", 2), "", ""][:3]
            if owner.isdigit():
                modes.append(PathMode(path, mode, int(owner)))
        elif word == "FAIL":
            what, _, path = rest.partition(" ")
            failure = (what, path)
        elif word == "ERR":
            detail = rest.strip()
        elif word in ("PRESENT", "ADDED", "REMOVED"):
            path = modes[-1].path if modes and modes[-1].path.endswith("authorized_keys") else ""
            numbers = [int(n) for n in rest.split() if n.isdigit()]
            return Report(
                host=host,
                path=path or "~/.ssh/authorized_keys",
                uid=uid,
                modes=tuple(modes),
                outcome=word,
                created_dir=word == "ADDED" and numbers[:1] == [1],
                created_file=word == "ADDED" and numbers[1:2] == [1],
                added_newline=word == "ADDED" and numbers[2:3] == [1],
                removed=numbers[0] if word == "REMOVED" and numbers else 0,
            )
    if failure is not None:
        what, path = failure
        raise AuthorizedKeysUnwritable(host, path, _problem(what, detail), detail or what)
    log.warning("authorized_keys script on %s said nothing useful (exit %d)", host, status)
    raise RemoteCommandFailed("authorized_keys", status, stderr.strip()[-400:])


def _problem(what: str, detail: str) -> AuthorizedKeysProblem:
    if what == "symlink":
        return AuthorizedKeysProblem.SYMLINK
    if what == "no_home":
        return AuthorizedKeysProblem.NO_HOME
    text = detail.lower()
    if "read-only" in text:
        return AuthorizedKeysProblem.READ_ONLY
    if "no space" in text or "quota" in text or "short" in text:
        return AuthorizedKeysProblem.FULL
    if "permission denied" in text or "not permitted" in text:
        return AuthorizedKeysProblem.NO_PERMISSION
    return AuthorizedKeysProblem.OTHER

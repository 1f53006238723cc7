"""What the Jupyter and server-info code needs from an SSH session: run a script.

Scripts go to the server on stdin, not on the command line: the command itself is a
fixed one-liner that any login shell (bash, zsh, fish, tcsh...) can parse. It starts a
POSIX ``sh`` that reads the script, and every script first takes on the environment the
user's own terminal has (``scripts/login_env.sh``: their ``$SHELL``, interactive and
login), so PATH, ``conda init`` and modules set anywhere a terminal reads them apply.
Nothing in a script shows up in ``ps`` on a shared server, and values in it only need
POSIX quoting.

Startup files print what they like (banners, terminal titles, JSON, text that looks like
ours), without newlines too. So the lines a script means for us carry a marker with a
random part that is new for every run (``@@LT:<nonce>:NAME arg``), found wherever it
appears, and everything else is ignored.
"""

from __future__ import annotations

import secrets
import shlex
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Protocol

from labtunnel.core.errors import RemoteCommandTimeout


@dataclass(frozen=True)
class CommandResult:
    exit_status: int
    stdout: str
    stderr: str


class RemoteRunner(Protocol):
    def run(self, command: str, *, timeout: float, stdin: bytes | None = None) -> CommandResult:
        """Run ``command`` through the user's shell on the server.

        ``stdin`` is sent, then EOF. Raises RemoteCommandTimeout when it takes
        longer than ``timeout`` and SessionLost when the session dies.
        """
        ...


#: the command line sent for every script: parseable by any login shell (sshd runs it
#: as ``$SHELL -c``); the script on stdin does the rest
SCRIPT_COMMAND = "exec /bin/sh -s"

#: every marker starts with this; a script's own markers add its run's nonce
MARKER_PREFIX = "@@LT:"


def new_marker() -> str:
    """A marker no startup file can have printed: ``@@LT:<16 random hex>:``."""
    return f"{MARKER_PREFIX}{secrets.token_hex(8)}:"


@cache
def _login_env_script() -> str:
    return (files(__package__) / "scripts" / "login_env.sh").read_text(encoding="utf-8")


@dataclass(frozen=True)
class ScriptResult(CommandResult):
    """What a script printed, with the marker of its run (run_script always sets it)."""

    marker: str = ""

    def sections(self) -> list[Section]:
        return sections(self.stdout, self.marker)


def run_script(
    runner: RemoteRunner,
    script: str,
    *,
    timeout: float,
    label: str = "script",
) -> ScriptResult:
    """Run a POSIX shell ``script`` on the server in the environment of the user's
    terminal. The script prints its results as ``echo "${lt_m}NAME arg"``: ``lt_m`` is
    this run's marker (:func:`new_marker`).

    The script is one compound command so the shell reads it whole before running it;
    its commands get /dev/null as stdin, not the rest of the script. A timeout is
    reported as RemoteCommandTimeout(``label``): the command line itself is the same
    for every script and would tell a person nothing.
    """
    marker = new_marker()
    body = f"lt_m={shlex.quote(marker)}\n" + _login_env_script() + script.rstrip("\n")
    wrapped = "{\n" + body + "\n} </dev/null\n"
    try:
        result = runner.run(SCRIPT_COMMAND, timeout=timeout, stdin=wrapped.encode("utf-8"))
    except RemoteCommandTimeout as exc:
        raise RemoteCommandTimeout(label, exc.seconds) from None
    return ScriptResult(result.exit_status, result.stdout, result.stderr, marker)


def shell_path(path: str, default: str = "~") -> str:
    """Quote a server-side path for a POSIX script; ``~``, ``~/x`` and relative
    paths are taken from the user's home directory."""
    path = path.strip() or default
    if path == "~":
        return '"$HOME"'
    if path.startswith("~/"):
        rest = path[2:].rstrip("/")
        return '"$HOME"/' + shlex.quote(rest) if rest else '"$HOME"'
    if not path.startswith("/"):
        return '"$HOME"/' + shlex.quote(path)
    return shlex.quote(path)


@dataclass(frozen=True)
class Section:
    """A marker (``<marker>NAME arg``) and the lines after it up to the next marker."""

    name: str
    arg: str
    lines: tuple[str, ...]

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def sections(stdout: str, marker: str) -> list[Section]:
    """Split a script's output at its markers, wherever in a line they are; anything
    before the first one (banners, escape sequences) is dropped. A section's lines end
    where the next marker starts, so output that lacks a final newline cannot swallow
    the next marker."""
    if not marker:
        raise ValueError("sections need the run's marker")
    found: list[Section] = []
    for piece in stdout.split(marker)[1:]:
        head, _, body = piece.partition("\n")
        name, _, arg = head.rstrip("\r").partition(" ")
        lines = body.split("\n")
        if lines[-1] == "":
            lines.pop()
        found.append(Section(name, arg, tuple(lines)))
    return found


def tail(text: str, lines: int = 20) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])

"""What the Jupyter and server-info code needs from an SSH session: run a command.

Scripts go to the server on stdin, not on the command line: the command itself
is a fixed one-liner that any login shell (bash, zsh, fish, tcsh...) can run, it
starts a POSIX login shell (bash when there is one) which reads the script. So
the user's profile applies (PATH, conda, modules), nothing in the script shows
up in ``ps`` on a shared server, and values in it only need POSIX quoting.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass
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


#: the command line sent for every script: a login shell reading stdin
LOGIN_SHELL_COMMAND = (
    "exec sh -c 'if command -v bash >/dev/null 2>&1; then exec bash -l -s; fi; exec sh -l -s'"
)

#: lines LabTunnel's scripts print start with this, so output of login profiles
#: (banners, "welcome" messages) never gets mistaken for data
MARKER = "@@LT:"


def run_script(
    runner: RemoteRunner, script: str, *, timeout: float, label: str = "script"
) -> CommandResult:
    """Run a POSIX shell ``script`` in a login shell on the server.

    The script is one compound command so the shell reads it whole before
    running it; its commands get /dev/null as stdin, not the rest of the script.
    A timeout is reported as RemoteCommandTimeout(``label``): the command line
    itself is the same for every script and would tell a person nothing.
    """
    wrapped = "{\n" + script.rstrip("\n") + "\n} </dev/null\n"
    try:
        return runner.run(LOGIN_SHELL_COMMAND, timeout=timeout, stdin=wrapped.encode("utf-8"))
    except RemoteCommandTimeout as exc:
        raise RemoteCommandTimeout(label, exc.seconds) from None


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
    """A marker line (``@@LT:NAME arg``) and the lines after it up to the next marker."""

    name: str
    arg: str
    lines: tuple[str, ...]

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def sections(stdout: str) -> list[Section]:
    """Split a script's output at its marker lines; anything before the first
    marker (login banners) is dropped."""
    found: list[Section] = []
    name: str | None = None
    arg = ""
    body: list[str] = []
    for line in stdout.splitlines():
        if line.startswith(MARKER):
            if name is not None:
                found.append(Section(name, arg, tuple(body)))
            name, _, arg = line[len(MARKER) :].partition(" ")
            body = []
        elif name is not None:
            body.append(line)
    if name is not None:
        found.append(Section(name, arg, tuple(body)))
    return found


def tail(text: str, lines: int = 20) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])

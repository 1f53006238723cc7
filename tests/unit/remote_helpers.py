"""For tests of the remote scripts: a RemoteRunner over this machine's own shells, and
canned answers that carry the run's marker."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from labtunnel.core.ssh.remote import CommandResult


def marked(script: bytes | str | None, stdout: str) -> str:
    """``stdout`` written with plain ``@@LT:`` markers, as the script of this run prints
    them (its marker carries a random part: ``lt_m='@@LT:<hex>:'`` at its start)."""
    text = script.decode() if isinstance(script, bytes) else (script or "")
    found = re.search(r"^lt_m='?(@@LT:[0-9a-f]{16}:)", text, re.MULTILINE)
    assert found, "every script sets its run's marker"
    return stdout.replace("@@LT:", found.group(1))


class LocalShRunner:
    """The way sshd runs a command: the user's login shell as ``$SHELL -c COMMAND``, in a
    new session (no controlling terminal), with a clean environment and the home as
    working folder. No SSH; the scripts run for real."""

    def __init__(
        self, home: Path, shell: str = "/bin/sh", env: dict[str, str] | None = None
    ) -> None:
        self.shell = shell
        self.env = {
            "HOME": str(home),
            "PATH": "/usr/bin:/bin",
            "LANG": "C.UTF-8",
            "SHELL": shell,
            "USER": "labtunnel-test",
            **(env or {}),
        }
        self.commands: list[str] = []

    def run(self, command: str, *, timeout: float, stdin: bytes | None = None) -> CommandResult:
        self.commands.append(command)
        done = subprocess.run(
            [self.shell, "-c", command],
            input=stdin or b"",
            capture_output=True,
            timeout=timeout,
            env=self.env,
            cwd=self.env["HOME"],
            check=False,
            start_new_session=True,
        )
        return CommandResult(done.returncode, done.stdout.decode(), done.stderr.decode())

"""Reading a password or passphrase without ever putting it on a command line."""

from __future__ import annotations

import getpass
import sys


def read_secret(from_stdin: bool, prompt: str) -> str | None:
    """One line from stdin (``--password-stdin``), or a hidden prompt on a terminal."""
    if from_stdin:
        line = sys.stdin.readline()
        value = line.rstrip("\r\n")
        return value or None
    if sys.stdin.isatty():
        return getpass.getpass(prompt) or None
    return None

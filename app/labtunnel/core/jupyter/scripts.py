"""The POSIX shell scripts in ``scripts/``, put together with the values they need.

The scripts are package data (shellchecked in CI), not strings in Python. A script
reads its inputs from shell variables; :func:`script` puts their assignments in front.
The values are *shell words* built by the caller (``shlex.quote``, ``shell_path``, an
int), so ``"$HOME"`` in a path still expands on the server.
"""

from __future__ import annotations

import functools
import re
from importlib.resources import files

_NAME = re.compile(r"[a-z_]+")
_VARIABLE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@functools.cache
def source(name: str) -> str:
    """The text of ``scripts/<name>`` (``.sh`` when no suffix is given)."""
    filename = name if "." in name else f"{name}.sh"
    stem = filename.rsplit(".", 1)[0]
    if not _NAME.fullmatch(stem):
        raise ValueError(f"bad script name {name!r}")
    return (files(__package__) / "scripts" / filename).read_text(encoding="utf-8")


def assignments(**shell_words: str | int) -> str:
    """``name=value`` lines; each value must already be a shell word."""
    lines = []
    for name, value in shell_words.items():
        if not _VARIABLE.fullmatch(name):
            raise ValueError(f"bad variable name {name!r}")
        lines.append(f"{name}={value}\n")
    return "".join(lines)


def script(*names: str, **shell_words: str | int) -> str:
    """The assignments, then the named scripts in order."""
    return assignments(**shell_words) + "".join(source(name) for name in names)

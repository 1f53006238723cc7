"""How the CLI talks: results on stdout, progress and errors on stderr."""

from __future__ import annotations

import logging
import sys

from labtunnel.messages import describe

log = logging.getLogger("labtunnel.cli")


def say(text: str) -> None:
    """Progress and notes for the person, on stderr (stdout is for results)."""
    print(text, file=sys.stderr, flush=True)


def fail(error: BaseException, code: int = 1) -> int:
    log.info("command failed: %s", error)
    say(f"labtunnel: {describe(error).text}")
    return code

"""``labtunnel check-update``: is a newer LabTunnel published? (Settings' "Check now".)"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from typing import Any

from labtunnel.cli.output import say
from labtunnel.core.context import AppContext
from labtunnel.core.updates import UpdateCheckFailed, UpdateStatus, check_for_update
from labtunnel.messages.updates import describe_update

#: exit status when a newer version is published (scripts can test for it)
NEWER_AVAILABLE = 10


def register(commands: Any, check: Callable[[], UpdateStatus] = check_for_update) -> None:
    command = commands.add_parser(
        "check-update",
        help="ask GitHub whether a newer LabTunnel is published",
        description="Ask the project's GitHub Releases whether a newer LabTunnel is "
        "published: one HTTPS request, nothing sent but the request. Exit status 0: you "
        f"have the latest; {NEWER_AVAILABLE}: a newer one is available (its page is printed); "
        "1: the check failed.",
    )
    command.add_argument("--json", action="store_true", help="machine-readable output")
    command.set_defaults(handler=lambda args, context: _check(args, context, check))


def _check(args: argparse.Namespace, context: AppContext, check: Callable[[], UpdateStatus]) -> int:
    try:
        status = check()
    except UpdateCheckFailed as failed:
        if args.json:
            print(json.dumps({"error": failed.problem.value, "detail": failed.detail}))
        say(describe_update(failed).text)
        return 1
    if args.json:
        print(
            json.dumps(
                {
                    "current": status.current,
                    "latest": status.latest.version,
                    "newer": status.newer_available,
                    "page": status.latest.page,
                }
            )
        )
    say(describe_update(status).text)
    if status.newer_available:
        if not args.json:
            print(status.latest.page)
        return NEWER_AVAILABLE
    return 0

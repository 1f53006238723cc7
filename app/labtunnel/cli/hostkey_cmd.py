"""``labtunnel hostkey ...``: the host keys LabTunnel trusts."""

from __future__ import annotations

import argparse
from typing import Any

from labtunnel.cli.output import say
from labtunnel.core.context import AppContext


def register(commands: Any) -> None:
    hostkey = commands.add_parser("hostkey", help="list or forget trusted server keys")
    actions = hostkey.add_subparsers(dest="action", metavar="ACTION", required=True)
    listing = actions.add_parser("list", help="list trusted host keys with SHA256 fingerprints")
    listing.set_defaults(handler=_list)
    forget = actions.add_parser(
        "forget", help="forget LabTunnel's trusted key(s) for a host (after a reinstall)"
    )
    forget.add_argument("host")
    forget.add_argument("--port", type=int, default=None, help="only this port")
    forget.set_defaults(handler=_forget)


def _list(args: argparse.Namespace, context: AppContext) -> int:
    entries = context.hostkeys.entries()
    if not entries:
        say("No trusted host keys yet.")
    for entry in entries:
        print(f"{entry.host}\t{entry.key_type}\t{entry.fingerprint}\t{entry.source}")
    return 0


def _forget(args: argparse.Namespace, context: AppContext) -> int:
    removed = context.hostkeys.forget(args.host, args.port)
    if removed:
        say(f"Forgot {removed} key(s) for {args.host}. The next connection will ask again.")
        return 0
    say(
        f"LabTunnel had no key for {args.host}. Keys in ~/.ssh/known_hosts are never changed "
        "by LabTunnel; edit that file with ssh-keygen -R if needed."
    )
    return 1

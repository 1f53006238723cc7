"""The command-line front end: ``labtunnel [COMMAND]``. No command starts the tray app, and
so does a lab profile file as the only argument (``labtunnel FILE.labtunnel``: a double
click), which the tray then offers to import."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from labtunnel import __version__
from labtunnel.cli import connect_cmd, hostkey_cmd, jupyter_cmd, profile_cmd, update_cmd
from labtunnel.cli.output import fail
from labtunnel.core.context import AppContext
from labtunnel.core.errors import LabTunnelError
from labtunnel.core.logs import setup_logging

DESCRIPTION = """\
LabTunnel opens Jupyter on your lab's server in your browser: it logs in with SSH,
finds (or starts) your own Jupyter there, forwards a free local port on 127.0.0.1
and opens the URL. Run without a command to start the system-tray app.

Passwords and key passphrases are kept only in your system keyring.
Settings live in the folder named by LABTUNNEL_CONFIG_DIR, or the platform's default.
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="labtunnel",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"LabTunnel {__version__}")
    parser.add_argument(
        "--debug", action="store_true", help="also write the (redacted) log to stderr"
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    profile_cmd.register(commands)
    connect_cmd.register(commands)
    jupyter_cmd.register(commands)
    hostkey_cmd.register(commands)
    update_cmd.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    opens_lab_profile = (
        len(args_list) == 1
        and args_list[0].lower().endswith(".labtunnel")
        and not args_list[0].startswith("-")
    )
    # macOS passes -psn_... to apps; a double-clicked lab profile comes as the one argument
    if not args_list or args_list[0].startswith("-psn_") or opens_lab_profile:
        from labtunnel.ui.main import run

        return run(args_list)
    if args_list == ["--self-test"]:
        from labtunnel.selftest import run_self_test

        return run_self_test()
    parser = build_parser()
    args = parser.parse_args(args_list)
    if args.command is None:
        parser.print_help()
        return 0
    try:
        context = AppContext.create()
        setup_logging(context.paths.log_dir, logging.INFO, to_stderr=args.debug)
        result: int = args.handler(args, context)
        return result
    except LabTunnelError as error:
        return fail(error)
    except KeyboardInterrupt:
        return 130

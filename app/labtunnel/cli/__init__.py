"""The command-line front end: ``labtunnel [COMMAND]``. No command starts the tray app, and
so does a lab profile file as the only argument (``labtunnel FILE.labtunnel``: a double
click), which the tray then offers to import."""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Sequence

from labtunnel import __version__
from labtunnel.cli.output import fail
from labtunnel.core.context import AppContext
from labtunnel.core.errors import LabTunnelError
from labtunnel.core.logs import setup_logging

#: each command's module (its ``register`` adds its parser). Only the named command's
#: module is imported: ``labtunnel connect`` must not pay for the Slurm, sharing or
#: ssh_config code of the others (tests/unit/test_cli_imports.py pins what it imports)
COMMANDS = {
    "profile": "labtunnel.cli.profile_cmd",
    "connect": "labtunnel.cli.connect_cmd",
    "jupyter": "labtunnel.cli.jupyter_cmd",
    "hostkey": "labtunnel.cli.hostkey_cmd",
    "check-update": "labtunnel.cli.update_cmd",
}

DESCRIPTION = """\
LabTunnel opens Jupyter on your lab's server in your browser: it logs in with SSH,
finds (or starts) your own Jupyter there, forwards a free local port on 127.0.0.1
and opens the URL. Run without a command to start the system-tray app.

Passwords and key passphrases are kept only in your system keyring.
Settings live in the folder named by LABTUNNEL_CONFIG_DIR, or the platform's default.
"""


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The whole command line; with ``only`` (a command name) just that command's part,
    which parses that command's arguments alike."""
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
    for name, module in COMMANDS.items():
        if only is None or name == only:
            importlib.import_module(module).register(commands)
    return parser


def _command_named(args: Sequence[str]) -> str | None:
    """The command ``args`` name, when it is one (the options before it take no value)."""
    first = next((arg for arg in args if not arg.startswith("-")), None)
    return first if first in COMMANDS else None


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
    parser = build_parser(only=_command_named(args_list))
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

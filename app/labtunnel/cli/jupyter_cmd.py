"""``labtunnel jupyter list|stop NAME``: your Jupyter servers on a lab server."""

from __future__ import annotations

import argparse
from typing import Any

from labtunnel.cli.output import say
from labtunnel.core.context import AppContext
from labtunnel.core.errors import FieldProblem, ProblemCode, ProfileInvalid
from labtunnel.core.jupyter.manager import JupyterManager
from labtunnel.core.jupyter.server import StopOutcome
from labtunnel.core.profiles.model import HostProfile, JupyterSpec
from labtunnel.core.ssh.hops import hops_for, open_chain
from labtunnel.core.ssh.session import SshSession


def register(commands: Any) -> None:
    jupyter = commands.add_parser("jupyter", help="list or stop your Jupyter on a lab server")
    actions = jupyter.add_subparsers(dest="action", metavar="ACTION", required=True)
    listing = actions.add_parser("list", help="list your running Jupyter servers (no tokens shown)")
    listing.add_argument("name", help="the lab server (profile) name")
    listing.set_defaults(handler=_list)
    stop = actions.add_parser("stop", help="shut down your Jupyter on the server")
    stop.add_argument("name", help="the lab server (profile) name")
    stop.add_argument(
        "--port",
        type=int,
        default=None,
        help="the server's Jupyter port (default: the one LabTunnel would connect to)",
    )
    stop.set_defaults(handler=_stop)


def _open(context: AppContext, profile: HostProfile) -> tuple[SshSession, JupyterManager]:
    if not isinstance(profile.target, JupyterSpec):
        raise ProfileInvalid([FieldProblem("remote", ProblemCode.NOT_JUPYTER, str(profile.target))])
    hops = hops_for(profile, context.secrets, context.store.get)
    session = open_chain(hops, context.hostkeys)
    manager = JupyterManager(
        session, profile.target, remembered=context.remembered, profile_id=profile.id
    )
    return session, manager


def _list(args: argparse.Namespace, context: AppContext) -> int:
    profile = context.store.get(args.name)
    session, manager = _open(context, profile)
    with session:
        servers = manager.list_servers()
    if not servers:
        say(f"No Jupyter of yours is running on {profile.host}.")
    for server in servers:
        print(f"port {server.port}\tpid {server.pid}\t{server.root_dir}")
    return 0


def _stop(args: argparse.Namespace, context: AppContext) -> int:
    profile = context.store.get(args.name)
    session, manager = _open(context, profile)
    with session:
        if args.port is None:
            server = manager.find()
        else:
            server = next((s for s in manager.list_servers() if s.port == args.port), None)
        if server is None:
            say(f"No Jupyter of yours to stop on {profile.host}.")
            return 1
        outcome = manager.stop(server)
    if outcome is StopOutcome.NOT_RUNNING:
        say(f"Your Jupyter on {profile.host} (port {server.port}) had already stopped.")
    else:
        say(f"Stopped your Jupyter on {profile.host} (port {server.port}).")
    return 0

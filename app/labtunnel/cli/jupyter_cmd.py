"""``labtunnel jupyter list|stop|kernels|shutdown-kernel NAME``: your Jupyter servers on a
lab server, and the kernels in them; for a Slurm profile ``list``/``stop`` cover your
LabTunnel jobs on the cluster (``stop`` = ``scancel``)."""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict
from typing import Any

from labtunnel.cli.output import say
from labtunnel.core.context import AppContext
from labtunnel.core.errors import FieldProblem, ProblemCode, ProfileInvalid
from labtunnel.core.jupyter.kernels import list_kernels, shutdown_kernels
from labtunnel.core.jupyter.launch.slurm import LabTunnelJob, cancel_job, list_jobs, profile_jobs
from labtunnel.core.jupyter.manager import JupyterManager
from labtunnel.core.jupyter.server import JupyterServer, StopOutcome
from labtunnel.core.profiles.model import HostProfile, JupyterSpec
from labtunnel.core.ssh.hops import hops_for, open_chain
from labtunnel.core.ssh.session import SshSession
from labtunnel.messages import describe
from labtunnel.messages.glance import describe_duration, describe_kernel_gpu, describe_kernel_note
from labtunnel.messages.slurm import describe_job, describe_queue


def register(commands: Any) -> None:
    jupyter = commands.add_parser(
        "jupyter",
        help="list or stop your Jupyter on a lab server (for a Slurm profile: your jobs),"
        " list or shut down its kernels",
    )
    actions = jupyter.add_subparsers(dest="action", metavar="ACTION", required=True)
    listing = actions.add_parser("list", help="list your running Jupyter servers (no tokens shown)")
    listing.add_argument("name", help="the lab server (profile) name")
    listing.set_defaults(handler=_list)
    stop = actions.add_parser(
        "stop",
        help="shut down your Jupyter on the server (for a Slurm profile: scancel its job)",
    )
    stop.add_argument("name", help="the lab server (profile) name")
    stop.add_argument(
        "--port",
        type=int,
        default=None,
        help="the server's Jupyter port (default: the one LabTunnel would connect to)",
    )
    stop.set_defaults(handler=_stop)
    kernels = actions.add_parser(
        "kernels",
        help="list your kernels: notebook, state, idle time, GPU memory",
        description="List the kernels of your Jupyter on the server (the one LabTunnel "
        "connects to): id, kernel name, state, idle time, GPU memory of its processes "
        "(nvidia-smi) and notebook.",
    )
    kernels.add_argument("name", help="the lab server (profile) name")
    kernels.add_argument("--json", action="store_true", help="machine-readable output")
    kernels.set_defaults(handler=_kernels)
    shutdown = actions.add_parser(
        "shutdown-kernel",
        help="shut down kernels of your Jupyter (by id, or those idle too long)",
        description="Ask your Jupyter to shut down one kernel, or every kernel idle for at "
        "least MINUTES. Notebooks keep what was saved; a kernel's memory is lost.",
    )
    shutdown.add_argument("name", help="the lab server (profile) name")
    which = shutdown.add_mutually_exclusive_group(required=True)
    which.add_argument("id", nargs="?", help="the kernel's id (or the start of it)")
    which.add_argument(
        "--idle-over", type=float, metavar="MINUTES", help="every kernel idle this long or longer"
    )
    shutdown.set_defaults(handler=_shutdown_kernel)


def _open(context: AppContext, profile: HostProfile) -> tuple[SshSession, JupyterManager]:
    if not isinstance(profile.target, JupyterSpec):
        raise ProfileInvalid([FieldProblem("remote", ProblemCode.NOT_JUPYTER, str(profile.target))])
    hops = hops_for(profile, context.secrets, context.store.get)
    session = open_chain(hops, context.hostkeys)
    manager = JupyterManager(
        session,
        profile.target,
        remembered=context.remembered,
        profile_id=profile.id,
        on_warning=lambda warning: say(describe(warning).text),
    )
    return session, manager


def _slurm_session(context: AppContext, profile: HostProfile) -> SshSession | None:
    if not isinstance(profile.target, JupyterSpec) or profile.target.slurm is None:
        return None
    return open_chain(hops_for(profile, context.secrets, context.store.get), context.hostkeys)


def _describe(job: LabTunnelJob) -> str:
    status = job.status
    if status.pending:
        return describe_queue(status).text
    return describe_job(status).text


def _list_jobs(profile: HostProfile, session: SshSession) -> int:
    with session:
        jobs = list_jobs(session)
    if not jobs:
        say(f"No LabTunnel job of yours is waiting or running on {profile.host}.")
        return 0
    mine = {job.status.job_id for job in profile_jobs(jobs, profile.id, profile.name)}
    for job in jobs:
        marker = "*" if job.status.job_id in mine else " "
        print(f"{marker} job {job.status.job_id}\t{job.status.state}\t{job.name}\t{_describe(job)}")
    if mine:
        say(f"* = the job of “{profile.name}”.")
    return 0


def _stop_job(profile: HostProfile, session: SshSession) -> int:
    with session:
        jobs = profile_jobs(list_jobs(session), profile.id, profile.name)
        if not jobs:
            say(f"No Slurm job of “{profile.name}” is waiting or running on {profile.host}.")
            return 1
        for job in jobs:
            cancel_job(session, job.status.job_id, job.nonce)
            say(
                f"Cancelled Slurm job {job.status.job_id} ({job.status.state.lower()}): "
                "Jupyter and its kernels in it end."
            )
    return 0


def _where(server: JupyterServer) -> str:
    return f"socket {server.sock}" if server.sock else f"port {server.port}"


def _list(args: argparse.Namespace, context: AppContext) -> int:
    profile = context.store.get(args.name)
    slurm_session = _slurm_session(context, profile)
    if slurm_session is not None:
        return _list_jobs(profile, slurm_session)
    session, manager = _open(context, profile)
    with session:
        servers = manager.list_servers()
    if not servers:
        say(f"No Jupyter of yours is running on {profile.host}.")
    for server in servers:
        print(f"{_where(server)}\tpid {server.pid}\t{server.root_dir}")
    return 0


def _jupyter_of(manager: JupyterManager, host: str) -> JupyterServer | None:
    server = manager.find()
    if server is None:
        say(describe_kernel_note("no_jupyter", host=host).text)
    return server


def _kernels(args: argparse.Namespace, context: AppContext) -> int:
    profile = context.store.get(args.name)
    session, manager = _open(context, profile)
    with session:
        server = _jupyter_of(manager, profile.host)
        if server is None:
            return 1
        report = list_kernels(session, server)
    if report.error:
        say(describe_kernel_note("not_listed", detail=report.error).text)
        return 1
    if args.json:
        rows = []
        for kernel in report.kernels:
            use = report.use_of(kernel)
            rows.append(
                {
                    **asdict(kernel),
                    "pids": list(kernel.pids),
                    "gpu_memory_mib": use.used_mib if use.uses_gpu else None,
                    "gpu_uuids": list(use.gpu_uuids),
                }
            )
        print(json.dumps(rows, indent=2, ensure_ascii=False))
        return 0
    if not report.kernels:
        say(describe_kernel_note("none_running", host=profile.host).text)
    for kernel in report.kernels:
        use = report.use_of(kernel)
        idle = (
            describe_duration(kernel.idle_seconds).text if kernel.idle_seconds is not None else "-"
        )
        gpu = describe_kernel_gpu(use)
        print(
            "\t".join(
                [
                    kernel.id,
                    kernel.name,
                    kernel.execution_state or "-",
                    idle,
                    gpu.text if gpu is not None else "-",
                    kernel.notebook or "-",
                ]
            )
        )
    return 0


def _shutdown_kernel(args: argparse.Namespace, context: AppContext) -> int:
    profile = context.store.get(args.name)
    session, manager = _open(context, profile)
    with session:
        server = _jupyter_of(manager, profile.host)
        if server is None:
            return 1
        report = list_kernels(session, server)
        if report.error:
            say(describe_kernel_note("not_listed", detail=report.error).text)
            return 1
        if args.id is not None:
            chosen = [k for k in report.kernels if k.id.startswith(args.id)]
            if len(chosen) != 1:
                say(describe_kernel_note("no_such_kernel", kernel=args.id, host=profile.host).text)
                return 1
        else:
            chosen = [k for k in report.kernels if k.idle_over(args.idle_over)]
            if not chosen:
                say(describe_kernel_note("none_idle", minutes=f"{args.idle_over:g}").text)
                return 0
        done = shutdown_kernels(session, server, [k.id for k in chosen])
    failed = 0
    for kernel in chosen:
        what = kernel.notebook or kernel.name
        if done.get(kernel.id):
            say(describe_kernel_note("shut_down", kernel=kernel.id, what=what).text)
        else:
            failed += 1
            say(describe_kernel_note("not_shut_down", kernel=kernel.id, what=what).text)
    return 1 if failed else 0


def _stop(args: argparse.Namespace, context: AppContext) -> int:
    profile = context.store.get(args.name)
    slurm_session = _slurm_session(context, profile)
    if slurm_session is not None:
        return _stop_job(profile, slurm_session)
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
        say(f"Your Jupyter on {profile.host} ({_where(server)}) had already stopped.")
    else:
        say(f"Stopped your Jupyter on {profile.host} ({_where(server)}).")
    return 0

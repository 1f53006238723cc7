"""Where Jupyter runs for a profile, behind one interface the tunnel uses.

Two ways: on the lab server itself, found or started through the user's login shell
(:class:`labtunnel.core.jupyter.manager.JupyterManager`), or inside a Slurm batch job on a
compute node of a cluster, reached through its login node
(:class:`labtunnel.core.jupyter.launch.slurm.SlurmLauncher`). :func:`launcher_for` picks
one from the profile.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from labtunnel.core.errors import LabTunnelError
from labtunnel.core.events import JobStatus, TunnelStep
from labtunnel.core.jupyter.manager import JupyterManager
from labtunnel.core.jupyter.server import JupyterServer, StopOutcome
from labtunnel.core.jupyter.sockets import UnixSocketOpener
from labtunnel.core.profiles.model import JupyterSpec
from labtunnel.core.profiles.remembered import RememberedServers
from labtunnel.core.ssh.remote import RemoteRunner

Progress = Callable[[TunnelStep], None]
Warn = Callable[[LabTunnelError], None]


class JupyterLauncher(Protocol):
    """What a tunnel needs from "the user's Jupyter", wherever it runs."""

    def find_or_start(self, on_progress: Progress | None = None) -> JupyterServer:
        """The user's running server for this profile, else a newly started one."""
        ...

    def probe_local(self, local_port: int, server: JupyterServer, timeout: float) -> bool:
        """Does ``server`` answer through the local forward on ``local_port``?"""
        ...

    def is_alive(self, server: JupyterServer) -> bool:
        """Does ``server`` still run, seen from the server side?"""
        ...

    def stop(self, server: JupyterServer) -> StopOutcome:
        """Shut ``server`` down (only ever the user's own)."""
        ...


def launcher_for(
    spec: JupyterSpec,
    runner: RemoteRunner,
    *,
    remembered: RememberedServers | None,
    profile_id: str,
    profile_name: str = "",
    on_job: Callable[[JobStatus], None] | None = None,
    on_warning: Warn | None = None,
    sockets: UnixSocketOpener | None = None,
) -> JupyterLauncher:
    """The launcher for a profile's Jupyter target, working over ``runner``'s session.
    ``on_job`` hears the Slurm job's queue state (Slurm profiles only); ``on_warning``
    what should be told but stops nothing (JupyterEnvUnsafe; a Slurm job's environment is
    checked on its node, where nothing is told yet); ``sockets`` (the SSH session) lets a
    Jupyter started on the server itself listen on a private socket."""
    if spec.slurm is not None:
        from labtunnel.core.jupyter.launch.slurm import SlurmLauncher

        return SlurmLauncher(
            runner,
            spec,
            profile_id=profile_id,
            profile_name=profile_name,
            on_job=on_job,
        )
    return JupyterManager(
        runner,
        spec,
        remembered=remembered,
        profile_id=profile_id,
        on_warning=on_warning,
        sockets=sockets,
    )

"""Events the core sends to front ends. Frozen, so they can cross threads."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from labtunnel.core.errors import LabTunnelError
from labtunnel.core.jupyter.kernels import KernelReport
from labtunnel.core.jupyter.server import JupyterDetails


class TunnelStep(str, Enum):
    """Progress within CONNECTING / STARTING_JUPYTER, in the order a connect goes."""

    CONNECTING = "connecting"
    AUTHENTICATING = "authenticating"
    FINDING_JUPYTER = "finding_jupyter"
    STARTING_JUPYTER = "starting_jupyter"
    WAITING_JUPYTER = "waiting_jupyter"
    FORWARDING = "forwarding"
    CHECKING = "checking"


#: reports a step; called on a worker thread
StepCallback = Callable[[TunnelStep], None]


class TunnelState(str, Enum):
    DISCONNECTED = "disconnected"
    CONNECTING = "connecting"
    STARTING_JUPYTER = "starting_jupyter"
    CONNECTED = "connected"
    RECONNECTING = "reconnecting"
    JUPYTER_DOWN = "jupyter_down"
    FAILED = "failed"


@dataclass(frozen=True)
class TunnelStatus:
    profile_id: str
    profile_name: str
    state: TunnelState
    #: progress within CONNECTING / STARTING_JUPYTER
    step: TunnelStep | None = None
    error: LabTunnelError | None = None
    #: carries the Jupyter token: never log it (hence repr=False)
    local_url: str | None = field(default=None, repr=False)
    local_port: int | None = None
    retry_in: float | None = None
    attempt: int = 0
    #: the tunnel was up before in this run (so "connected" now means "re-established")
    was_connected: bool = False
    #: how the user's Jupyter runs (socket or port, GPUs), once it was found or started
    jupyter: JupyterDetails | None = None


@dataclass(frozen=True)
class StatsEvent:
    profile_id: str
    stats: Any  # labtunnel.core.server.stats.ServerStats
    error: LabTunnelError | None = None
    #: the user's kernels, when connected to a Jupyter
    kernels: KernelReport | None = None


@dataclass(frozen=True)
class KernelsShutDown:
    """The answer to "shut these kernels down"."""

    profile_id: str
    done: tuple[str, ...] = ()
    failed: tuple[str, ...] = ()
    error: LabTunnelError | None = None


@dataclass(frozen=True)
class TestResult:
    profile_id: str
    ok: bool
    error: LabTunnelError | None = None


@dataclass(frozen=True)
class JupyterStopped:
    """The user's Jupyter on the server was shut down on request."""

    profile_id: str
    error: LabTunnelError | None = None


Event = TunnelStatus | StatsEvent | TestResult | JupyterStopped | KernelsShutDown
Listener = Callable[[Event], None]

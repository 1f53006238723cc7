"""Events the core sends to front ends. Frozen, so they can cross threads."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Any

from labtunnel.core.errors import LabTunnelError

if TYPE_CHECKING:  # only named in annotations: the kernel and stats code is not loaded
    # for a connect
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
    #: a Slurm profile: looking for its job in the queue, or submitting one
    SUBMITTING_JOB = "submitting_job"
    #: the job waits in the queue (the tunnel's state is QUEUED)
    QUEUED = "queued"
    #: the job runs on its node; Jupyter starts in it
    JOB_STARTING = "job_starting"


#: reports a step; called on a worker thread
StepCallback = Callable[[TunnelStep], None]


class TunnelState(str, Enum):
    DISCONNECTED = "disconnected"
    CONNECTING = "connecting"
    STARTING_JUPYTER = "starting_jupyter"
    CONNECTED = "connected"
    RECONNECTING = "reconnecting"
    JUPYTER_DOWN = "jupyter_down"
    #: a Slurm job for the profile's Jupyter waits in the queue (``TunnelStatus.job``)
    QUEUED = "queued"
    #: the Slurm job that ran Jupyter is over (``error`` says why); waits for a new one
    JOB_ENDED = "job_ended"
    FAILED = "failed"


class ForwardState(str, Enum):
    """How an extra forward (TensorBoard...) is doing while its tunnel is up."""

    #: not checked yet (the tunnel is connecting)
    UNKNOWN = "unknown"
    ANSWERING = "answering"
    #: nothing listens at its address on the server (yet): the rest keeps working
    NOT_ANSWERING = "not_answering"
    #: the server refuses to forward to this address (PermitOpen)
    PROHIBITED = "prohibited"
    #: no local port could be opened for it on this computer
    NO_LOCAL_PORT = "no_local_port"


@dataclass(frozen=True)
class ForwardStatus:
    """One extra forward of a tunnel: its name, where it goes, its local port."""

    name: str
    remote_host: str
    remote_port: int
    local_port: int | None
    state: ForwardState = ForwardState.UNKNOWN

    @property
    def local_url(self) -> str | None:
        return f"http://127.0.0.1:{self.local_port}/" if self.local_port else None

    @property
    def remote(self) -> str:
        host = f"[{self.remote_host}]" if ":" in self.remote_host else self.remote_host
        return f"{host}:{self.remote_port}"


@dataclass(frozen=True)
class JobStatus:
    """The Slurm job that runs (or will run) a profile's Jupyter, as Slurm reports it.

    Times are epoch seconds on this computer's clock.
    """

    job_id: int
    #: Slurm's state: PENDING, CONFIGURING, RUNNING, COMPLETING...
    state: str
    #: Slurm's reason while pending: Resources, Priority, QOSMaxJobsPerUserLimit...
    reason: str = ""
    partition: str = ""
    #: when Slurm expects a pending job to start (None: no estimate yet)
    expected_start: float | None = None
    node: str = ""
    #: GPUs the job holds: the count asked for, and their indices on the node once known
    gpu_count: int = 0
    gpu_ids: str = ""
    #: when the time limit ends the job (None: no limit, or not running yet)
    ends_at: float | None = None

    @property
    def pending(self) -> bool:
        return self.state == "PENDING"


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
    #: for a profile whose Jupyter runs in a Slurm job: that job
    job: JobStatus | None = None
    #: the profile's extra forwards, in the profile's order
    forwards: tuple[ForwardStatus, ...] = ()


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
    #: a Slurm profile whose login worked: the cluster's partitions (default first), or
    #: ``slurm_error`` when they could not be read (e.g. no Slurm on that server)
    partitions: tuple[str, ...] = ()
    default_partition: str = ""
    slurm_error: LabTunnelError | None = None


@dataclass(frozen=True)
class JupyterStopped:
    """The user's Jupyter on the server was shut down on request."""

    profile_id: str
    error: LabTunnelError | None = None


@dataclass(frozen=True)
class JobEndingSoon:
    """The Slurm job running the profile's Jupyter reaches its time limit soon."""

    profile_id: str
    job_id: int
    seconds_left: float


@dataclass(frozen=True)
class TunnelWarning:
    """Worth telling the user, stops nothing (JupyterEnvUnsafe...); once per tunnel."""

    profile_id: str
    profile_name: str
    warning: LabTunnelError


Event = (
    TunnelStatus
    | StatsEvent
    | TestResult
    | JupyterStopped
    | KernelsShutDown
    | JobEndingSoon
    | TunnelWarning
)
Listener = Callable[[Event], None]

"""What Slurm's commands print, read: squeue lines, durations, sbatch's refusals, why a
job ended. Pure functions (no SSH), so every form real clusters print can be tested."""

from __future__ import annotations

import re
from dataclasses import dataclass

from labtunnel.core.errors import JobEnd, SlurmRefusal
from labtunnel.core.events import JobStatus

#: states in which a job waits or runs: LabTunnel keeps following it
ACTIVE_STATES = frozenset(
    {"PENDING", "CONFIGURING", "RUNNING", "SUSPENDED", "REQUEUED", "RESIZING", "REQUEUE_HOLD"}
)
#: pending reasons that never clear by waiting: the request is over a limit, or invalid
NEVER_RUNS = frozenset(
    {
        "PartitionTimeLimit", "PartitionNodeLimit", "BadConstraints", "InvalidAccount",
        "InvalidQOS", "QOSMaxWallDurationPerJobLimit", "AssocMaxWallDurationPerJobLimit",
        "QOSMaxGRESPerJob", "QOSMaxCpuPerJobLimit", "QOSMaxMemoryPerJob", "PartitionConfig",
        "AssocMaxGRESPerJob", "AssocMaxCpuPerJobLimit", "AssocMaxMemPerJob",
        "AccountNotAllowed", "QOSNotAllowed",
    }
)  # fmt: skip

_DURATION = re.compile(r"^(?:(\d+)-)?(?:(\d+):)?(?:(\d+):)?(\d+)$")


def duration_seconds(text: str) -> int | None:
    """squeue's %L / %l: ``1-02:03:04``, ``2:03:04``, ``3:04``, ``45``; None for
    UNLIMITED, NOT_SET, INVALID, N/A."""
    text = text.strip()
    match = _DURATION.match(text)
    if match is None:
        return None
    days, first, second, last = match.groups()
    units = [int(v) for v in (first, second) if v is not None] + [int(last)]
    # with a day part the fields are hours[:minutes[:seconds]], else [[h:]m:]s
    if days is not None:
        hours, minutes, seconds = [*units, 0, 0][:3]
        return ((int(days) * 24 + hours) * 60 + minutes) * 60 + seconds
    seconds = 0
    for value in units:
        seconds = seconds * 60 + value
    return seconds


def gpu_count(gres: str) -> int:
    """GPUs in squeue's %b: ``gres:gpu:2``, ``gres/gpu:a100:2``, ``gpu:1(IDX:0)``, ``N/A``."""
    total = 0
    for item in gres.split(","):
        parts = re.sub(r"\(.*?\)", "", item.strip()).replace("/", ":").split(":")
        if parts and parts[0] == "gres":
            parts = parts[1:]
        if not parts or parts[0] != "gpu":
            continue
        total += int(parts[-1]) if len(parts) > 1 and parts[-1].isdigit() else 1
    return total


@dataclass(frozen=True)
class QueueLine:
    """One job as ``squeue -o '%T|%r|%S|%N|%b|%l|%L'`` (SLURM_TIME_FORMAT=%s) prints it."""

    state: str
    reason: str
    start: float | None
    nodes: str
    gpus: int
    limit_seconds: int | None
    left_seconds: int | None

    @property
    def active(self) -> bool:
        return self.state in ACTIVE_STATES

    @property
    def key(self) -> str:
        """What changes when something worth telling changes (not the time left)."""
        return f"{self.state}|{self.reason}|{self.start}|{self.nodes}"


def parse_queue_line(text: str) -> QueueLine:
    """Raises ValueError when the line is not squeue's."""
    fields = text.strip().split("|")
    if len(fields) < 7 or not re.fullmatch(r"[A-Z_]+", fields[0]):
        raise ValueError(f"not a squeue line: {text[:200]!r}")
    state, reason, start, nodes, gres, limit, left = (f.strip() for f in fields[:7])
    return QueueLine(
        state=state.split()[0],
        reason=reason if reason not in ("None", "(null)") else "",
        start=float(start) if start.isdigit() and int(start) > 0 else None,
        nodes=nodes if nodes not in ("(null)", "None assigned") else "",
        gpus=gpu_count(gres),
        limit_seconds=duration_seconds(limit),
        left_seconds=duration_seconds(left),
    )


def job_status(
    job_id: int, line: QueueLine, now: float, partition: str = "", gpu_ids: str = ""
) -> JobStatus:
    """A JobStatus on this computer's clock: the end from the time left, not from the
    cluster's clock (which may be set differently)."""
    running = line.state == "RUNNING"
    return JobStatus(
        job_id=job_id,
        state=line.state,
        reason=line.reason,
        partition=partition,
        expected_start=line.start if line.state == "PENDING" else None,
        node=line.nodes,
        gpu_count=line.gpus,
        gpu_ids=gpu_ids,
        ends_at=now + line.left_seconds if running and line.left_seconds is not None else None,
    )


_END_REASONS = {
    "TIMEOUT": JobEnd.TIME_LIMIT,
    "DEADLINE": JobEnd.TIME_LIMIT,
    "CANCELLED": JobEnd.CANCELLED,
    "REVOKED": JobEnd.CANCELLED,
    "PREEMPTED": JobEnd.PREEMPTED,
    "NODE_FAIL": JobEnd.NODE_FAILURE,
    "BOOT_FAIL": JobEnd.NODE_FAILURE,
    "OUT_OF_MEMORY": JobEnd.OUT_OF_MEMORY,
    "FAILED": JobEnd.FAILED,
    "COMPLETED": JobEnd.FINISHED,
}
_COMPLETING_REASONS = {"TimeLimit": JobEnd.TIME_LIMIT, "NodeDown": JobEnd.NODE_FAILURE}


def end_reason(state: str, reason: str = "") -> JobEnd:
    """Why a job ended, from its final state (``CANCELLED by 1000`` counts as CANCELLED)."""
    base = state.strip().split()[0] if state.strip() else ""
    if base == "COMPLETING" or not base:
        # squeue shows COMPLETING until the node is cleaned up; its reason still tells
        return _COMPLETING_REASONS.get(reason, JobEnd.UNKNOWN)
    return _END_REASONS.get(base, JobEnd.UNKNOWN)


_SBATCH_REFUSALS = (
    (SlurmRefusal.UNKNOWN_PARTITION, re.compile(r"invalid partition", re.I)),
    (SlurmRefusal.TIME_LIMIT, re.compile(r"time limit is invalid|time limit .*exceeds", re.I)),
    (SlurmRefusal.MEMORY, re.compile(r"memory specification can not be satisfied", re.I)),
    (SlurmRefusal.CPUS, re.compile(r"cpu count per node can not be satisfied", re.I)),
    (SlurmRefusal.GPUS, re.compile(r"invalid generic resource|gres", re.I)),
    (SlurmRefusal.ACCOUNT, re.compile(r"invalid account", re.I)),
    (SlurmRefusal.QOS, re.compile(r"invalid qos", re.I)),
    (SlurmRefusal.POLICY, re.compile(r"violates accounting/qos policy|qos.*limit", re.I)),
    (SlurmRefusal.RESOURCES, re.compile(r"configuration is not available|requested nodes", re.I)),
    (SlurmRefusal.CONTROLLER, re.compile(r"unable to contact slurm controller|refused", re.I)),
)  # fmt: skip


def sbatch_refusal(text: str) -> tuple[SlurmRefusal, str]:
    """sbatch's error output -> (why, Slurm's own words without the noise)."""
    lines = [
        re.sub(r"^sbatch:\s*(error:\s*)?", "", line.strip())
        for line in text.splitlines()
        if line.strip() and "warning" not in line.lower()
    ]
    detail = "; ".join(dict.fromkeys(re.sub(r"^Batch job submission failed:\s*", "", line)
                                      for line in lines))  # fmt: skip
    for reason, pattern in _SBATCH_REFUSALS:
        if pattern.search(text):
            return reason, detail
    return SlurmRefusal.OTHER, detail


def submitted_job_id(output: str) -> int | None:
    """The job id ``sbatch --parsable`` printed (``123`` or ``123;cluster``)."""
    for line in reversed(output.strip().splitlines()):
        match = re.fullmatch(r"(\d+)(?:;\S+)?", line.strip())
        if match:
            return int(match.group(1))
    return None


def nonce_of(comment: str) -> str:
    """The submission's nonce from a LabTunnel job's comment ``labtunnel:PROFILE:NONCE``."""
    parts = comment.strip().split(":")
    if len(parts) >= 3 and parts[0] == "labtunnel" and re.fullmatch(r"[0-9a-f]{6,32}", parts[2]):
        return parts[2]
    return ""


def parse_info(lines: tuple[str, ...]) -> dict[str, str]:
    """The job's ``info`` file: ``key=value`` lines."""
    info = {}
    for line in lines:
        key, sep, value = line.partition("=")
        if sep and key.strip():
            info[key.strip()] = value.strip()
    return info


@dataclass(frozen=True)
class Partition:
    name: str
    default: bool
    available: bool
    max_time_seconds: int | None
    nodes: int
    gpus: int


def parse_partition(line: str) -> Partition | None:
    """``sinfo -o '%P|%a|%l|%D|%G'``: ``gpu*|up|1-00:00:00|2|gpu:2``."""
    fields = line.strip().split("|")
    if len(fields) < 5 or not fields[0]:
        return None
    name = fields[0]
    return Partition(
        name=name.rstrip("*"),
        default=name.endswith("*"),
        available=fields[1].strip() == "up",
        max_time_seconds=duration_seconds(fields[2]),
        nodes=int(fields[3]) if fields[3].strip().isdigit() else 0,
        gpus=max((gpu_count(g) for g in fields[4].split(",") if g), default=0)
        if fields[4].strip() not in ("(null)", "") else 0,
    )  # fmt: skip

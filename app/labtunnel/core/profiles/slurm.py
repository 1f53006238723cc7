"""A profile's Slurm job: Jupyter runs inside a batch job on a compute node of a cluster,
submitted through the login node the profile connects to.

Empty values leave the cluster's defaults (the default partition, one CPU, the partition's
time limit...). Validation catches what sbatch would refuse for its form alone; what the
cluster refuses (an unknown partition, a request over its limits) only the cluster knows.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from labtunnel.core.errors import FieldProblem, ProblemCode

MAX_GPUS = 64
MAX_CPUS = 4096

_NAME = re.compile(r"^[A-Za-z0-9_.+\-]+$")
_PARTITIONS = re.compile(r"^[A-Za-z0-9_.+\-]+(,[A-Za-z0-9_.+\-]+)*$")
_MEMORY = re.compile(r"^[0-9]+[KMGTkmgt]?[Bb]?$")
# sbatch --time: minutes, minutes:seconds, hours:minutes:seconds, days-hours,
# days-hours:minutes, days-hours:minutes:seconds; or no limit at all
_TIME = re.compile(
    r"^(?:(?P<days>\d+)-(?P<dh>\d+)(?::(?P<dm>\d+)(?::(?P<ds>\d+))?)?"
    r"|(?P<a>\d+)(?::(?P<b>\d+)(?::(?P<c>\d+))?)?)$"
)
_UNLIMITED = ("UNLIMITED", "INFINITE")

#: options LabTunnel sets itself to find and follow its job: not allowed in extra lines
RESERVED_OPTIONS = frozenset(
    {
        "--job-name", "-J", "--output", "-o", "--error", "-e", "--open-mode", "--comment",
        "--parsable", "--wrap", "--export", "--array", "-a", "--wait", "-W", "--hold", "-H",
        "--nodes", "-N", "--requeue", "--no-requeue", "--chdir", "-D", "--test-only",
    }
)  # fmt: skip


@dataclass(frozen=True)
class SlurmJob:
    partition: str = ""
    gpus: int = 0
    #: CPUs for Jupyter and its kernels (sbatch --cpus-per-task); 0 = the cluster's default
    cpus: int = 0
    #: sbatch --mem: "16G", "500M"; empty = the cluster's default
    memory: str = ""
    #: sbatch --time: "4:00:00", "1-00:00:00"; empty = the partition's default
    time_limit: str = ""
    account: str = ""
    qos: str = ""
    #: more sbatch options, one per #SBATCH line ("--constraint=a100")
    extra_options: tuple[str, ...] = ()

    def sbatch_options(self) -> list[str]:
        """The options for the job's #SBATCH lines, in a stable order."""
        options = []
        if self.partition.strip():
            options.append(f"--partition={self.partition.strip()}")
        if self.gpus:
            options.append(f"--gres=gpu:{self.gpus}")
        if self.cpus:
            options.append(f"--cpus-per-task={self.cpus}")
        if self.memory.strip():
            options.append(f"--mem={self.memory.strip()}")
        if self.time_limit.strip():
            options.append(f"--time={self.time_limit.strip()}")
        if self.account.strip():
            options.append(f"--account={self.account.strip()}")
        if self.qos.strip():
            options.append(f"--qos={self.qos.strip()}")
        options += [normalize_option(line) for line in self.extra_options if line.strip()]
        return options


def normalize_option(line: str) -> str:
    """``#SBATCH --x=1`` or ``--x=1`` -> ``--x=1``."""
    text = line.strip()
    if text.upper().startswith("#SBATCH"):
        text = text[len("#SBATCH") :].strip()
    return text


def time_limit_seconds(text: str) -> int | None:
    """Seconds of an sbatch ``--time`` value; None for no limit, ValueError if malformed."""
    text = text.strip()
    if text.upper() in _UNLIMITED:
        return None
    match = _TIME.match(text)
    if match is None:
        raise ValueError(f"bad time limit {text!r}")
    parts = match.groupdict()
    if parts["days"] is not None:
        days, hours = int(parts["days"]), int(parts["dh"])
        minutes, seconds = int(parts["dm"] or 0), int(parts["ds"] or 0)
        total = ((days * 24 + hours) * 60 + minutes) * 60 + seconds
    elif parts["c"] is not None:
        total = (int(parts["a"]) * 60 + int(parts["b"])) * 60 + int(parts["c"])
    elif parts["b"] is not None:
        total = int(parts["a"]) * 60 + int(parts["b"])
    else:
        total = int(parts["a"]) * 60
    return None if total == 0 else total  # Slurm: a limit of zero means none


def _option_problem(line: str) -> FieldProblem | None:
    text = normalize_option(line)
    if not text:
        return None
    if any(ord(c) < 32 for c in text) or not text.startswith("-") or text.startswith("---"):
        return FieldProblem("slurm_extra_options", ProblemCode.BAD_OPTION, line.strip())
    name = text.split("=", 1)[0].split(None, 1)[0]
    if name in RESERVED_OPTIONS or (
        len(name) > 2 and name[:2] in RESERVED_OPTIONS and name[1] != "-"
    ):
        return FieldProblem("slurm_extra_options", ProblemCode.RESERVED_OPTION, name)
    return None


def slurm_problems(job: SlurmJob) -> list[FieldProblem]:
    problems: list[FieldProblem | None] = []
    if job.partition.strip() and not _PARTITIONS.match(job.partition.strip()):
        problems.append(FieldProblem("slurm_partition", ProblemCode.BAD_SLURM_NAME, job.partition))
    if not isinstance(job.gpus, int) or isinstance(job.gpus, bool) or not 0 <= job.gpus <= MAX_GPUS:
        problems.append(FieldProblem("slurm_gpus", ProblemCode.OUT_OF_RANGE, str(job.gpus)))
    if not isinstance(job.cpus, int) or isinstance(job.cpus, bool) or not 0 <= job.cpus <= MAX_CPUS:
        problems.append(FieldProblem("slurm_cpus", ProblemCode.OUT_OF_RANGE, str(job.cpus)))
    if job.memory.strip() and not _MEMORY.match(job.memory.strip()):
        problems.append(FieldProblem("slurm_memory", ProblemCode.BAD_MEMORY, job.memory))
    if job.time_limit.strip():
        try:
            time_limit_seconds(job.time_limit)
        except ValueError:
            problems.append(FieldProblem("slurm_time_limit", ProblemCode.BAD_TIME, job.time_limit))
    for key, value in (("slurm_account", job.account), ("slurm_qos", job.qos)):
        if value.strip() and not _NAME.match(value.strip()):
            problems.append(FieldProblem(key, ProblemCode.BAD_SLURM_NAME, value))
    problems += [_option_problem(line) for line in job.extra_options]
    return [p for p in problems if p is not None]


def slurm_to_dict(job: SlurmJob) -> dict[str, Any]:
    return {
        "partition": job.partition,
        "gpus": job.gpus,
        "cpus": job.cpus,
        "memory": job.memory,
        "time_limit": job.time_limit,
        "account": job.account,
        "qos": job.qos,
        "extra_options": list(job.extra_options),
    }


def slurm_from_dict(data: Mapping[str, Any]) -> SlurmJob:
    """Raises ValueError naming the bad field."""
    values: dict[str, Any] = {}
    for key, kind in (("partition", str), ("memory", str), ("time_limit", str),
                      ("account", str), ("qos", str), ("gpus", int), ("cpus", int)):  # fmt: skip
        if key in data:
            value = data[key]
            if isinstance(value, bool) or not isinstance(value, kind):
                raise ValueError(f"field 'slurm.{key}' must be {kind.__name__}")
            values[key] = value
    options = data.get("extra_options", [])
    if not isinstance(options, list) or not all(isinstance(o, str) for o in options):
        raise ValueError("field 'slurm.extra_options' must be a list of strings")
    unknown = set(data) - {*values, "extra_options"}
    if unknown:
        raise ValueError(f"unknown field 'slurm.{sorted(unknown)[0]}'")
    return SlurmJob(**values, extra_options=tuple(options))

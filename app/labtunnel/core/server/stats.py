"""The server at a glance: GPUs, CPU load and memory, gathered in one remote command.

GPUs come from ``nvidia-smi`` in its documented scripting forms: ``--query-gpu`` (one CSV
row per GPU), ``-L`` (UUIDs, and the MIG devices a GPU is split into) and
``--query-compute-apps`` (the processes using a GPU: how busy it is, and what each of the
user's kernels holds).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from enum import Enum

from labtunnel.core.errors import RemoteCommandFailed
from labtunnel.core.ssh.remote import RemoteRunner, Section, run_script, sections, tail

GPU_QUERY = "index,name,utilization.gpu,memory.used,memory.total"
GPU_APPS_QUERY = "gpu_uuid,pid,used_memory"

#: nvidia-smi's part of the stats script (also run before Jupyter starts, to pick GPUs).
#: nvidia-smi can hang for a long time when the driver is wedged: bound it on the
#: server so the rest of the numbers still arrive; after a failure, ask nothing more.
NVIDIA_SMI_SCRIPT = f"""\
if command -v nvidia-smi >/dev/null 2>&1; then
  lt_smi() {{
    if command -v timeout >/dev/null 2>&1; then timeout 8 nvidia-smi "$@"; else nvidia-smi "$@"; fi
  }}
  echo "${{lt_m}}GPU"
  lt_smi --query-gpu={GPU_QUERY} --format=csv,noheader,nounits 2>&1
  lt_smi_exit=$?
  echo "${{lt_m}}GPU-EXIT $lt_smi_exit"
  if [ "$lt_smi_exit" = 0 ]; then
    echo "${{lt_m}}GPU-LIST"
    lt_smi -L 2>&1
    echo "${{lt_m}}GPU-LIST-EXIT $?"
    echo "${{lt_m}}GPU-APPS"
    lt_smi --query-compute-apps={GPU_APPS_QUERY} --format=csv,noheader,nounits 2>&1
    echo "${{lt_m}}GPU-APPS-EXIT $?"
  fi
else
  echo "${{lt_m}}GPU-ABSENT"
fi
"""

STATS_SCRIPT = f"""\
echo "${{lt_m}}HOST"
hostname 2>/dev/null || uname -n
echo "${{lt_m}}NPROC"
nproc 2>/dev/null || getconf _NPROCESSORS_ONLN 2>/dev/null
echo "${{lt_m}}LOADAVG"
cat /proc/loadavg 2>/dev/null
echo "${{lt_m}}MEMINFO"
grep -E '^(MemTotal|MemFree|MemAvailable|Buffers|Cached):' /proc/meminfo 2>/dev/null
{NVIDIA_SMI_SCRIPT}echo "${{lt_m}}END"
"""


@dataclass(frozen=True)
class MigDevice:
    """A slice of a GPU in MIG mode (``nvidia-smi -L``); CUDA sees it by ``uuid``."""

    index: int
    profile: str  # e.g. "1g.5gb"
    #: "MIG-<uuid>" (R470 and later) or "MIG-GPU-<gpu uuid>/<gi>/<ci>" (R450, R460)
    uuid: str


@dataclass(frozen=True)
class GpuStat:
    index: int
    name: str
    #: None when the driver reports "[N/A]" / "[Not Supported]"
    utilization_pct: int | None
    memory_used_mib: int | None
    memory_total_mib: int | None
    uuid: str = ""
    #: the GPU's MIG devices, when it is split (then CUDA cannot use the GPU as a whole)
    mig_devices: tuple[MigDevice, ...] = ()


@dataclass(frozen=True)
class GpuProcess:
    """A process using a GPU (``--query-compute-apps``), of any user: how busy a GPU is,
    and what the user's own kernels hold. Never shown unless it is the user's."""

    pid: int
    gpu_uuid: str
    #: None when the driver does not say (MIG mode for non-root users, Windows WDDM)
    used_mib: int | None


class GpuStatus(str, Enum):
    """Whether nvidia-smi could be read."""

    OK = "ok"
    ABSENT = "absent"  # no nvidia-smi on the server
    ERROR = "error"  # nvidia-smi failed (the reading's ``error`` says how)


@dataclass(frozen=True)
class GpuReading:
    """What nvidia-smi said (:data:`NVIDIA_SMI_SCRIPT`)."""

    gpus: tuple[GpuStat, ...] = ()
    status: GpuStatus = GpuStatus.ABSENT
    error: str = ""
    processes: tuple[GpuProcess, ...] = ()

    def processes_on(self, gpu: GpuStat) -> tuple[GpuProcess, ...]:
        return tuple(p for p in self.processes if gpu.uuid and p.gpu_uuid == gpu.uuid)


@dataclass(frozen=True)
class ServerStats:
    gpus: tuple[GpuStat, ...]
    load_1: float | None
    load_5: float | None
    load_15: float | None
    cpu_count: int | None
    mem_total_mib: int | None
    mem_available_mib: int | None
    hostname: str
    gpu_status: GpuStatus = GpuStatus.ABSENT
    gpu_error: str = ""
    gpu_processes: tuple[GpuProcess, ...] = ()

    @property
    def gpu_reading(self) -> GpuReading:
        return GpuReading(self.gpus, self.gpu_status, self.gpu_error, self.gpu_processes)


def gather_server_stats(runner: RemoteRunner, timeout: float = 15.0) -> ServerStats:
    """One remote command; raises RemoteCommandTimeout, SessionLost, RemoteCommandFailed."""
    result = run_script(runner, STATS_SCRIPT, timeout=timeout, label="server stats")
    parts = {s.name for s in result.sections()}
    if "END" not in parts:
        raise RemoteCommandFailed("server stats", result.exit_status, tail(result.stderr, 5))
    return parse_server_stats(result.stdout, result.marker)


def parse_server_stats(stdout: str, marker: str) -> ServerStats:
    """Parse :data:`STATS_SCRIPT`'s output (markers: ``marker``). Missing or odd parts
    become None."""
    found: dict[str, Section] = {}
    for section in sections(stdout, marker):
        found.setdefault(section.name, section)

    hostname = ""
    if "HOST" in found and found["HOST"].lines:
        hostname = found["HOST"].lines[0].strip()

    cpu_count = None
    if "NPROC" in found and found["NPROC"].lines:
        cpu_count = _int(found["NPROC"].lines[0])

    loads: list[float | None] = [None, None, None]
    if "LOADAVG" in found and found["LOADAVG"].lines:
        fields = found["LOADAVG"].lines[0].split()
        for i in range(min(3, len(fields))):
            loads[i] = _float(fields[i])

    total, available = _meminfo(found["MEMINFO"].lines if "MEMINFO" in found else ())

    gpu = parse_gpu_sections(found)

    return ServerStats(
        gpus=gpu.gpus,
        load_1=loads[0],
        load_5=loads[1],
        load_15=loads[2],
        cpu_count=cpu_count,
        mem_total_mib=total,
        mem_available_mib=available,
        hostname=hostname,
        gpu_status=gpu.status,
        gpu_error=gpu.error,
        gpu_processes=gpu.processes,
    )


def parse_gpu_sections(found: Mapping[str, Section]) -> GpuReading:
    """:data:`NVIDIA_SMI_SCRIPT`'s sections (first of each name). The listing and the
    processes are extras: when they fail, the GPUs stay."""
    if "GPU" not in found:
        return GpuReading()
    exit_text = found["GPU-EXIT"].arg.strip() if "GPU-EXIT" in found else ""
    gpus, bad_lines = parse_nvidia_smi(found["GPU"].text)
    if exit_text != "0" or bad_lines:
        error = tail("\n".join(bad_lines) or f"nvidia-smi exited {exit_text}", 3)
        return GpuReading(gpus, GpuStatus.ERROR, error)
    if _ok(found, "GPU-LIST"):
        listed = parse_gpu_list(found["GPU-LIST"].text)
        gpus = tuple(
            replace(g, uuid=listed[g.index][0], mig_devices=listed[g.index][1])
            if g.index in listed
            else g
            for g in gpus
        )
    processes = parse_compute_apps(found["GPU-APPS"].text) if _ok(found, "GPU-APPS") else ()
    return GpuReading(gpus, GpuStatus.OK, "", processes)


def _ok(found: Mapping[str, Section], name: str) -> bool:
    status = found.get(f"{name}-EXIT")
    return name in found and status is not None and status.arg.strip() == "0"


_LIST_GPU = re.compile(r"^GPU (\d+): .*\(UUID: ([^)\s]+)\)\s*$")
_LIST_MIG = re.compile(r"^\s+MIG (\S+)\s+Device\s+(\d+): \(UUID: ([^)\s]+)\)\s*$")


def parse_gpu_list(text: str) -> dict[int, tuple[str, tuple[MigDevice, ...]]]:
    """``nvidia-smi -L``: GPU index -> (UUID, its MIG devices)::

    GPU 0: NVIDIA A100-SXM4-40GB (UUID: GPU-5d5ba0d6-d33d-2b2c-524d-9e3d8d2b8a77)
      MIG 1g.5gb      Device  0: (UUID: MIG-c6d4f1ef-42e4-5de3-91c7-45d71c87eb3f)
    """
    listed: dict[int, tuple[str, list[MigDevice]]] = {}
    current: int | None = None
    for line in text.splitlines():
        gpu = _LIST_GPU.match(line)
        if gpu:
            current = int(gpu.group(1))
            listed[current] = (gpu.group(2), [])
            continue
        mig = _LIST_MIG.match(line)
        if mig and current is not None:
            listed[current][1].append(MigDevice(int(mig.group(2)), mig.group(1), mig.group(3)))
    return {index: (uuid, tuple(migs)) for index, (uuid, migs) in listed.items()}


def parse_compute_apps(text: str) -> tuple[GpuProcess, ...]:
    """``--query-compute-apps=gpu_uuid,pid,used_memory --format=csv,noheader,nounits``
    rows; no processes is no rows (some drivers print "No running processes found")."""
    processes: list[GpuProcess] = []
    for raw in text.splitlines():
        fields = [f.strip() for f in raw.split(",")]
        pid = _int(fields[1]) if len(fields) == 3 else None
        if pid is None or pid <= 0 or not fields[0]:
            continue
        processes.append(GpuProcess(pid, fields[0], _int(fields[2])))
    return tuple(processes)


def parse_nvidia_smi(text: str) -> tuple[tuple[GpuStat, ...], list[str]]:
    """Parse ``--format=csv,noheader,nounits`` lines; returns the GPUs and the lines
    that are not GPU rows (error messages from nvidia-smi)."""
    gpus: list[GpuStat] = []
    other: list[str] = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        fields = [f.strip() for f in line.split(",")]
        index = _int(fields[0]) if len(fields) >= 5 else None
        if index is None:
            other.append(line)
            continue
        gpus.append(
            GpuStat(
                index=index,
                # names are free text: everything between the index and the numbers
                name=", ".join(fields[1:-3]),
                utilization_pct=_int(fields[-3]),
                memory_used_mib=_int(fields[-2]),
                memory_total_mib=_int(fields[-1]),
            )
        )
    return tuple(gpus), other


def _meminfo(lines: tuple[str, ...] | list[str]) -> tuple[int | None, int | None]:
    kib: dict[str, int] = {}
    for line in lines:
        key, _, rest = line.partition(":")
        value = _int(rest.replace("kB", ""))
        if value is not None:
            kib[key.strip()] = value
    total = kib.get("MemTotal")
    available = kib.get("MemAvailable")
    if available is None and "MemFree" in kib:
        # kernels before 3.14 have no MemAvailable: free + page cache is the old estimate
        available = kib["MemFree"] + kib.get("Buffers", 0) + kib.get("Cached", 0)
    return (
        total // 1024 if total is not None else None,
        available // 1024 if available is not None else None,
    )


def _int(text: str) -> int | None:
    value = _float(text)
    return int(value) if value is not None else None


def _float(text: str) -> float | None:
    try:
        value = float(text.strip())
    except ValueError:
        return None
    return value if math.isfinite(value) else None

"""The server at a glance: GPUs, CPU load and memory, gathered in one remote command."""

from __future__ import annotations

import math
from dataclasses import dataclass

from labtunnel.core.errors import RemoteCommandFailed
from labtunnel.core.ssh.remote import RemoteRunner, Section, run_script, sections, tail

GPU_QUERY = "index,name,utilization.gpu,memory.used,memory.total"

# nvidia-smi can hang for a long time when the driver is wedged: bound it on the
# server so the rest of the numbers still arrive.
STATS_SCRIPT = f"""\
echo "@@LT:HOST"
hostname 2>/dev/null || uname -n
echo "@@LT:NPROC"
nproc 2>/dev/null || getconf _NPROCESSORS_ONLN 2>/dev/null
echo "@@LT:LOADAVG"
cat /proc/loadavg 2>/dev/null
echo "@@LT:MEMINFO"
grep -E '^(MemTotal|MemFree|MemAvailable|Buffers|Cached):' /proc/meminfo 2>/dev/null
if command -v nvidia-smi >/dev/null 2>&1; then
  echo "@@LT:GPU"
  set -- nvidia-smi --query-gpu={GPU_QUERY} --format=csv,noheader,nounits
  command -v timeout >/dev/null 2>&1 && set -- timeout 8 "$@"
  "$@" 2>&1
  echo "@@LT:GPU-EXIT $?"
else
  echo "@@LT:GPU-ABSENT"
fi
echo "@@LT:END"
"""


@dataclass(frozen=True)
class GpuStat:
    index: int
    name: str
    #: None when the driver reports "[N/A]" / "[Not Supported]"
    utilization_pct: int | None
    memory_used_mib: int | None
    memory_total_mib: int | None


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
    #: "ok", "absent" (no nvidia-smi) or "error" (nvidia-smi failed: see gpu_error)
    gpu_status: str = "absent"
    gpu_error: str = ""


def gather_server_stats(runner: RemoteRunner, timeout: float = 15.0) -> ServerStats:
    """One remote command; raises RemoteCommandTimeout, SessionLost, RemoteCommandFailed."""
    result = run_script(runner, STATS_SCRIPT, timeout=timeout, label="server stats")
    parts = {s.name for s in sections(result.stdout)}
    if "END" not in parts:
        raise RemoteCommandFailed("server stats", result.exit_status, tail(result.stderr, 5))
    return parse_server_stats(result.stdout)


def parse_server_stats(stdout: str) -> ServerStats:
    """Parse :data:`STATS_SCRIPT`'s output. Missing or odd parts become None."""
    found: dict[str, Section] = {}
    for section in sections(stdout):
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

    gpus: tuple[GpuStat, ...] = ()
    gpu_status, gpu_error = "absent", ""
    if "GPU" in found:
        exit_text = found["GPU-EXIT"].arg.strip() if "GPU-EXIT" in found else ""
        gpus, bad_lines = parse_nvidia_smi(found["GPU"].text)
        if exit_text == "0" and not bad_lines:
            gpu_status = "ok"
        else:
            gpu_status = "error"
            gpu_error = tail("\n".join(bad_lines) or f"nvidia-smi exited {exit_text}", 3)

    return ServerStats(
        gpus=gpus,
        load_1=loads[0],
        load_5=loads[1],
        load_15=loads[2],
        cpu_count=cpu_count,
        mem_total_mib=total,
        mem_available_mib=available,
        hostname=hostname,
        gpu_status=gpu_status,
        gpu_error=gpu_error,
    )


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

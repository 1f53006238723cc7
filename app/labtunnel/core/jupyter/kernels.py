"""The user's kernels on their Jupyter server, what GPU memory each holds, and shutting
the idle ones down.

Kernels come from Jupyter's REST API with the user's token (``api/kernels``,
``api/sessions`` for the notebook each belongs to), asked on the server by
``scripts/jupyter_api.py``, which also finds each kernel's processes among the user's own
processes (the kernel's command line names its connection file ``kernel-<id>.json``; its
children count too). The GPU memory of a kernel is what nvidia-smi's compute-apps rows
say for those process ids. Shutting down is Jupyter's own ``DELETE api/kernels/<id>``:
no signal is ever sent, and nothing but the user's own Jupyter is asked.
"""

from __future__ import annotations

import contextlib
import json
import re
import shlex
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from labtunnel.core.errors import RemoteCommandFailed
from labtunnel.core.jupyter.parsing import redact
from labtunnel.core.jupyter.scripts import script, source
from labtunnel.core.jupyter.server import JupyterServer
from labtunnel.core.server.stats import (
    NVIDIA_SMI_SCRIPT,
    STATS_SCRIPT,
    GpuReading,
    ServerStats,
    parse_gpu_sections,
    parse_server_stats,
)
from labtunnel.core.ssh.remote import RemoteRunner, ScriptResult, Section, run_script

_KERNEL_ID = re.compile(r"^[A-Za-z0-9-]{1,64}$")


@dataclass(frozen=True)
class Kernel:
    id: str
    #: the kernel spec's name ("python3")
    name: str
    #: the notebook's path (relative to Jupyter's root), "" for a kernel without one
    notebook: str
    #: "idle", "busy", "starting"...
    execution_state: str
    connections: int
    #: seconds since its last activity, by the server's clock (None: not said)
    idle_seconds: float | None
    #: the kernel's processes on the server (its own and their children)
    pids: tuple[int, ...] = ()

    def idle_over(self, minutes: float) -> bool:
        return (
            self.execution_state == "idle"
            and self.idle_seconds is not None
            and self.idle_seconds >= minutes * 60
        )


@dataclass(frozen=True)
class KernelGpuUse:
    """GPU memory of one kernel's processes, per nvidia-smi."""

    #: MiB in use; None when the driver does not report it (MIG, old GeForce)
    used_mib: int | None
    #: uuids of the GPUs its processes use
    gpu_uuids: tuple[str, ...]

    @property
    def uses_gpu(self) -> bool:
        return bool(self.gpu_uuids)


@dataclass(frozen=True)
class KernelReport:
    kernels: tuple[Kernel, ...] = ()
    #: "" when listed; else why not ("http 403", a Python error name, "no_python")
    error: str = ""
    #: CUDA_VISIBLE_DEVICES of the Jupyter server (None: not set there)
    server_cuda: str | None = None
    #: False when the server's environment could not be read
    server_cuda_known: bool = False
    gpu: GpuReading = field(default_factory=GpuReading)

    def use_of(self, kernel: Kernel) -> KernelGpuUse:
        return gpu_use(kernel, self.gpu)


def gpu_use(kernel: Kernel, reading: GpuReading) -> KernelGpuUse:
    rows = [p for p in reading.processes if p.pid in kernel.pids]
    uuids = tuple(dict.fromkeys(p.gpu_uuid for p in rows))
    if not rows:
        return KernelGpuUse(0, ())
    if any(p.used_mib is None for p in rows):
        return KernelGpuUse(None, uuids)
    return KernelGpuUse(sum(p.used_mib or 0 for p in rows), uuids)


def _api(server: JupyterServer, action: str, args: Sequence[str]) -> str:
    return script(
        "kernels",
        LT_TOKEN=shlex.quote(server.token),
        lt_api_snippet=shlex.quote(source("jupyter_api.py")),
        lt_api_action=action,
        lt_api_target=shlex.quote(server.endpoint),
        lt_api_base=shlex.quote(server.base_url),
        lt_api_scheme=server.scheme,
        lt_api_args=shlex.quote(" ".join(args)),
    )


def kernels_script(server: JupyterServer) -> str:
    """After functions.sh and a PY: the KERNELS section for ``server``."""
    return _api(server, "list", [str(server.pid or "")])


def parse_kernels(found: Mapping[str, Section], gpu: GpuReading | None = None) -> KernelReport:
    """KERNELS (or KERNELS-NOPY) and, when given, what nvidia-smi said."""
    reading = gpu or GpuReading()
    if "KERNELS-NOPY" in found:
        return KernelReport(error="no_python", gpu=reading)
    section = found.get("KERNELS")
    data: object = None
    if section is not None:
        with contextlib.suppress(ValueError):
            data = json.loads(section.arg)
    if not isinstance(data, dict):
        return KernelReport(error="no_answer", gpu=reading)
    kernels = tuple(k for k in map(_kernel, data.get("kernels") or []) if k is not None)
    cuda = data.get("server_cuda")
    return KernelReport(
        kernels=kernels,
        error=str(data.get("error") or ""),
        server_cuda=cuda if isinstance(cuda, str) else None,
        server_cuda_known=data.get("server_cuda_known") is True,
        gpu=reading,
    )


def _kernel(item: object) -> Kernel | None:
    if not isinstance(item, dict) or not isinstance(item.get("id"), str):
        return None
    idle = item.get("idle_seconds")
    connections = item.get("connections")
    pids = item.get("pids")
    return Kernel(
        id=item["id"],
        name=str(item.get("name") or ""),
        notebook=str(item.get("notebook") or ""),
        execution_state=str(item.get("execution_state") or ""),
        connections=connections if isinstance(connections, int) else 0,
        idle_seconds=float(idle) if isinstance(idle, (int, float)) else None,
        pids=tuple(p for p in pids if isinstance(p, int)) if isinstance(pids, list) else (),
    )


def list_kernels(
    runner: RemoteRunner, server: JupyterServer, timeout: float = 20.0
) -> KernelReport:
    """The user's kernels on ``server`` with their GPU memory, in one remote command."""
    text = script("functions", "any_python") + kernels_script(server) + NVIDIA_SMI_SCRIPT
    result = run_script(runner, text + 'echo "${lt_m}END"\n', timeout=timeout, label="kernels")
    found = _first_sections(result)
    if "END" not in found:
        raise RemoteCommandFailed("kernels", result.exit_status, redact(result.stderr[-300:]))
    return parse_kernels(found, parse_gpu_sections(found))


def gather_glance(
    runner: RemoteRunner, server: JupyterServer, timeout: float = 20.0
) -> tuple[ServerStats, KernelReport]:
    """The server at a glance and the user's kernels on ``server``, in one remote command
    (the tray's figures, refreshed while they are on screen)."""
    text = script("functions", "any_python") + kernels_script(server) + STATS_SCRIPT
    result = run_script(runner, text, timeout=timeout, label="server stats")
    found = _first_sections(result)
    if "END" not in found:
        raise RemoteCommandFailed("server stats", result.exit_status, redact(result.stderr[-300:]))
    stats = parse_server_stats(result.stdout, result.marker)
    return stats, parse_kernels(found, stats.gpu_reading)


def shutdown_kernels(
    runner: RemoteRunner, server: JupyterServer, kernel_ids: Iterable[str], timeout: float = 30.0
) -> dict[str, bool]:
    """Ask Jupyter to shut these kernels down; kernel id -> done."""
    ids = [k for k in dict.fromkeys(kernel_ids) if _KERNEL_ID.fullmatch(k)]
    if not ids:
        return {}
    text = script("functions", "any_python") + _api(server, "shutdown", ids)
    result = run_script(runner, text, timeout=timeout, label="kernel shutdown")
    done: dict[str, bool] = dict.fromkeys(ids, False)
    for section in result.sections():
        if section.name == "SHUTDOWN":
            fields = section.arg.split()
            if len(fields) == 2 and fields[0] in done:
                done[fields[0]] = fields[1] in ("204", "404")  # 404: it had already gone
        elif section.name == "KERNELS-NOPY":
            raise RemoteCommandFailed("kernel shutdown", 6, "no python on the server")
    return done


def _first_sections(result: ScriptResult) -> dict[str, Section]:
    found: dict[str, Section] = {}
    for section in result.sections():
        found.setdefault(section.name, section)
    return found

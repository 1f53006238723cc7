"""Before LabTunnel starts a Jupyter on the server: where it will listen (a private
socket, :mod:`.sockets`) and with which GPUs (:mod:`.gpus`), found out in one remote
command and one channel open."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, replace

from labtunnel.core.errors import RemoteCommandFailed, RemoteCommandTimeout
from labtunnel.core.jupyter.gpus import GpuAssignment, GpuNote, choose_gpus
from labtunnel.core.jupyter.parsing import redact
from labtunnel.core.jupyter.scripts import script
from labtunnel.core.jupyter.sockets import (
    ListenPlan,
    SocketFallback,
    UnixSocketOpener,
    check_socket_forwarding,
    client_can_forward_sockets,
    parse_prepare,
    prepare_script,
)
from labtunnel.core.profiles.model import GpuSetting
from labtunnel.core.server.stats import NVIDIA_SMI_SCRIPT, parse_gpu_sections
from labtunnel.core.ssh.remote import RemoteRunner, Section, run_script

log = logging.getLogger(__name__)

#: profiles whose "no nvidia-smi" was logged already: it is said once per run
_TOLD_NO_NVIDIA_SMI: set[str] = set()
_TOLD_LOCK = threading.Lock()


@dataclass(frozen=True)
class LaunchPlan:
    listen: ListenPlan
    gpu: GpuAssignment

    def on_tcp(self, fallback: SocketFallback) -> LaunchPlan:
        return replace(self, listen=ListenPlan(fallback=fallback))


def plan_launch(
    runner: RemoteRunner,
    sockets: UnixSocketOpener | None,
    gpu: GpuSetting,
    *,
    profile_id: str,
    timeout: float = 20.0,
) -> LaunchPlan:
    """The socket folder (with its probe listener) and nvidia-smi's figures in one script,
    then a channel to the probe: the plan for the Jupyter about to start."""
    want_socket = sockets is not None and client_can_forward_sockets()
    text = script("functions", "any_python")
    if want_socket:
        text += prepare_script()
    text += NVIDIA_SMI_SCRIPT + 'echo "${lt_m}END"\n'
    try:
        result = run_script(runner, text, timeout=timeout, label="jupyter start")
        found: dict[str, Section] = {}
        for section in result.sections():
            found.setdefault(section.name, section)
        if "END" not in found:
            stderr = redact(result.stderr[-300:])
            raise RemoteCommandFailed("jupyter start", result.exit_status, stderr)
    except (RemoteCommandFailed, RemoteCommandTimeout) as exc:
        # Jupyter can start all the same: on TCP, with the GPUs the login shell gives
        log.warning("could not prepare the socket folder or read the GPUs: %s", exc)
        fallback = SocketFallback.NO_PRIVATE_FOLDER if want_socket else None
        return LaunchPlan(
            ListenPlan(fallback=fallback or SocketFallback.CLIENT_UNSUPPORTED),
            GpuAssignment(gpu, None, note=GpuNote.NVIDIA_SMI_FAILED),
        )
    if not want_socket:
        listen = ListenPlan(fallback=SocketFallback.CLIENT_UNSUPPORTED)
    else:
        assert sockets is not None
        prepared = parse_prepare(found)
        listen = (
            check_socket_forwarding(sockets, prepared) if isinstance(prepared, str) else prepared
        )
    assignment = choose_gpus(gpu, parse_gpu_sections(found))
    _log_plan(listen, assignment, profile_id)
    return LaunchPlan(listen, assignment)


def _log_plan(listen: ListenPlan, gpu: GpuAssignment, profile_id: str) -> None:
    if listen.socket_path:
        log.info("Jupyter will listen on a private Unix socket")
    else:
        log.warning(
            "Jupyter will listen on the server's 127.0.0.1, not on a private socket: %s",
            listen.fallback.value if listen.fallback else "-",
        )
    if gpu.note is GpuNote.NO_NVIDIA_SMI:
        with _TOLD_LOCK:
            first = profile_id not in _TOLD_NO_NVIDIA_SMI
            _TOLD_NO_NVIDIA_SMI.add(profile_id)
        if first:
            log.info("no nvidia-smi on the server: GPU setting %s not applied", gpu.setting)
        return
    log.info(
        "GPU setting %s: CUDA_VISIBLE_DEVICES=%s%s",
        gpu.setting,
        "(not set)" if gpu.visible_devices is None else repr(gpu.visible_devices),
        f" ({gpu.note.value})" if gpu.note else "",
    )

"""Sentences about how the user's Jupyter runs on the server: where it listens (a private
socket, or a port and why), its GPUs, and its kernels. Shared by the tray's details and
the command line."""

from __future__ import annotations

from typing import TYPE_CHECKING

from labtunnel.core.jupyter.gpus import GpuAssignment, GpuNote, visible_gpus
from labtunnel.core.jupyter.server import JupyterDetails
from labtunnel.core.jupyter.sockets import SocketFallback
from labtunnel.core.profiles.model import GpuMode
from labtunnel.core.server.stats import GpuReading, GpuStat
from labtunnel.messages.base import QT_TRANSLATE_NOOP, Message, msg

if TYPE_CHECKING:
    from labtunnel.core.jupyter.kernels import Kernel, KernelGpuUse, KernelReport

FALLBACK_REASONS = {
    SocketFallback.SSHD_REFUSES: QT_TRANSLATE_NOOP(
        "messages",
        "the SSH server does not forward to Unix sockets (AllowStreamLocalForwarding or "
        "DisableForwarding in its sshd_config)",
    ),
    SocketFallback.SSH_SERVER_UNSUPPORTED: QT_TRANSLATE_NOOP(
        "messages", "this SSH server (Dropbear, for one) cannot forward to Unix sockets"
    ),
    SocketFallback.CLIENT_UNSUPPORTED: QT_TRANSLATE_NOOP(
        "messages", "this LabTunnel's SSH library cannot open channels to Unix sockets"
    ),
    SocketFallback.NO_PRIVATE_FOLDER: QT_TRANSLATE_NOOP(
        "messages", "LabTunnel could not make a private folder for the socket on the server"
    ),
    SocketFallback.PATH_TOO_LONG: QT_TRANSLATE_NOOP(
        "messages", "the path of your home folder is too long for a socket address"
    ),
    SocketFallback.NO_SOCKETS_THERE: QT_TRANSLATE_NOOP(
        "messages", "the file system of your home folder does not allow sockets"
    ),
    SocketFallback.NO_PYTHON: QT_TRANSLATE_NOOP(
        "messages", "no Python was found on the server to prepare the socket with"
    ),
    SocketFallback.JUPYTER_TOO_OLD: QT_TRANSLATE_NOOP(
        "messages",
        "this Jupyter is too old to listen on a socket (update jupyter_server or notebook "
        "to have that)",
    ),
}


def fallback_reason(fallback: SocketFallback) -> Message:
    return msg(FALLBACK_REASONS[fallback])


def describe_listen(details: JupyterDetails) -> Message:
    """Where Jupyter listens, and why when it is not a private socket."""
    if details.sock:
        return msg(
            QT_TRANSLATE_NOOP(
                "messages",
                "Jupyter listens on a private socket: nobody else on the server can reach it.",
            )
        )
    fallback = details.launch.socket_fallback if details.launch is not None else None
    if fallback is not None:
        return msg(
            QT_TRANSLATE_NOOP(
                "messages",
                "Jupyter listens on port {port} of the server's 127.0.0.1, where other users "
                "of the server can connect (its token keeps them out): {reason}.",
            ),
            {"reason": (fallback_reason(fallback),)},
            port=details.port,
        )
    if details.skipped_socket is not None:
        return msg(
            QT_TRANSLATE_NOOP(
                "messages",
                "Jupyter listens on port {port} of the server's 127.0.0.1. Your Jupyter on a "
                "private socket was left running, unused: {reason}.",
            ),
            {"reason": (fallback_reason(details.skipped_socket),)},
            port=details.port,
        )
    return msg(
        QT_TRANSLATE_NOOP(
            "messages",
            "Jupyter listens on port {port} of the server's 127.0.0.1 (it was already "
            "running that way).",
        ),
        port=details.port,
    )


def _gb(mib: int) -> str:
    return f"{mib / 1024:.1f}"


def _numbers(indices: tuple[int, ...]) -> str:
    return ", ".join(str(i) for i in indices)


def _memory(indices: tuple[int, ...], reading: GpuReading) -> Message | None:
    gpus: list[GpuStat] = [g for g in reading.gpus if g.index in indices]
    if not gpus or any(g.memory_used_mib is None or not g.memory_total_mib for g in gpus):
        return None
    used = sum(g.memory_used_mib or 0 for g in gpus)
    total = sum(g.memory_total_mib or 0 for g in gpus)
    return msg(
        QT_TRANSLATE_NOOP("messages", "{used} of {total} GB used"),
        used=_gb(used),
        total=_gb(total),
    )


_NOT_APPLIED = {
    GpuNote.NO_NVIDIA_SMI: QT_TRANSLATE_NOOP(
        "messages",
        "There is no nvidia-smi on the server, so the GPU setting was not applied.",
    ),
    GpuNote.NVIDIA_SMI_FAILED: QT_TRANSLATE_NOOP(
        "messages",
        "nvidia-smi failed when Jupyter started, so no GPU was picked: Jupyter sees what "
        "your login shell sets.",
    ),
}


def describe_gpus(details: JupyterDetails, report: KernelReport | None) -> Message | None:
    """Which GPUs Jupyter runs with ("Jupyter on GPU 1 — 3.0 of 24.0 GB used"), or None
    when there is nothing to say (no GPUs, nothing known)."""
    reading = report.gpu if report is not None else GpuReading()
    assignment = details.launch.gpu if details.launch is not None else None
    if assignment is not None:
        return _describe_assignment(assignment, reading)
    if report is None or not report.server_cuda_known or not reading.gpus:
        return None
    seen = visible_gpus(report.server_cuda, reading)
    if seen is None:
        return msg(
            QT_TRANSLATE_NOOP(
                "messages",
                "Jupyter sees every GPU (it was already running; stop it to apply the GPU "
                "setting).",
            )
        )
    if not seen:
        return msg(QT_TRANSLATE_NOOP("messages", "Jupyter has no GPU (it was already running)."))
    memory = _memory(seen, reading)
    template = (
        QT_TRANSLATE_NOOP(
            "messages", "Jupyter on GPU {gpus} — {memory} (kept from when it started)"
        )
        if memory is not None
        else QT_TRANSLATE_NOOP("messages", "Jupyter on GPU {gpus} (kept from when it started)")
    )
    return msg(template, {"memory": (memory,)} if memory else None, gpus=_numbers(seen))


def _describe_assignment(assignment: GpuAssignment, reading: GpuReading) -> Message | None:
    note = assignment.note
    if not assignment.applied:
        if note is GpuNote.NO_NVIDIA_SMI and assignment.setting.mode is GpuMode.ANY:
            return None  # a server without GPUs, and nothing asked for
        return msg(
            _NOT_APPLIED.get(
                note or GpuNote.NVIDIA_SMI_FAILED, _NOT_APPLIED[GpuNote.NVIDIA_SMI_FAILED]
            )
        )
    if assignment.visible_devices == "":
        return msg(QT_TRANSLATE_NOOP("messages", "Jupyter has no GPU, as set for this server."))
    gpus = _numbers(assignment.gpus)
    memory = _memory(assignment.gpus, reading)
    if assignment.mig_devices:
        main = msg(
            QT_TRANSLATE_NOOP("messages", "Jupyter on a MIG slice of GPU {gpus} ({devices})"),
            gpus=gpus,
            devices=", ".join(assignment.mig_devices),
        )
    elif memory is not None:
        main = msg(
            QT_TRANSLATE_NOOP("messages", "Jupyter on GPU {gpus} — {memory}"),
            {"memory": (memory,)},
            gpus=gpus,
        )
    else:
        main = msg(QT_TRANSLATE_NOOP("messages", "Jupyter on GPU {gpus}"), gpus=gpus)
    extra: Message | None = None
    if note is GpuNote.NONE_FREE:
        extra = msg(QT_TRANSLATE_NOOP("messages", "no GPU was free: this one was the least busy"))
    elif note is GpuNote.MISSING:
        extra = msg(
            QT_TRANSLATE_NOOP("messages", "GPU {missing} is not on this server"),
            missing=_numbers(assignment.missing),
        )
    elif note is GpuNote.NVIDIA_SMI_FAILED:
        extra = msg(QT_TRANSLATE_NOOP("messages", "set as asked: nvidia-smi failed"))
    if extra is None:
        return main
    return msg(
        QT_TRANSLATE_NOOP("messages", "{main} ({extra})"), {"main": (main,), "extra": (extra,)}
    )


def describe_duration(seconds: float) -> Message:
    minutes = int(seconds // 60)
    if minutes < 1:
        return msg(QT_TRANSLATE_NOOP("messages", "under a minute"))
    if minutes < 60:
        return msg(QT_TRANSLATE_NOOP("messages", "{minutes} min"), minutes=minutes)
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return msg(
            QT_TRANSLATE_NOOP("messages", "{hours} h {minutes} min"), hours=hours, minutes=minutes
        )
    return msg(QT_TRANSLATE_NOOP("messages", "{days} days"), days=hours // 24)


def describe_kernel_gpu(use: KernelGpuUse) -> Message | None:
    if not use.uses_gpu:
        return None
    if use.used_mib is None:
        return msg(QT_TRANSLATE_NOOP("messages", "on a GPU, memory not reported"))
    return msg(QT_TRANSLATE_NOOP("messages", "{gb} GB of GPU memory"), gb=_gb(use.used_mib))


def describe_kernel(kernel: Kernel, use: KernelGpuUse) -> Message:
    """One kernel: "analysis.ipynb (python3): idle for 2 h 5 min, 2.4 GB of GPU memory"."""
    what = kernel.notebook or kernel.id[:8]
    if kernel.execution_state == "idle" and kernel.idle_seconds is not None:
        state = msg(
            QT_TRANSLATE_NOOP("messages", "idle for {duration}"),
            {"duration": (describe_duration(kernel.idle_seconds),)},
        )
    elif kernel.execution_state == "busy":
        state = msg(QT_TRANSLATE_NOOP("messages", "busy"))
    elif kernel.execution_state == "idle":
        state = msg(QT_TRANSLATE_NOOP("messages", "idle"))
    else:
        state = msg(QT_TRANSLATE_NOOP("messages", "{state}"), state=kernel.execution_state or "?")
    gpu = describe_kernel_gpu(use)
    if gpu is None:
        return msg(
            QT_TRANSLATE_NOOP("messages", "{what} ({name}): {state}"),
            {"state": (state,)},
            what=what,
            name=kernel.name,
        )
    return msg(
        QT_TRANSLATE_NOOP("messages", "{what} ({name}): {state}, {gpu}"),
        {"state": (state,), "gpu": (gpu,)},
        what=what,
        name=kernel.name,
    )


KERNEL_NOTES = {
    "none_running": QT_TRANSLATE_NOOP("messages", "No kernel of yours is running on {host}."),
    "not_listed": QT_TRANSLATE_NOOP(
        "messages", "Your kernels could not be listed ({detail}). See the log for details."
    ),
    "shut_down": QT_TRANSLATE_NOOP("messages", "Shut down kernel {kernel} ({what})."),
    "not_shut_down": QT_TRANSLATE_NOOP(
        "messages", "Jupyter did not shut down kernel {kernel} ({what}). Try again."
    ),
    "no_such_kernel": QT_TRANSLATE_NOOP(
        "messages",
        "There is no kernel {kernel} in your Jupyter on {host}. See: labtunnel jupyter "
        "kernels NAME",
    ),
    "none_idle": QT_TRANSLATE_NOOP(
        "messages", "No kernel of yours has been idle for {minutes} minutes or more."
    ),
    "no_jupyter": QT_TRANSLATE_NOOP("messages", "No Jupyter of yours is running on {host}."),
}


def describe_kernel_note(code: str, **params: object) -> Message:
    return msg(KERNEL_NOTES[code], None, **params)

"""The server-at-a-glance lines of the menu, from the last StatsEvent."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from labtunnel.core.events import StatsEvent
from labtunnel.core.server.stats import GpuStat, GpuStatus, ServerStats

translate = QCoreApplication.translate

MAX_GPU_LINES = 4


def _gb(mib: int) -> str:
    return f"{mib / 1024:.1f}"


def gpu_line(gpu: GpuStat) -> str:
    parts: list[str] = []
    if gpu.utilization_pct is not None:
        parts.append(translate("Stats", "{pct} % busy").format(pct=gpu.utilization_pct))
    if gpu.memory_used_mib is not None and gpu.memory_total_mib:
        parts.append(
            translate("Stats", "{used} of {total} GB used").format(
                used=_gb(gpu.memory_used_mib), total=_gb(gpu.memory_total_mib)
            )
        )
    # the list separator differs between languages (Chinese uses a full-width comma)
    details = translate("Stats", ", ").join(parts) or translate("Stats", "no figures")
    return translate("Stats", "GPU {index} {name}: {details}").format(
        index=gpu.index, name=gpu.name, details=details
    )


def _gpu_summary(gpus: tuple[GpuStat, ...]) -> str:
    busy = [g.utilization_pct for g in gpus if g.utilization_pct is not None]
    idle = sum(1 for pct in busy if pct < 5)
    average = round(sum(busy) / len(busy)) if busy else 0
    return translate("Stats", "{count} GPUs: {idle} idle, {average} % busy on average").format(
        count=len(gpus), idle=idle, average=average
    )


def server_lines(stats: ServerStats) -> list[str]:
    lines: list[str] = []
    if stats.gpu_status is GpuStatus.ERROR:
        lines.append(translate("Stats", "GPUs: nvidia-smi did not answer"))
    elif len(stats.gpus) > MAX_GPU_LINES:
        lines.append(_gpu_summary(stats.gpus))
    else:
        lines.extend(gpu_line(gpu) for gpu in stats.gpus)
    if stats.load_1 is not None:
        if stats.cpu_count:
            lines.append(
                translate("Stats", "CPU load {load:.1f} on {cpus} cores").format(
                    load=stats.load_1, cpus=stats.cpu_count
                )
            )
        else:
            lines.append(translate("Stats", "CPU load {load:.1f}").format(load=stats.load_1))
    if stats.mem_available_mib is not None and stats.mem_total_mib:
        lines.append(
            translate("Stats", "Free memory {free} of {total} GB").format(
                free=_gb(stats.mem_available_mib), total=_gb(stats.mem_total_mib)
            )
        )
    return lines


def stats_lines(event: StatsEvent | None) -> list[str]:
    if event is None:
        return []
    if isinstance(event.stats, ServerStats):
        return server_lines(event.stats)
    if event.error is not None:
        return [translate("Stats", "Server figures are not available right now")]
    return []

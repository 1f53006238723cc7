"""The menu's lines about the user's Jupyter: where it listens, its GPUs, its kernels."""

from __future__ import annotations

from dataclasses import dataclass, replace

from PySide6.QtCore import QCoreApplication

from labtunnel.core.events import StatsEvent, TunnelStatus
from labtunnel.core.jupyter.kernels import Kernel, KernelReport
from labtunnel.messages.glance import describe_gpus, describe_kernel, describe_listen
from labtunnel.ui.texts import message_text

translate = QCoreApplication.translate

MAX_KERNEL_LINES = 6
#: kernels idle at least this long are ticked in "Shut down idle kernels…"
IDLE_MINUTES = 30


@dataclass(frozen=True)
class Line:
    text: str
    #: the whole sentence, where the line is a short form of it
    tooltip: str = ""


def kernel_report(event: StatsEvent | None) -> KernelReport | None:
    return event.kernels if event is not None else None


def jupyter_lines(status: TunnelStatus, event: StatsEvent | None, *, short: bool) -> list[Line]:
    """Where Jupyter listens and its GPUs; ``short`` for a menu (the sentence becomes the
    tooltip), else whole sentences (the fallback window)."""
    details = status.jupyter
    if details is None:
        return []
    lines: list[Line] = []
    gpus = describe_gpus(details, kernel_report(event))
    if gpus is not None:
        lines.append(Line(message_text(gpus)))
    listen = message_text(describe_listen(details))
    if not short:
        lines.append(Line(listen))
    elif details.sock:
        lines.append(Line(translate("Jupyter", "Jupyter on a private socket"), listen))
    else:
        text = translate("Jupyter", "Jupyter on port {port} of the server (not private)")
        lines.append(Line(text.format(port=details.port), listen))
    return lines


def kernel_text(kernel: Kernel, report: KernelReport, limit: int = 70) -> str:
    shown = replace(kernel, notebook=kernel.notebook.rsplit("/", 1)[-1])
    text = message_text(describe_kernel(shown, report.use_of(kernel)))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def kernel_lines(event: StatsEvent | None) -> list[Line]:
    report = kernel_report(event)
    if report is None:
        return []
    if report.error:
        return [Line(translate("Jupyter", "Kernels: not available right now"), report.error)]
    if not report.kernels:
        return [Line(translate("Jupyter", "No kernels running"))]
    lines = [Line(translate("Jupyter", "Your kernels:"))]
    for kernel in report.kernels[:MAX_KERNEL_LINES]:
        lines.append(Line("    " + kernel_text(kernel, report), kernel.notebook))
    more = len(report.kernels) - MAX_KERNEL_LINES
    if more > 0:
        lines.append(Line("    " + translate("Jupyter", "and {count} more").format(count=more)))
    return lines

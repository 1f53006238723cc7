"""The tray's Jupyter details: where it listens (and why not privately), its GPU, the
user's kernels with their GPU memory, and "Shut down idle kernels…"."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from tests.gui.helpers import action, fake, make_profile, open_menu, set_state, texts
from tests.harness.nvidia_smi import A6000

from labtunnel.core.events import KernelsShutDown, StatsEvent, TunnelState
from labtunnel.core.jupyter.gpus import GpuAssignment
from labtunnel.core.jupyter.kernels import Kernel, KernelReport
from labtunnel.core.jupyter.server import JupyterDetails, LaunchInfo
from labtunnel.core.jupyter.sockets import SocketFallback
from labtunnel.core.profiles.model import GpuSetting
from labtunnel.core.profiles.store import ProfileStore
from labtunnel.core.server.stats import GpuProcess, GpuReading, GpuStat, GpuStatus, ServerStats
from labtunnel.ui.app import LabTunnelApp
from labtunnel.ui.notices import NoticeKind

pytestmark = pytest.mark.gui

AppFactory = Callable[..., LabTunnelApp]

GPUS = (
    GpuStat(0, "NVIDIA RTX A6000", 97, 40312, 49140, A6000[0]),
    GpuStat(1, "NVIDIA RTX A6000", 4, 3072, 49140, A6000[1]),
)
READING = GpuReading(GPUS, GpuStatus.OK, processes=(GpuProcess(900, A6000[1], 2458),))
STATS = ServerStats(
    GPUS, 1.0, 1.0, 1.0, 16, 65536, 30000, "gpu1", GpuStatus.OK, "", READING.processes
)
KERNELS = KernelReport(
    kernels=(
        Kernel("aaaa-1", "python3", "thesis/train.ipynb", "idle", 1, 7300.0, (900,)),
        Kernel("bbbb-2", "python3", "scratch.ipynb", "busy", 1, 0.0, (901,)),
        Kernel("cccc-3", "ir", "", "idle", 0, 120.0, ()),
    ),
    server_cuda="1",
    server_cuda_known=True,
    gpu=READING,
)


def connect(qtbot: QtBot, app: LabTunnelApp, store: ProfileStore, details: JupyterDetails):  # type: ignore[no-untyped-def]
    profile = store.add(make_profile())
    app.start()
    set_state(qtbot, app, profile, TunnelState.CONNECTED, jupyter=details)
    with qtbot.waitSignal(app.controller.changed):
        fake(app).deliver(StatsEvent(profile.id, STATS, kernels=KERNELS))
    return profile


def test_private_socket_gpu_and_kernels_in_the_menu(
    qtbot: QtBot, make_app: AppFactory, store: ProfileStore
) -> None:
    gpu = GpuAssignment(GpuSetting(), "1", (1,))
    details = JupyterDetails(
        "/home/ada/.local/share/labtunnel/run/jupyter-1.sock", 0, 77, LaunchInfo(None, gpu)
    )
    app = make_app()
    connect(qtbot, app, store, details)
    menu = open_menu(app)
    shown = texts(menu)
    start = shown.index("[Jupyter on GPU 1 — 3.0 of 48.0 GB used]")
    assert shown[start : start + 7] == [
        "[Jupyter on GPU 1 — 3.0 of 48.0 GB used]",
        "[Jupyter on a private socket]",
        "[Your kernels:]",
        "[    train.ipynb (python3): idle for 2 h 1 min, 2.4 GB of GPU memory]",
        "[    scratch.ipynb (python3): busy]",
        "[    cccc-3 (ir): idle for 2 min]",
        "Shut down idle kernels…",
    ]
    assert (
        "nobody else on the server can reach it"
        in action(menu, "Jupyter on a private socket").toolTip()
    )


def test_fallback_to_tcp_says_why(qtbot: QtBot, make_app: AppFactory, store: ProfileStore) -> None:
    details = JupyterDetails("", 8123, 77, LaunchInfo(SocketFallback.SSH_SERVER_UNSUPPORTED))
    app = make_app()
    connect(qtbot, app, store, details)
    menu = open_menu(app)
    line = action(menu, "Jupyter on port 8123 of the server (not private)")
    assert "Dropbear" in line.toolTip() and "port 8123" in line.toolTip()
    # a server found running keeps its GPUs, and the tray says so
    assert "[Jupyter on GPU 1 — 3.0 of 48.0 GB used (kept from when it started)]" in texts(menu)


def test_shut_down_idle_kernels_ticks_the_idle_ones(
    qtbot: QtBot, make_app: AppFactory, store: ProfileStore
) -> None:
    app = make_app()
    profile = connect(qtbot, app, store, JupyterDetails("/s.sock", 0, 1, None))
    dialog = app.windows.shutdown_kernels(profile.id)
    assert dialog is not None
    assert dialog.chosen() == ["aaaa-1"]  # idle for 2 h; the busy one and the 2-minute one not
    assert dialog.shutdown_button.text() == "Shut down 1"
    dialog.choices.item(2).setCheckState(Qt.CheckState.Checked)
    assert dialog.shutdown_button.text() == "Shut down 2"
    dialog.shutdown_button.click()
    assert fake(app).called("shutdown_kernels") == [(profile.id, ("aaaa-1", "cccc-3"))]
    with qtbot.waitSignal(app.controller.notice) as notice:
        fake(app).deliver(KernelsShutDown(profile.id, ("aaaa-1", "cccc-3")))
    assert notice.args[0].kind is NoticeKind.KERNELS_SHUT_DOWN
    assert notice.args[0].count == 2

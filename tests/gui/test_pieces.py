"""Small parts: notices, the stall meter, icons, and translatable strings."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from pytestqt.qtbot import QtBot

import labtunnel.ui
from labtunnel.core.errors import SessionLost
from labtunnel.core.events import TunnelState, TunnelStatus
from labtunnel.ui.icons import missing_icons, tray_icon
from labtunnel.ui.notices import NoticeKind, NoticeTracker
from labtunnel.ui.stall import StallMeter
from labtunnel.ui.state import TrayState, overall_state

pytestmark = pytest.mark.gui

UI = Path(labtunnel.ui.__file__).parent


def status(state: TunnelState, **changes: object) -> TunnelStatus:
    return TunnelStatus("p1", "lab", state, **changes)  # type: ignore[arg-type]


def kinds(tracker: NoticeTracker, *states: TunnelStatus) -> list[NoticeKind | None]:
    return [None if (n := tracker.update(s)) is None else n.kind for s in states]


def test_notices_stay_quiet_on_repeats() -> None:
    lost = SessionLost("h", 22)
    assert kinds(
        NoticeTracker(),
        status(TunnelState.CONNECTING),
        status(TunnelState.FAILED),
        status(TunnelState.FAILED),
        status(TunnelState.DISCONNECTED),
        status(TunnelState.CONNECTED),
        status(TunnelState.CONNECTED),
        status(TunnelState.RECONNECTING, error=lost),
        status(TunnelState.CONNECTING),
        status(TunnelState.RECONNECTING, error=lost),
        status(TunnelState.FAILED, error=lost),
        status(TunnelState.CONNECTED),
        status(TunnelState.JUPYTER_DOWN),
        status(TunnelState.JUPYTER_DOWN),
    ) == [
        None,
        NoticeKind.FAILED,
        None,
        None,
        NoticeKind.CONNECTED,
        None,
        NoticeKind.LOST,
        None,
        None,
        NoticeKind.FAILED,
        NoticeKind.CONNECTED,  # a fresh connect after giving up is not "re-established"
        NoticeKind.JUPYTER_DOWN,
        None,
    ]


def test_overall_state_ranks_trouble_first() -> None:
    assert overall_state([]) is TrayState.IDLE
    connected = status(TunnelState.CONNECTED)
    assert overall_state([connected]) is TrayState.CONNECTED
    assert overall_state([connected, status(TunnelState.RECONNECTING)]) is TrayState.CONNECTING
    assert overall_state([connected, status(TunnelState.JUPYTER_DOWN)]) is TrayState.ERROR


def test_stall_meter_sees_the_gui_thread_blocked(qtbot: QtBot) -> None:
    meter = StallMeter()
    meter.start()
    qtbot.wait(100)
    QTimer.singleShot(0, lambda: time.sleep(0.08))  # a badly behaved slot
    qtbot.wait(100)
    meter.stop()
    assert meter.ticks > 5
    assert 60 <= meter.longest_ms < 1000
    assert meter.longest_busy_ms < 40  # sleeping is not working
    meter.start()
    assert meter.longest_ms == 0.0


def test_stall_meter_counts_the_gui_threads_own_work(qtbot: QtBot) -> None:
    meter = StallMeter()
    meter.start()

    def spin() -> None:
        end = time.thread_time() + 0.06
        while time.thread_time() < end:
            pass

    QTimer.singleShot(10, spin)
    qtbot.wait(150)
    meter.stop()
    assert meter.longest_busy_ms >= 55
    assert meter.longest_ms >= 55


def test_every_icon_is_there_and_renders() -> None:
    assert missing_icons() == []
    for state in TrayState:
        for template in (False, True):
            icon = tray_icon(state, template)
            assert not icon.pixmap(22, 22).isNull()
            assert icon.isMask() is template


def _translate_calls(path: Path) -> list[ast.Call]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name | ast.Attribute)
        and (node.func.id if isinstance(node.func, ast.Name) else node.func.attr) == "translate"
    ]


def test_ui_strings_are_translatable_literals() -> None:
    """lupdate only finds translate("Context", "literal"): anything else stays English."""
    count = 0
    for path in UI.rglob("*.py"):
        for call in _translate_calls(path):
            count += 1
            args = call.args
            literal = len(args) >= 2 and all(
                isinstance(a, ast.Constant) and isinstance(a.value, str) for a in args[:2]
            )
            # texts.error_text translates core's templates, marked in labtunnel/messages/
            dynamic_ok = (
                path.name == "texts.py"
                and isinstance(args[0], ast.Constant)
                and (args[0].value == "messages")
            )
            assert literal or dynamic_ok, f"{path.name}:{call.lineno}"
    assert count > 150


LUPDATE = Path(sys.executable).with_name("pyside6-lupdate")


def test_lupdate_finds_the_strings_under_their_contexts(tmp_path: Path) -> None:
    lupdate = str(LUPDATE) if LUPDATE.exists() else shutil.which("pyside6-lupdate")
    assert lupdate, "pyside6-lupdate comes with PySide6"
    target = tmp_path / "ui.ts"
    sources = [str(p) for p in sorted(UI.rglob("*.py"))]
    subprocess.run(
        [lupdate, *sources, "-ts", str(target)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    text = target.read_text(encoding="utf-8")
    assert "<name></name>" not in text  # every string has its context
    for context in ("TrayMenu", "ProfileEditor", "HostKey", "Notices", "States", "Fields"):
        assert f"<name>{context}</name>" in text
    assert "<source>Connect to {name}</source>" in text


def test_network_coming_back_wakes_lost_tunnels() -> None:
    from PySide6.QtNetwork import QNetworkInformation

    from labtunnel.ui.network_watch import NetworkWatch

    calls: list[int] = []
    watch = NetworkWatch(lambda: calls.append(1))
    watch.start()  # with or without a backend here: the reaction is what matters
    reach = QNetworkInformation.Reachability
    watch.reachability_changed(reach.Disconnected)
    watch.reachability_changed(reach.Online)
    watch.reachability_changed(reach.Online)
    assert calls == [1]

"""Core events from worker threads: handled on the GUI thread, turned into notices,
browser opening and host-key prompts."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot
from tests.gui.fakes import JUPYTER_URL, Recorder
from tests.gui.helpers import fake, make_profile, set_state

from labtunnel.core.errors import (
    HostKeyChanged,
    HostKeyUnknown,
    JumpHostFailed,
    JupyterEnvUnsafe,
    JupyterMissing,
    SessionLost,
)
from labtunnel.core.events import JupyterStopped, TunnelState, TunnelStep, TunnelWarning
from labtunnel.core.profiles.store import ProfileStore
from labtunnel.core.ssh.hostkeys import HostKeyStore
from labtunnel.ui.app import LabTunnelApp
from labtunnel.ui.bridge import EventBridge
from labtunnel.ui.dialogs.hostkey import HostKeyChangedDialog, HostKeyDialog
from labtunnel.ui.notices import Notice, NoticeKind
from labtunnel.ui.texts import notice_text

pytestmark = pytest.mark.gui

AppFactory = Callable[..., LabTunnelApp]
ED25519 = "AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl"
FINGERPRINT = "SHA256:" + "A" * 43
OTHER = "SHA256:" + "B" * 43


def test_bridge_delivers_worker_events_on_the_gui_thread(qtbot: QtBot) -> None:
    bridge = EventBridge()
    seen: list[tuple[object, int]] = []
    bridge.event_received.connect(lambda event: seen.append((event, threading.get_ident())))
    worker = threading.Thread(target=bridge.listener, args=("event-1",))
    with qtbot.waitSignal(bridge.event_received):
        worker.start()
        worker.join()
    assert seen == [("event-1", threading.get_ident())]
    bridge.close()
    bridge.listener("late")  # after close: dropped, no error
    qtbot.wait(20)
    assert len(seen) == 1


def notices_of(qtbot: QtBot, app: LabTunnelApp) -> list[Notice]:
    found: list[Notice] = []
    app.controller.notice.connect(found.append)
    return found


def test_notifications_for_connected_lost_restored_and_disconnected(
    qtbot: QtBot, make_app: AppFactory, store: ProfileStore
) -> None:
    profile = store.add(make_profile())
    app = make_app()
    app.start()
    found = notices_of(qtbot, app)
    set_state(qtbot, app, profile, TunnelState.CONNECTING, step=TunnelStep.CONNECTING)
    set_state(qtbot, app, profile, TunnelState.CONNECTED)
    lost = SessionLost("gpu.lab.example", 22, "keepalive")
    set_state(qtbot, app, profile, TunnelState.RECONNECTING, error=lost, retry_in=2.0)
    set_state(qtbot, app, profile, TunnelState.RECONNECTING, error=lost, retry_in=4.0)
    set_state(
        qtbot, app, profile, TunnelState.CONNECTING, step=TunnelStep.CONNECTING, was_connected=True
    )
    set_state(qtbot, app, profile, TunnelState.CONNECTED, was_connected=True)
    set_state(qtbot, app, profile, TunnelState.DISCONNECTED)
    assert [n.kind for n in found] == [
        NoticeKind.CONNECTED,
        NoticeKind.LOST,
        NoticeKind.RESTORED,
        NoticeKind.DISCONNECTED,
    ]
    title, body = notice_text(found[1])
    assert title == "Connection to gpu-lab lost"
    assert "LabTunnel keeps trying" in body
    assert notice_text(found[2])[0] == "Connection to gpu-lab re-established"


def test_failure_notice_carries_the_plain_reason(
    qtbot: QtBot, make_app: AppFactory, store: ProfileStore
) -> None:
    from labtunnel.core.errors import ConnectionRefused

    profile = store.add(make_profile())
    app = make_app()
    app.start()
    found = notices_of(qtbot, app)
    set_state(qtbot, app, profile, TunnelState.FAILED, error=ConnectionRefused("gpu", 22))
    assert [n.kind for n in found] == [NoticeKind.FAILED]
    title, body = notice_text(found[0])
    assert title == "Could not connect to gpu-lab"
    assert "gpu" in body and "ConnectionRefused" not in body
    assert app.tray is not None and app.tray.last_notice == found[0]


def test_stopping_jupyter_says_so_once(
    qtbot: QtBot, make_app: AppFactory, store: ProfileStore
) -> None:
    profile = store.add(make_profile())
    app = make_app()
    app.start()
    set_state(qtbot, app, profile, TunnelState.CONNECTED)
    found = notices_of(qtbot, app)
    app.controller.stop_jupyter(profile.id)
    with qtbot.waitSignal(app.controller.notice):
        fake(app).deliver(JupyterStopped(profile.id))
    set_state(qtbot, app, profile, TunnelState.DISCONNECTED)
    assert [n.kind for n in found] == [NoticeKind.JUPYTER_STOPPED]


def test_a_warning_heard_while_connecting_comes_with_the_connected_notice(
    qtbot: QtBot, make_app: AppFactory, store: ProfileStore, recorder: Recorder
) -> None:
    profile = store.add(make_profile())
    app = make_app()
    app.start()
    found = notices_of(qtbot, app)
    set_state(qtbot, app, profile, TunnelState.STARTING_JUPYTER, step="finding_jupyter")
    warning = JupyterEnvUnsafe("/srv/shared", "/srv/shared/venv")
    fake(app).deliver(TunnelWarning(profile.id, profile.name, warning))
    set_state(qtbot, app, profile, TunnelState.CONNECTED)
    assert [n.kind for n in found] == [NoticeKind.CONNECTED_WARNING]
    title, body = notice_text(found[0])
    assert profile.name in title and "warning" in title
    assert body.startswith("Warning:") and "/srv/shared" in body
    assert app.tray is not None and app.tray.last_notice == found[0]
    app.tray._message_clicked()  # the balloon still opens Jupyter
    assert recorder.urls == [JUPYTER_URL]
    # heard while connected: told at once
    with qtbot.waitSignal(app.controller.notice):
        fake(app).deliver(TunnelWarning(profile.id, profile.name, warning))
    assert [n.kind for n in found] == [NoticeKind.CONNECTED_WARNING] * 2


def test_a_connect_from_the_menu_opens_the_browser_once_connected(
    qtbot: QtBot, make_app: AppFactory, store: ProfileStore, recorder: Recorder
) -> None:
    profile = store.add(make_profile())
    app = make_app(measure_stalls=True)
    app.start()
    app.controller.connect_profile(profile.id)
    set_state(qtbot, app, profile, TunnelState.CONNECTING, step=TunnelStep.AUTHENTICATING)
    assert recorder.urls == []
    set_state(qtbot, app, profile, TunnelState.CONNECTED)
    assert recorder.urls == [JUPYTER_URL]
    # a reconnect later does not open another tab
    set_state(qtbot, app, profile, TunnelState.RECONNECTING)
    set_state(qtbot, app, profile, TunnelState.CONNECTED, was_connected=True)
    assert recorder.urls == [JUPYTER_URL]
    assert app.controller.last_connect_stall_ms is not None


def test_unknown_host_key_asks_then_trusts_and_connects(
    qtbot: QtBot,
    make_app: AppFactory,
    store: ProfileStore,
    hostkeys: HostKeyStore,
    recorder: Recorder,
) -> None:
    profile = store.add(make_profile())
    app = make_app()
    app.start()
    app.controller.connect_profile(profile.id)
    error = HostKeyUnknown("gpu.lab.example", 22, "ssh-ed25519", FINGERPRINT, ED25519)
    found = notices_of(qtbot, app)
    with qtbot.waitSignal(app.windows.window_shown) as shown:
        fake(app).set_state(profile, TunnelState.FAILED, error=error)
    dialog = shown.args[0]
    assert isinstance(dialog, HostKeyDialog)
    assert dialog.fingerprint_label.text() == FINGERPRINT
    assert found == []  # the dialog is the message
    dialog.trust_button.click()
    assert [e.key_type for e in hostkeys.entries()] == ["ssh-ed25519"]
    assert fake(app).called("connect") == [profile.id, profile.id]
    set_state(qtbot, app, profile, TunnelState.CONNECTED)
    assert recorder.urls == [JUPYTER_URL]


def test_cancelling_the_host_key_prompt_trusts_nothing(
    qtbot: QtBot, make_app: AppFactory, store: ProfileStore, hostkeys: HostKeyStore
) -> None:
    profile = store.add(make_profile())
    app = make_app()
    app.start()
    error = HostKeyUnknown("gpu.lab.example", 22, "ssh-ed25519", FINGERPRINT, ED25519)
    jump_error = JumpHostFailed("jump.example", "gpu.lab.example", error)
    with qtbot.waitSignal(app.windows.window_shown) as shown:
        fake(app).set_state(profile, TunnelState.FAILED, error=jump_error)
    dialog = shown.args[0]
    assert isinstance(dialog, HostKeyDialog)
    assert dialog.cancel_button.isDefault()
    dialog.cancel_button.click()
    assert hostkeys.entries() == []
    assert fake(app).called("connect") == []


def test_changed_host_key_warns_with_both_fingerprints_and_no_accept(
    qtbot: QtBot, make_app: AppFactory, store: ProfileStore
) -> None:
    profile = store.add(make_profile())
    app = make_app()
    app.start()
    error = HostKeyChanged("gpu.lab.example", 22, "ssh-ed25519", [FINGERPRINT], OTHER, "labtunnel")
    with qtbot.waitSignal(app.windows.window_shown) as shown:
        fake(app).set_state(profile, TunnelState.FAILED, error=error)
    dialog = shown.args[0]
    assert isinstance(dialog, HostKeyChangedDialog)
    assert dialog.expected_label.text() == FINGERPRINT
    assert dialog.actual_label.text() == OTHER
    buttons = [b.text().replace("&", "") for b in dialog.findChildren(QPushButton)]
    assert buttons == ["Close"]
    assert "#d93025" in dialog.styleSheet()  # the red frame


def test_a_late_event_of_the_previous_tunnel_does_not_cancel_a_new_connect(
    qtbot: QtBot, make_app: AppFactory, store: ProfileStore, recorder: Recorder
) -> None:
    profile = store.add(make_profile())
    app = make_app()
    app.start()
    manager = fake(app)
    set_state(qtbot, app, profile, TunnelState.CONNECTED)
    app.controller.disconnect_profile(profile.id)
    from labtunnel.core.events import TunnelStatus

    # the old tunnel reported DISCONNECTED, but the GUI thread has not handled it yet
    # when the user connects again and the new tunnel is already under way
    late = TunnelStatus(profile.id, profile.name, TunnelState.DISCONNECTED)
    app.controller.connect_profile(profile.id)
    manager.statuses[profile.id] = TunnelStatus(
        profile.id, profile.name, TunnelState.CONNECTING, step=TunnelStep.CONNECTING
    )
    with qtbot.waitSignal(app.controller.changed):
        app.bridge.listener(late)
    set_state(qtbot, app, profile, TunnelState.CONNECTED)
    assert recorder.urls == [JUPYTER_URL]


def test_jupyter_found_elsewhere_is_one_click_away(
    qtbot: QtBot, make_app: AppFactory, store: ProfileStore
) -> None:
    from labtunnel.core.errors import JupyterNotFound
    from labtunnel.core.profiles.model import JupyterSpec
    from labtunnel.ui.dialogs.jupyter_choice import JupyterChoiceDialog

    profile = store.add(make_profile())
    app = make_app()
    app.start()
    found = notices_of(qtbot, app)
    app.controller.connect_profile(profile.id)
    candidates = ["/opt/lab/venv/bin/jupyter", "/home/ada/miniconda3/bin/jupyter"]
    error = JupyterNotFound("jupyter", "", JupyterMissing.NOT_ON_PATH, "/usr/bin:/bin", candidates)
    with qtbot.waitSignal(app.windows.window_shown) as shown:
        fake(app).set_state(profile, TunnelState.FAILED, error=error)
    dialog = shown.args[0]
    assert isinstance(dialog, JupyterChoiceDialog)
    assert dialog.choices.count() == 2 and found == []
    dialog.choices.setCurrentRow(1)
    dialog.use_button.click()
    assert store.get(profile.id).target == JupyterSpec(env=candidates[1])
    assert fake(app).called("connect") == [profile.id, profile.id]
    # without candidates there is nothing to choose: the notification explains
    nothing = JupyterNotFound("jupyter", "", JupyterMissing.NOT_ON_PATH, "/usr/bin:/bin")
    set_state(qtbot, app, profile, TunnelState.CONNECTING)
    set_state(qtbot, app, profile, TunnelState.FAILED, error=nothing)
    assert [n.kind for n in found] == [NoticeKind.FAILED]

"""A Slurm profile in the tray: the queue in words, the job's details, Stop after asking,
"Start a new job" after it ended, the time-limit notification, the editor's fields."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from pytestqt.qtbot import QtBot
from tests.gui.fakes import Recorder
from tests.gui.helpers import action, fake, make_profile, open_menu, set_state, texts

from labtunnel.core import events
from labtunnel.core.errors import JobEnd, SlurmJobEnded
from labtunnel.core.events import JobEndingSoon, JobStatus, TunnelState, TunnelStep
from labtunnel.core.profiles.model import JupyterSpec
from labtunnel.core.profiles.slurm import SlurmJob
from labtunnel.core.profiles.store import ProfileStore
from labtunnel.ui.app import LabTunnelApp
from labtunnel.ui.dialogs.profile_editor import ProfileEditor
from labtunnel.ui.notices import Notice, NoticeKind
from labtunnel.ui.state import TrayState

pytestmark = pytest.mark.gui

AppFactory = Callable[..., LabTunnelApp]
SLURM = JupyterSpec(slurm=SlurmJob(partition="gpu", gpus=1, time_limit="4:00:00"))


def profile_items(menu_texts: list[str]) -> list[str]:
    return menu_texts[: menu_texts.index("Add lab server…") - 1]


def test_queued_then_connected_then_ended(
    qtbot: QtBot, make_app: AppFactory, store: ProfileStore, recorder: Recorder
) -> None:
    profile = store.add(make_profile("cluster", target=SLURM))
    app = make_app()
    app.start()
    start = time.mktime(time.localtime(time.time() + 3600))
    queued = JobStatus(12, "PENDING", "Resources", "gpu", expected_start=start, gpu_count=1)
    set_state(qtbot, app, profile, TunnelState.QUEUED, step=TunnelStep.QUEUED, job=queued)
    assert app.controller.overall() is TrayState.CONNECTING
    menu = open_menu(app)
    words = time.strftime("%H:%M", time.localtime(start))
    assert profile_items(texts(menu)) == [
        "[cluster: Waiting in the Slurm queue]",
        f"[Waiting in the queue for a GPU (Resources); Slurm expects it to start at {words}.]",
        "Cancel job 12",
        "Disconnect (the job stays in the queue)",
    ]
    action(menu, "Cancel job 12").trigger()
    assert fake(app).called("stop_jupyter") == [profile.id]  # nothing to lose yet: no question

    running = JobStatus(12, "RUNNING", node="node1", gpu_count=1, gpu_ids="0",
                        ends_at=time.time() + 2 * 3600 + 13 * 60 + 30)  # fmt: skip
    set_state(qtbot, app, profile, TunnelState.CONNECTED, job=running)
    menu = open_menu(app)
    items = profile_items(texts(menu))
    assert items[:4] == [
        "[cluster: Connected]",
        "[Job 12 on node1 · GPUs: 1 (0) · 2 h 13 min left]",
        "Open in browser",
        "Copy URL",
    ]
    assert items[-2:] == ["Disconnect (the job keeps running)", "Stop Jupyter (cancel the job)…"]
    recorder.answer = False
    action(menu, "Stop Jupyter (cancel the job)…").trigger()
    assert fake(app).called("stop_jupyter") == [profile.id]  # the question said no
    recorder.answer = True
    action(menu, "Stop Jupyter (cancel the job)…").trigger()
    assert fake(app).called("stop_jupyter") == [profile.id, profile.id]
    action(menu, "Disconnect (the job keeps running)").trigger()
    assert fake(app).called("disconnect") == [profile.id]

    notices: list[Notice] = []
    app.controller.notice.connect(notices.append)
    with qtbot.waitSignal(app.controller.notice):
        fake(app).deliver(JobEndingSoon(profile.id, 12, 590.0))
    warning = notices[-1]
    assert warning.kind is NoticeKind.JOB_ENDING and warning.job_id == 12

    ended = SlurmJobEnded(12, JobEnd.TIME_LIMIT, "TIMEOUT", "node1")
    with qtbot.waitSignal(app.controller.notice):
        set_state(qtbot, app, profile, TunnelState.JOB_ENDED, error=ended, job=running)
    assert [n.kind for n in notices][-1] == NoticeKind.JOB_ENDED
    assert app.controller.overall() is TrayState.ERROR
    menu = open_menu(app)
    assert profile_items(texts(menu)) == [
        "[cluster: Jupyter job ended]",
        "[Your Jupyter job 12 ended: time limit reached. Start a new job to go on (with a "
        "longer time limit in the lab server's settings if you need one).]",
        "Start a new job",
        "Disconnect",
    ]
    assert menu.defaultAction() is action(menu, "Start a new job")
    action(menu, "Start a new job").trigger()
    assert fake(app).called("start_jupyter_again") == [profile.id]


def test_the_editor_holds_the_slurm_fields_and_offers_the_partitions(
    qtbot: QtBot, make_app: AppFactory, store: ProfileStore
) -> None:
    job = SlurmJob("short", 2, 4, "16G", "1-00:00:00", "lab42", "normal", ("--constraint=a100",))
    profile = store.add(make_profile("cluster", target=JupyterSpec(slurm=job)))
    app = make_app()
    app.start()
    editor = app.windows.edit_server(profile.id)
    assert isinstance(editor, ProfileEditor)
    qtbot.addWidget(editor)
    assert editor.runs_combo.currentData() == "slurm" and editor.slurm_box.isVisibleTo(editor)
    assert not editor.target_form.isRowVisible(editor.gpu_combo)
    edited, problems = editor.current_profile()
    assert problems == [] and edited.target == profile.target

    editor.time_edit.setText("4 hours")
    editor.time_edit.textEdited.emit("4 hours")
    assert "slurm_time_limit" in [p.field for p in editor.problems()]
    assert editor.problem_labels["slurm_time_limit"].text() == "Not a Slurm time limit (4:00:00)"
    editor.time_edit.setText("4:00:00")
    editor.time_edit.textEdited.emit("4:00:00")

    editor._testing, editor._test_profile_id = True, profile.id
    editor._on_test_result(events.TestResult(profile.id, True, partitions=("gpu", "short"),
                                      default_partition="gpu"))  # fmt: skip
    items = [editor.partition_combo.itemText(i) for i in range(editor.partition_combo.count())]
    assert items == ["", "gpu (default)", "short"]
    editor.partition_combo.setCurrentIndex(1)
    edited, _ = editor.current_profile()
    assert isinstance(edited.target, JupyterSpec) and edited.target.slurm is not None
    assert edited.target.slurm.partition == "gpu"

    editor.runs_combo.setCurrentIndex(0)
    edited, _ = editor.current_profile()
    assert isinstance(edited.target, JupyterSpec) and edited.target.slurm is None
    assert editor.target_form.isRowVisible(editor.gpu_combo)

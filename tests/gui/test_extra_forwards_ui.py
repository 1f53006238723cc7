"""Extra forwards in the tray: "Open TensorBoard" per forward, a dead one greyed out with
its reason, and the editor's table of forwards."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtWidgets import QLabel, QTableWidgetItem
from pytestqt.qtbot import QtBot
from tests.gui.fakes import Recorder
from tests.gui.helpers import action, fake, make_profile, open_menu, set_state, texts

from labtunnel.core.events import ForwardState, ForwardStatus, TunnelState
from labtunnel.core.profiles.model import JupyterSpec, NamedForward
from labtunnel.core.profiles.secrets import MemorySecretStore, SecretKind
from labtunnel.core.profiles.sharing import SharedHost, SharedProfile, write_shared
from labtunnel.core.profiles.store import ProfileStore
from labtunnel.ui.app import LabTunnelApp

pytestmark = pytest.mark.gui

AppFactory = Callable[..., LabTunnelApp]
BOARD = ForwardStatus("TensorBoard", "localhost", 6006, 50001, ForwardState.ANSWERING)
DEAD = ForwardStatus("MLflow", "localhost", 5000, 50002, ForwardState.NOT_ANSWERING)


def test_connected_menu_opens_each_answering_forward(
    qtbot: QtBot, make_app: AppFactory, store: ProfileStore, recorder: Recorder
) -> None:
    profile = store.add(
        make_profile(
            forwards=(
                NamedForward("TensorBoard", "localhost", 6006),
                NamedForward("MLflow", "localhost", 5000),
            )
        )
    )
    app = make_app()
    app.start()
    set_state(qtbot, app, profile, TunnelState.CONNECTED, forwards=(BOARD, DEAD))
    menu = open_menu(app)
    items = texts(menu)
    assert items[:5] == [
        "[gpu-lab: Connected]",
        "Open in browser",
        "Copy URL",
        "Open TensorBoard",
        "[MLflow: not answering]",
    ]
    dead = action(menu, "MLflow: not answering")
    assert "nothing answers at localhost:5000 on the server" in dead.toolTip()
    assert action(menu, "Open TensorBoard").toolTip() == "http://127.0.0.1:50001/"
    action(menu, "Open TensorBoard").trigger()
    assert recorder.urls[-1] == "http://127.0.0.1:50001/"


def test_a_forward_that_comes_alive_is_offered_without_a_new_stats_fetch(
    qtbot: QtBot, make_app: AppFactory, store: ProfileStore
) -> None:
    profile = store.add(make_profile(forwards=(NamedForward("MLflow", "localhost", 5000),)))
    app = make_app()
    app.start()
    set_state(qtbot, app, profile, TunnelState.CONNECTED, forwards=(DEAD,))
    fetches = len(fake(app).called("refresh_stats"))
    alive = ForwardStatus("MLflow", "localhost", 5000, 50002, ForwardState.ANSWERING)
    set_state(qtbot, app, profile, TunnelState.CONNECTED, forwards=(alive,))
    assert "Open MLflow" in texts(open_menu(app))
    # only the menu opening asked for figures, not the repeated "connected"
    assert len(fake(app).called("refresh_stats")) <= fetches + 1


def test_editor_keeps_a_table_of_forwards(
    qtbot: QtBot, make_app: AppFactory, store: ProfileStore, secrets: MemorySecretStore
) -> None:
    profile = store.add(make_profile(forwards=(NamedForward("TensorBoard", "localhost", 6006),)))
    secrets.set(profile.id, SecretKind.PASSWORD, "pw")
    app = make_app()
    app.start()
    editor = app.windows.edit_server(profile.id)
    assert editor is not None
    assert editor.more.isVisibleTo(editor)  # a profile with forwards shows them at once
    table = editor.forwards_table
    cells = [table.item(0, column) for column in (0, 1)]
    assert [cell.text() if cell else None for cell in cells] == ["TensorBoard", "localhost:6006"]

    editor.add_forward_button.click()
    assert table.rowCount() == 2
    assert editor.current_profile()[0].forwards == profile.forwards  # empty rows are no forward
    table.setItem(1, 0, QTableWidgetItem("tensorboard"))
    table.setItem(1, 1, QTableWidgetItem("localhost:x"))
    problems = {(p.field, p.code) for p in editor.problems()}
    assert ("forward_remote", "port_out_of_range") in problems
    label = editor.problem_labels["forwards"]
    assert not label.isHidden()
    assert "host:port" in label.text()
    table.setItem(1, 1, QTableWidgetItem("localhost:5000"))
    assert "Two forwards have the name “tensorboard”" in label.text()
    assert not editor.save()
    table.setItem(1, 0, QTableWidgetItem("MLflow UI"))
    assert label.isHidden()
    with qtbot.waitSignal(editor.saved):
        assert editor.save()
    [saved] = store.profiles()
    assert saved.forwards == (
        NamedForward("TensorBoard", "localhost", 6006),
        NamedForward("MLflow UI", "localhost", 5000),
    )

    editor = app.windows.edit_server(profile.id)
    assert editor is not None
    editor.forwards_table.setCurrentCell(0, 0)
    editor.remove_forward_button.click()
    with qtbot.waitSignal(editor.saved):
        assert editor.save()
    assert store.profiles()[0].forwards == (NamedForward("MLflow UI", "localhost", 5000),)


def test_a_lab_file_with_extra_forwards_shows_and_imports_them(
    qtbot: QtBot, make_app: AppFactory, store: ProfileStore, tmp_path: Path
) -> None:
    forwards = (NamedForward("TensorBoard", "localhost", 6006),)
    path = tmp_path / "gpu.labtunnel"
    pin = "SHA256:" + "A" * 43
    write_shared(
        path,
        SharedProfile("GPU lab", SharedHost("gpu1", 22, (pin,)), JupyterSpec(), forwards=forwards),
    )
    app = make_app(choose_file=lambda: path)
    app.start()
    dialog = app.windows.import_lab_profile(path)
    assert dialog is not None
    labels = [label.text() for label in dialog.findChildren(QLabel)]
    assert "TensorBoard (localhost:6006)" in labels
    dialog.username_edit.setText("ada")
    dialog.password_edit.setText("pw")
    with qtbot.waitSignal(dialog.imported):
        assert dialog.do_import()
    assert store.profiles()[0].forwards == forwards

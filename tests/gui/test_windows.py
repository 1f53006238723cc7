"""Log viewer, server list and the hand-over from a second launch."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from tests.gui.fakes import Recorder
from tests.gui.helpers import fake, make_profile, set_state

from labtunnel.core.events import TunnelState
from labtunnel.core.logs import MASK
from labtunnel.core.profiles.remembered import RememberedServers
from labtunnel.core.profiles.secrets import MemorySecretStore, SecretKind
from labtunnel.core.profiles.store import ProfileStore
from labtunnel.ui.app import LabTunnelApp
from labtunnel.ui.dialogs.log_viewer import read_tail

pytestmark = pytest.mark.gui

AppFactory = Callable[..., LabTunnelApp]


def test_log_viewer_shows_the_recent_log_redacted_and_copies_it(
    make_app: AppFactory, log_dir: Path, recorder: Recorder
) -> None:
    lines = [f"2024-01-01 line {n}" for n in range(50)]
    lines.append("opened http://127.0.0.1:1234/lab?token=abcdef0123456789")
    (log_dir / "labtunnel.log").write_text("\n".join(lines) + "\n", encoding="utf-8")
    app = make_app()
    app.start()
    viewer = app.windows.show_log()
    text = viewer.text.toPlainText()
    assert "line 49" in text
    assert "abcdef0123456789" not in text and f"token={MASK}" in text
    viewer.copy_button.click()
    assert recorder.clipboard == [text]
    viewer.folder_button.click()
    assert recorder.urls == [log_dir.as_uri()]
    assert app.windows.show_log() is viewer  # one at a time


def test_read_tail_starts_at_a_whole_line(tmp_path: Path) -> None:
    path = tmp_path / "big.log"
    path.write_text("".join(f"line {n:05d}\n" for n in range(10000)), encoding="utf-8")
    tail = read_tail(path, 1000)
    assert tail.startswith("line ") and tail.endswith("line 09999\n")
    assert read_tail(tmp_path / "missing.log") == ""


def test_server_list_edits_and_removes_with_its_secrets(
    qtbot: QtBot,
    make_app: AppFactory,
    store: ProfileStore,
    secrets: MemorySecretStore,
    remembered: RememberedServers,
    recorder: Recorder,
) -> None:
    first = store.add(make_profile("gpu-lab"))
    second = store.add(make_profile("cpu-lab", host="cpu.example"))
    secrets.set(second.id, SecretKind.PASSWORD, "pw-to-forget")
    remembered.remember_local_port(second.id, 8123)
    remembered.remember_local_port(first.id, 8124)
    app = make_app()
    app.start()
    servers = app.windows.manage_servers()
    assert servers.list.count() == 2
    assert servers.list.item(0).text() == "gpu-lab  ·  ada@gpu.lab.example  ·  Not connected"
    set_state(qtbot, app, second, TunnelState.CONNECTED)
    assert servers.list.item(1).text().endswith("Connected")
    servers.list.setCurrentRow(0)
    servers.edit_button.click()
    assert app.windows.editor is not None and app.windows.editor.profile_id == first.id
    recorder.answer = False
    servers.list.setCurrentRow(1)
    servers.remove_button.click()
    assert len(store.profiles()) == 2
    recorder.answer = True
    with qtbot.waitSignal(app.windows.server_removed):
        servers.remove_button.click()
    assert [p.name for p in store.profiles()] == ["gpu-lab"]
    assert secrets.get(second.id, SecretKind.PASSWORD) is None
    assert RememberedServers(remembered.path).local_port(second.id) is None
    assert RememberedServers(remembered.path).local_port(first.id) == 8124
    assert fake(app).called("disconnect") == [second.id]
    assert servers.list.count() == 1


def test_a_second_launch_opens_the_server_list(make_app: AppFactory, store: ProfileStore) -> None:
    store.add(make_profile())
    app = make_app()
    app.start()
    app.handle_message("show")
    assert app.windows.servers is not None and app.windows.servers.isVisible()
    app.handle_message("something else")  # ignored

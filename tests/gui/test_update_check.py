"""The opt-in check for a newer version: off by default, run off the GUI thread, told in
plain words (the HTTP side is in tests/unit/test_updates.py, against a local server)."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot
from tests.gui.fakes import Recorder
from tests.gui.helpers import make_profile
from tests.gui.test_settings import open_settings

from labtunnel.core.profiles.store import ProfileStore
from labtunnel.core.updates import CheckProblem, Release, UpdateCheckFailed, UpdateStatus
from labtunnel.ui.app import LabTunnelApp
from labtunnel.ui.settings import SettingsStore

pytestmark = pytest.mark.gui

AppFactory = Callable[..., LabTunnelApp]
PAGE = "https://github.com/lab/labtunnel/releases/tag/v0.2.0"


class FakeCheck:
    def __init__(self, result: UpdateStatus | UpdateCheckFailed) -> None:
        self.result = result
        self.threads: list[int] = []

    def __call__(self) -> UpdateStatus:
        self.threads.append(threading.get_ident())
        if isinstance(self.result, UpdateCheckFailed):
            raise self.result
        return self.result


def newer() -> UpdateStatus:
    return UpdateStatus("0.1.0", Release("0.2.0", PAGE))


def test_off_by_default_and_nothing_is_asked_at_start(
    qtbot: QtBot, make_app: AppFactory, store: ProfileStore
) -> None:
    check = FakeCheck(newer())
    app = make_app(update_check=check)
    assert SettingsStore(store).get().check_updates is False
    app.start()
    qtbot.wait(200)
    assert check.threads == []
    assert not open_settings(qtbot, app).updates_box.isChecked()


def test_when_chosen_a_newer_version_is_offered_at_start_with_its_page(
    qtbot: QtBot, make_app: AppFactory, store: ProfileStore, recorder: Recorder
) -> None:
    store.add(make_profile())  # no welcome window first
    SettingsStore(store).change(check_updates=True)
    check = FakeCheck(newer())
    app = make_app(update_check=check)
    with qtbot.waitSignal(app.windows.window_shown, timeout=5000) as shown:
        app.start()
    box = shown.args[0]
    assert isinstance(box, QMessageBox)
    assert "LabTunnel 0.2.0 is available (you have 0.1.0)" in box.text()
    assert check.threads and check.threads[0] != threading.get_ident()  # off the GUI thread
    app.windows.update_download_button.click()
    assert recorder.urls == [PAGE]


def test_at_start_an_offline_check_stays_quiet(
    qtbot: QtBot, make_app: AppFactory, store: ProfileStore
) -> None:
    SettingsStore(store).change(check_updates=True)
    check = FakeCheck(UpdateCheckFailed(CheckProblem.OFFLINE))
    app = make_app(update_check=check)
    shown: list[object] = []
    app.windows.window_shown.connect(shown.append)
    with qtbot.waitSignal(app.updates.finished, timeout=5000):
        app.start()
    assert [w for w in shown if isinstance(w, QMessageBox)] == []


@pytest.mark.parametrize(
    ("result", "words"),
    [
        (newer(), "LabTunnel 0.2.0 is available"),
        (UpdateStatus("0.1.0", Release("0.1.0", PAGE)), "You have the latest version"),
        (UpdateCheckFailed(CheckProblem.OFFLINE), "this computer seems to be offline"),
        (UpdateCheckFailed(CheckProblem.NO_RELEASE), "No release of LabTunnel"),
        (
            UpdateCheckFailed(CheckProblem.REFUSED, "HTTP 403"),
            "did not answer the check (HTTP 403)",
        ),
        (UpdateCheckFailed(CheckProblem.BAD_ANSWER), "was not understood"),
    ],
)
def test_check_now_in_settings_says_what_it_found(
    qtbot: QtBot, make_app: AppFactory, result: object, words: str
) -> None:
    app = make_app()
    app.start()
    dialog = open_settings(qtbot, app)
    check = FakeCheck(result)  # type: ignore[arg-type]
    dialog.updates._check = check
    with qtbot.waitSignal(dialog.updates.finished, timeout=5000):
        dialog.check_now_button.click()
        assert not dialog.check_now_button.isEnabled()
    assert words in dialog.update_result.text()
    assert dialog.check_now_button.isEnabled()
    assert check.threads[0] != threading.get_ident()
    assert (PAGE in dialog.update_result.text()) == (words == "LabTunnel 0.2.0 is available")


def test_the_choice_is_saved(qtbot: QtBot, make_app: AppFactory, store: ProfileStore) -> None:
    app = make_app()
    app.start()
    dialog = open_settings(qtbot, app)
    dialog.updates_box.setChecked(True)
    assert dialog.save()
    assert SettingsStore(store).get().check_updates is True

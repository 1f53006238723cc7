"""The one-time-code prompt: asked from a worker thread, answered on the GUI thread."""

from __future__ import annotations

import threading
from collections.abc import Sequence

import pytest
from PySide6.QtWidgets import QLineEdit
from pytestqt.qtbot import QtBot

from labtunnel.ui.dialogs.otp import OneTimeCodeDialog
from labtunnel.ui.prompter import QtPrompter

pytestmark = pytest.mark.gui

PROMPTS = [("Verification code: ", True)]


class Asker:
    """Calls prompter.ask on a worker thread, like core's keyboard-interactive handler."""

    def __init__(self, prompter: QtPrompter) -> None:
        self.answer: Sequence[str] | str | None = "not answered"
        self._thread = threading.Thread(target=self._run, args=(prompter,), name="auth-worker")

    def _run(self, prompter: QtPrompter) -> None:
        self.answer = prompter.ask(
            "gpu.lab.example", "Duo", "Enter the code from your app", PROMPTS
        )

    def start(self) -> None:
        self._thread.start()

    def join(self) -> None:
        self._thread.join(10)
        assert not self._thread.is_alive()


def start_prompt(qtbot: QtBot, prompter: QtPrompter) -> tuple[Asker, OneTimeCodeDialog]:
    asker = Asker(prompter)
    with qtbot.waitSignal(prompter.dialog_shown, timeout=5000) as shown:
        asker.start()
    dialog = shown.args[0]
    assert isinstance(dialog, OneTimeCodeDialog)
    assert dialog.thread() is prompter.thread()  # made on the GUI thread
    return asker, dialog


def test_the_code_typed_reaches_the_worker(qtbot: QtBot) -> None:
    prompter = QtPrompter()
    asker, dialog = start_prompt(qtbot, prompter)
    assert len(dialog.findChildren(QLineEdit)) == 1  # only the code: never the password
    assert dialog.fields[0].echoMode() is QLineEdit.EchoMode.Normal
    qtbot.keyClicks(dialog.fields[0], "123456")
    dialog.accept()
    asker.join()
    assert asker.answer == ["123456"]


def test_cancel_returns_none(qtbot: QtBot) -> None:
    prompter = QtPrompter()
    asker, dialog = start_prompt(qtbot, prompter)
    dialog.reject()
    asker.join()
    assert asker.answer is None


def test_nobody_answering_times_out_and_closes_the_dialog(qtbot: QtBot) -> None:
    prompter = QtPrompter(timeout=0.3)
    asker, _ = start_prompt(qtbot, prompter)
    asker.join()
    assert asker.answer is None
    qtbot.waitUntil(lambda: prompter.open_dialogs == 0, timeout=5000)


def test_quitting_releases_a_waiting_worker(qtbot: QtBot) -> None:
    prompter = QtPrompter()
    asker, _ = start_prompt(qtbot, prompter)
    prompter.cancel_all()
    asker.join()
    assert asker.answer is None
    assert prompter.open_dialogs == 0
    # and later questions are answered "cancelled" at once
    late = Asker(prompter)
    late.start()
    late.join()
    assert late.answer is None


def test_asking_on_the_gui_thread_is_refused() -> None:
    with pytest.raises(RuntimeError):
        QtPrompter().ask("h", "", "", PROMPTS)

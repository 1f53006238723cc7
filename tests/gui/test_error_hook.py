"""Unexpected exceptions in Qt slots and threads reach the log (redacted) and one
"Something went wrong" window with "Show log" (labtunnel.ui.error_hook)."""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from labtunnel.core.logs import register_secret, setup_logging
from labtunnel.ui.error_hook import ErrorReporter

pytestmark = [pytest.mark.gui, pytest.mark.qt_no_exception_capture]

SECRET = "hunter2-correct-horse"


@pytest.fixture
def log_file(tmp_path: Path) -> Iterator[Path]:
    root = logging.getLogger()
    before = list(root.handlers)
    path = setup_logging(tmp_path / "logs")
    try:
        yield path
    finally:
        for handler in list(root.handlers):
            if handler not in before:
                root.removeHandler(handler)
                handler.close()
        for handler in before:
            if handler not in root.handlers:
                root.addHandler(handler)


class Opened:
    def __init__(self) -> None:
        self.times = 0

    def __call__(self) -> None:
        self.times += 1


@pytest.fixture
def reporter(qtbot: QtBot) -> Iterator[tuple[ErrorReporter, Opened]]:
    opened = Opened()
    reporter = ErrorReporter(opened)
    reporter.install()
    try:
        yield reporter, opened
    finally:
        reporter.uninstall()
        reporter.deleteLater()


def _flush() -> None:
    for handler in logging.getLogger().handlers:
        handler.flush()


def test_an_exception_in_a_qt_slot_is_logged_and_shown(
    qtbot: QtBot, reporter: tuple[ErrorReporter, Opened], log_file: Path
) -> None:
    errors, opened = reporter
    register_secret(SECRET)

    def broken_slot() -> None:
        raise ValueError(f"password was {SECRET}")

    with qtbot.waitSignal(errors.shown, timeout=5000) as shown:
        QTimer.singleShot(0, broken_slot)
    box = shown.args[0]
    assert isinstance(box, QMessageBox)
    assert "Something went wrong" in box.text()
    _flush()
    text = log_file.read_text()
    assert "unexpected error in the app" in text
    assert "Traceback" in text and "broken_slot" in text and "ValueError" in text
    assert SECRET not in text
    errors.show_log_button.click()
    assert opened.times == 1


def test_an_exception_in_a_thread_is_logged_with_its_name_and_shown_on_the_gui_thread(
    qtbot: QtBot, reporter: tuple[ErrorReporter, Opened], log_file: Path
) -> None:
    errors, _opened = reporter

    def worker() -> None:
        raise RuntimeError("worker broke")

    with qtbot.waitSignal(errors.shown, timeout=5000):
        thread = threading.Thread(target=worker, name="tunnel-gpu")
        thread.start()
        thread.join()
    _flush()
    text = log_file.read_text()
    assert "unexpected error in thread tunnel-gpu" in text and "worker broke" in text


def test_many_exceptions_one_window_and_no_loop(
    qtbot: QtBot, reporter: tuple[ErrorReporter, Opened], log_file: Path
) -> None:
    errors, _opened = reporter
    windows: list[QMessageBox] = []
    errors.shown.connect(windows.append)

    def broken() -> None:
        raise KeyError("again")

    for _ in range(5):
        QTimer.singleShot(0, broken)
    qtbot.waitUntil(lambda: errors.count == 5, timeout=5000)
    qtbot.wait(100)
    assert len(windows) == 1
    # "Show log" itself failing is logged, and does not open a second window
    errors._show_log = broken
    errors.show_log_button.click()
    qtbot.waitUntil(lambda: errors.count == 6, timeout=5000)
    qtbot.wait(100)
    assert len(windows) <= 2
    _flush()
    assert log_file.read_text().count("unexpected error") == 6


def test_a_broken_window_is_logged_once_and_never_retried(
    qtbot: QtBot,
    reporter: tuple[ErrorReporter, Opened],
    log_file: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    errors, _opened = reporter

    def window_breaks() -> None:
        raise RuntimeError("no window today")

    monkeypatch.setattr(errors, "_open_window", window_breaks)

    def broken() -> None:
        raise KeyError("first")

    QTimer.singleShot(0, broken)
    qtbot.waitUntil(lambda: errors.count == 1, timeout=5000)
    qtbot.wait(200)
    QTimer.singleShot(0, broken)
    qtbot.waitUntil(lambda: errors.count == 2, timeout=5000)
    qtbot.wait(200)
    _flush()
    text = log_file.read_text()
    assert text.count("could not show the error window") == 1
    assert errors.count == 2


def test_works_without_stderr_as_in_the_windowed_windows_app(
    qtbot: QtBot,
    reporter: tuple[ErrorReporter, Opened],
    log_file: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    errors, _opened = reporter
    monkeypatch.setattr(sys, "stderr", None)

    def broken() -> None:
        raise OSError("no stderr here")

    with qtbot.waitSignal(errors.shown, timeout=5000):
        QTimer.singleShot(0, broken)
    _flush()
    assert "no stderr here" in log_file.read_text()


def test_ctrl_c_and_exit_keep_pythons_own_handling(
    reporter: tuple[ErrorReporter, Opened], log_file: Path
) -> None:
    errors, _opened = reporter
    seen: list[type[BaseException]] = []
    errors._previous_sys = lambda kind, _error, _trace: seen.append(kind)
    sys.excepthook(KeyboardInterrupt, KeyboardInterrupt(), None)
    assert seen == [KeyboardInterrupt] and errors.count == 0


def test_uninstall_restores_the_previous_hooks() -> None:
    before_sys, before_thread = sys.excepthook, threading.excepthook
    errors = ErrorReporter(lambda: None)
    errors.install()
    assert sys.excepthook != before_sys and threading.excepthook != before_thread
    errors.uninstall()
    assert sys.excepthook == before_sys and threading.excepthook == before_thread
    errors.deleteLater()

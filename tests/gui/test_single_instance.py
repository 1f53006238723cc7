"""Only one LabTunnel runs: a second launch hands over to the first and exits 0."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtNetwork import QLocalServer
from pytestqt.qtbot import QtBot

from labtunnel.ui.single_instance import SHOW, SingleInstance, server_name

pytestmark = pytest.mark.gui

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def name(tmp_path: Path) -> str:
    return server_name(tmp_path / f"config-{os.getpid()}")


def test_the_second_instance_hands_over(qtbot: QtBot, name: str) -> None:
    first = SingleInstance(name)
    assert first.claim()
    assert first.is_primary
    second = SingleInstance(name)
    with qtbot.waitSignal(first.message_received, timeout=3000) as received:
        assert not second.claim()
    assert received.args == [SHOW]
    assert not second.is_primary
    first.close()


def test_a_stale_socket_from_a_crash_is_taken_over(name: str) -> None:
    dead = QLocalServer()
    assert dead.listen(name)
    socket_path = dead.fullServerName()
    # a crashed owner leaves its socket file but nobody accepts on it
    dead.close()
    if sys.platform != "win32":
        import socket as pysocket

        leftover = pysocket.socket(pysocket.AF_UNIX)
        leftover.bind(socket_path)
        leftover.close()
        assert Path(socket_path).exists()
    instance = SingleInstance(name)
    assert instance.claim()
    assert instance.is_primary
    instance.close()


def test_names_differ_per_config_folder(tmp_path: Path) -> None:
    assert server_name(tmp_path / "a") != server_name(tmp_path / "b")
    assert server_name(tmp_path / "a") == server_name(tmp_path / "a")


# --- the real entry point, in child processes ----------------------------------------------


@pytest.fixture
def app_env(tmp_path: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        QT_QPA_PLATFORM="offscreen",
        LABTUNNEL_CONFIG_DIR=str(tmp_path / "config"),
        PYTHONPATH=str(ROOT / "app"),
    )
    env.pop("LABTUNNEL_LOG_DIR", None)
    return env


LAUNCH = "import sys; from labtunnel.ui.main import run; sys.exit(run(sys.argv))"


@pytest.fixture
def first_app(app_env: dict[str, str], tmp_path: Path) -> Iterator[subprocess.Popen[str]]:
    process = subprocess.Popen(
        [sys.executable, "-c", LAUNCH],
        env=app_env,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(10)
        assert process.stdout is not None
        process.stdout.close()


def wait_for_log(path: Path, text: str, process: subprocess.Popen[str], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists() and text in path.read_text(encoding="utf-8"):
            return
        if process.poll() is not None:
            break
        time.sleep(0.05)
    raise AssertionError(f"{text!r} never appeared in {path}")


def test_second_launch_exits_and_first_quits_cleanly_on_sigterm(
    first_app: subprocess.Popen[str], app_env: dict[str, str], tmp_path: Path
) -> None:
    log_file = tmp_path / "config" / "logs" / "labtunnel.log"
    wait_for_log(log_file, "LabTunnel tray started", first_app, 30)
    started = time.monotonic()
    second = subprocess.run(
        [sys.executable, "-c", LAUNCH], env=app_env, text=True, capture_output=True, timeout=30
    )
    assert second.returncode == 0, second.stdout + second.stderr
    assert time.monotonic() - started < 15
    wait_for_log(log_file, "another launch asked LabTunnel to show itself", first_app, 10)
    assert first_app.poll() is None
    first_app.send_signal(signal.SIGTERM)
    assert first_app.wait(15) == 0

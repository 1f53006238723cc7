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


# --- a lab profile opened from the desktop: `labtunnel FILE.labtunnel` ----------------------

CLI = "import sys; from labtunnel.cli import main; sys.exit(main(sys.argv[1:]))"


def write_lab_profile(path: Path) -> Path:
    from labtunnel.core.profiles.model import JupyterSpec
    from labtunnel.core.profiles.sharing import SharedHost, SharedProfile, write_shared

    pin = "SHA256:" + "A" * 43
    write_shared(
        path, SharedProfile("GPU lab", SharedHost("gpu.example", 22, (pin,)), JupyterSpec())
    )
    return path


def test_a_lab_profile_given_to_a_second_launch_is_imported_by_the_first(
    first_app: subprocess.Popen[str], app_env: dict[str, str], tmp_path: Path
) -> None:
    log_file = tmp_path / "config" / "logs" / "labtunnel.log"
    wait_for_log(log_file, "LabTunnel tray started", first_app, 30)
    folder = tmp_path / "Downloads #1"
    folder.mkdir()
    good = write_lab_profile(folder / "my lab.labtunnel")
    second = subprocess.run(
        [sys.executable, "-c", CLI, str(good)],
        env=app_env,
        text=True,
        capture_output=True,
        timeout=30,
    )
    assert second.returncode == 0, second.stdout + second.stderr
    wait_for_log(log_file, "asked to import the lab profile my lab.labtunnel", first_app, 10)
    tampered = folder / "tampered.labtunnel"
    tampered.write_text(good.read_text(encoding="utf-8").replace("gpu.example", "evil.example"))
    third = subprocess.run(
        [sys.executable, "-c", CLI, str(tampered)], env=app_env, capture_output=True, timeout=30
    )
    assert third.returncode == 0
    wait_for_log(log_file, "lab profile tampered.labtunnel refused", first_app, 10)
    assert first_app.poll() is None
    first_app.send_signal(signal.SIGTERM)
    assert first_app.wait(15) == 0


def test_the_first_launch_with_a_lab_profile_opens_its_import(
    app_env: dict[str, str], tmp_path: Path
) -> None:
    path = write_lab_profile(tmp_path / "lab.labtunnel")
    log_file = tmp_path / "config" / "logs" / "labtunnel.log"
    process = subprocess.Popen(
        [sys.executable, "-c", CLI, str(path)],
        env=app_env,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_for_log(log_file, "started for the lab profile lab.labtunnel", process, 30)
        wait_for_log(log_file, "LabTunnel tray started", process, 10)
        process.send_signal(signal.SIGTERM)
        assert process.wait(15) == 0
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(10)
        assert process.stdout is not None
        process.stdout.close()

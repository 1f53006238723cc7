"""Only one LabTunnel runs: a second launch hands over to the first and exits 0."""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import socket as socket_module
import stat
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtNetwork import QLocalServer
from pytestqt.qtbot import QtBot
from tests.harness import TestUser, unavailable, users

from labtunnel.ui.single_instance import SHOW, SingleInstance, open_message, server_name

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


#: the app as LAUNCH, with a SIGTERM (a logout, `kill`) arriving while it still starts up:
#: after its signal handler is in place, before Qt's event loop runs
SIGTERM_DURING_START = """
import os, signal, sys
from labtunnel.ui.app import LabTunnelApp
from labtunnel.ui.main import run
start = LabTunnelApp.start
def start_then_sigterm(self, open_file=None):
    start(self, open_file)
    os.kill(os.getpid(), signal.SIGTERM)
LabTunnelApp.start = start_then_sigterm
sys.exit(run(sys.argv))
"""


def test_a_sigterm_while_starting_up_still_quits(app_env: dict[str, str], tmp_path: Path) -> None:
    """Before: the handler's quit() came before the event loop ran, Qt dropped it, and the
    app ran on with its windows closed (seen as a SIGTERM exit timing out under load)."""
    ended = subprocess.run(
        [sys.executable, "-c", SIGTERM_DURING_START],
        env=app_env,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert ended.returncode == 0, ended.stdout + ended.stderr
    log = (tmp_path / "config" / "logs" / "labtunnel.log").read_text(encoding="utf-8")
    assert "LabTunnel tray started" in log


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


# --- another local user squats the name (issue 12.8) -----------------------------------------

SQUATTER = r"""
import os, socket, sys
path, out = sys.argv[1], sys.argv[2]
server = socket.socket(socket.AF_UNIX)
server.bind(path)
os.chmod(path, 0o777)
server.listen(8)
open(out + ".ready", "w").close()
while True:
    peer, _ = server.accept()
    data = peer.recv(65536)
    with open(out, "ab") as handle:
        handle.write(data)
    peer.close()
"""


def old_predictable_path(config_dir: Path) -> Path:
    """Where LabTunnel used to put its socket: /tmp (Qt's default), a name any user can
    compute from the config folder's path."""
    digest = hashlib.sha256(str(config_dir.expanduser().resolve()).encode()).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"labtunnel-{digest}"


@pytest.fixture
def squatter() -> Iterator[TestUser]:
    """A second, real local user of this computer."""
    if os.geteuid() != 0:
        unavailable("a second local user needs root")
    user = users.create_user(users.extra_user_name(os.getpid(), "squat"), [])
    try:
        yield user
    finally:
        users.delete_user(user.name)


def start_squatter(user: TestUser, path: Path, received: Path) -> subprocess.Popen[bytes]:
    """``user`` listens on ``path`` (mode 0777) and appends what it gets to ``received``."""
    listener = subprocess.Popen(
        [
            "setpriv", f"--reuid={user.uid}", f"--regid={user.gid}", "--init-groups",
            "--", "/usr/bin/python3", "-c", SQUATTER, str(path), str(received),
        ],
        stdin=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 10
    while not Path(f"{received}.ready").exists():
        if listener.poll() is not None or time.monotonic() > deadline:
            listener.kill()
            listener.wait(10)
            raise AssertionError("the squatter did not start")
        time.sleep(0.02)
    return listener


@pytest.fixture
def open_folder() -> Iterator[Path]:
    """A folder in /tmp every user may write to (pytest's tmp_path is closed to others)."""
    folder = Path(tempfile.mkdtemp(prefix=f"labtunnel-squat-{os.getpid()}-"))
    folder.chmod(0o777)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.mark.skipif(sys.platform == "win32", reason="Unix sockets and users")
@pytest.mark.parametrize("where", ["tmp", "open-runtime-dir"])
def test_a_socket_squatted_by_another_user_gets_nothing(
    squatter: TestUser, app_env: dict[str, str], tmp_path: Path, open_folder: Path, where: str
) -> None:
    """Before: the app found the other user's socket at the predictable /tmp path, handed
    it the .labtunnel file's path and exited; the squatter had the victim's file."""
    shared = open_folder
    config = Path(app_env["LABTUNNEL_CONFIG_DIR"])
    if where == "tmp":
        app_env.pop("XDG_RUNTIME_DIR", None)
        squat = old_predictable_path(config)
    else:
        # a runtime folder others can write to is no private place: not used
        app_env["XDG_RUNTIME_DIR"] = str(shared)
        squat = shared / old_predictable_path(config).name
    received = shared / "received"
    listener = start_squatter(squatter, squat, received)
    app: subprocess.Popen[str] | None = None
    try:
        assert squat.stat().st_uid == squatter.uid
        lab_file = write_lab_profile(tmp_path / "private.labtunnel")
        app = subprocess.Popen(
            [sys.executable, "-c", CLI, str(lab_file)],
            env=app_env,
            text=True,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        log_file = config / "logs" / "labtunnel.log"
        try:
            wait_for_log(log_file, "LabTunnel tray started", app, 30)
        except AssertionError:
            time.sleep(0.5)
            got = received.read_bytes() if received.exists() else b""
            raise AssertionError(f"the app did not start; the other user got {got!r}") from None
        assert "handed over" not in log_file.read_text(encoding="utf-8")
        app.send_signal(signal.SIGTERM)
        assert app.wait(15) == 0
    finally:
        if app is not None:
            if app.poll() is None:
                app.kill()
            app.wait(10)
            assert app.stdout is not None
            app.stdout.close()
        listener.kill()
        listener.wait(10)
        squat.unlink(missing_ok=True)
        got = received.read_bytes() if received.exists() else b""
    assert got == b"", f"the other user received: {got!r}"


@pytest.mark.skipif(not hasattr(socket_module, "SO_PEERCRED"), reason="Linux peer credentials")
def test_a_running_instance_of_another_user_is_never_told_anything(
    squatter: TestUser, open_folder: Path
) -> None:
    """Even at the very name (a folder that is not private), a socket of another user
    gets no message: the peer's user is checked before anything is sent."""
    squat, received = open_folder / "labtunnel-test", open_folder / "received"
    listener = start_squatter(squatter, squat, received)
    try:
        instance = SingleInstance(str(squat))
        assert instance.claim(open_message(Path("/home/me/private.labtunnel")))
        assert instance.is_primary  # runs on its own instead of handing over
        instance.close()
    finally:
        listener.kill()
        listener.wait(10)
    assert not received.exists() or received.read_bytes() == b""


def test_the_socket_is_in_a_private_folder(tmp_path: Path) -> None:
    private, shared = tmp_path / "runtime", tmp_path / "shared"
    private.mkdir(mode=0o700)
    shared.mkdir(mode=0o755)
    config = tmp_path / "config"
    assert Path(server_name(config, {"XDG_RUNTIME_DIR": str(private)})).parent == private
    # a runtime folder others may enter is not used; the 0700 config folder is
    assert Path(server_name(config, {"XDG_RUNTIME_DIR": str(shared)})).parent == config
    assert Path(server_name(config, {})).parent == config
    assert stat.S_IMODE(config.stat().st_mode) == 0o700
    deep = tmp_path / ("x" * 120)
    ours = Path(tempfile.gettempdir()) / f"labtunnel-{os.geteuid()}"
    existed = ours.exists()
    try:
        fallback = Path(server_name(deep, {}))  # too long for a socket path
        assert fallback.parent == ours
        assert stat.S_IMODE(ours.stat().st_mode) == 0o700
    finally:
        if not existed:
            ours.rmdir()

"""The socket folder and probe listener (scripts/sock_prepare.py) run for real on this
machine, and the plan made from what they and the SSH server say."""

from __future__ import annotations

import os
import shutil
import socket
import stat
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import paramiko
import pytest

from labtunnel.core.errors import SocketForwardingRefused, SocketRefusal
from labtunnel.core.jupyter.scripts import source
from labtunnel.core.jupyter.sockets import (
    ListenPlan,
    SocketFallback,
    check_socket_forwarding,
    parse_prepare,
)
from labtunnel.core.ssh.remote import sections

pytestmark = pytest.mark.posix


@pytest.fixture
def home() -> Iterator[Path]:
    """A short home: pytest's home is too long for a socket address by itself."""
    path = Path(tempfile.mkdtemp(prefix="lts-", dir="/tmp"))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def prepare(home: Path, **env: str) -> dict[str, str]:
    done = subprocess.run(
        [sys.executable, "-c", source("sock_prepare.py"), "abc123"],
        env={"HOME": str(home), "PATH": os.environ["PATH"], **env},
        capture_output=True,
        text=True,
        timeout=20,
        check=True,
    )
    return {s.name: s.arg for s in sections(done.stdout, "@@LT:")}


def test_private_folder_and_a_probe_that_answers_once(home: Path) -> None:
    found = prepare(home)
    folder = home / ".local/share/labtunnel/run"
    assert found["SOCKDIR"] == str(folder)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    probe = Path(found["PROBE"])
    assert probe.parent == folder and stat.S_ISSOCK(probe.stat().st_mode)
    with socket.socket(socket.AF_UNIX) as client:
        client.connect(str(probe))
    deadline = time.monotonic() + 5
    while probe.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not probe.exists()  # gone after its one connection


def test_a_loose_folder_is_made_private_and_stale_sockets_go(home: Path) -> None:
    folder = home / ".local/share/labtunnel/run"
    folder.mkdir(parents=True)
    folder.chmod(0o755)
    stale = folder / "jupyter-dead.sock"
    with socket.socket(socket.AF_UNIX) as left:
        left.bind(str(stale))  # bound, never listening: like a server that died
    alive = folder / "jupyter-alive.sock"
    listener = socket.socket(socket.AF_UNIX)
    listener.bind(str(alive))
    listener.listen(1)
    try:
        found = prepare(home)
        assert "SOCKDIR" in found
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700
        assert not stale.exists() and alive.exists()
    finally:
        listener.close()


def test_a_symlinked_folder_is_not_used(home: Path) -> None:
    elsewhere = home / "elsewhere"
    elsewhere.mkdir()
    (home / ".local/share/labtunnel").mkdir(parents=True)
    (home / ".local/share/labtunnel/run").symlink_to(elsewhere)
    assert prepare(home) == {"SOCK-UNUSABLE": "not_private"}


def test_a_home_too_long_uses_the_runtime_dir_or_gives_up(home: Path) -> None:
    deep = home / ("d" * 90)
    deep.mkdir()
    assert prepare(deep) == {"SOCK-UNUSABLE": "too_long"}
    runtime = home / "run"
    runtime.mkdir(mode=0o700)
    found = prepare(deep, XDG_RUNTIME_DIR=str(runtime))
    assert found["SOCKDIR"] == str(runtime / "labtunnel")


class Opener:
    def __init__(self, refusal: SocketRefusal | None) -> None:
        self.refusal = refusal
        self.paths: list[str] = []

    def open_unix_channel(self, path: str) -> paramiko.Channel:
        self.paths.append(path)
        if self.refusal is not None:
            raise SocketForwardingRefused("lab", path, self.refusal)
        return paramiko.Channel(0)


def test_plans_from_the_probe() -> None:
    ok = check_socket_forwarding(Opener(None), "/h/run/probe-1.sock")
    assert ok.fallback is None
    assert ok.socket_path.startswith("/h/run/jupyter-") and ok.socket_path.endswith(".sock")
    for refusal, fallback in (
        (SocketRefusal.REFUSED, SocketFallback.SSHD_REFUSES),
        (SocketRefusal.UNSUPPORTED, SocketFallback.SSH_SERVER_UNSUPPORTED),
        (SocketRefusal.CLIENT, SocketFallback.CLIENT_UNSUPPORTED),
    ):
        assert check_socket_forwarding(Opener(refusal), "/h/run/p.sock") == ListenPlan(
            fallback=fallback
        )


def test_plans_from_the_folder() -> None:
    def parsed(**found: str) -> ListenPlan | str:
        from labtunnel.core.ssh.remote import Section

        return parse_prepare({k: Section(k, v, ()) for k, v in found.items()})

    assert parsed(SOCKDIR="/h/run", PROBE="/h/run/probe-x.sock") == "/h/run/probe-x.sock"
    assert parsed(**{"SOCK-UNUSABLE": "too_long"}) == ListenPlan(
        fallback=SocketFallback.PATH_TOO_LONG
    )
    assert parsed(**{"SOCK-UNUSABLE": "bind_failed"}).fallback is SocketFallback.NO_SOCKETS_THERE  # type: ignore[union-attr]
    assert parsed(**{"SOCK-UNUSABLE": "no_python"}).fallback is SocketFallback.NO_PYTHON  # type: ignore[union-attr]
    # a probe outside the folder it names is not believed
    assert parsed(SOCKDIR="/h/run", PROBE="/tmp/evil.sock") == ListenPlan(
        fallback=SocketFallback.NO_PRIVATE_FOLDER
    )

"""Services bound to the lab server's own 127.0.0.1: reachable only through an SSH tunnel."""

from __future__ import annotations

import hashlib
import os
import select
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from . import _proc
from .errors import HarnessError

if TYPE_CHECKING:
    from .lab import LabServer
    from .users import TestUser

_SCRIPT = str(Path(__file__).with_name("netservers.py"))
_PYTHON = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else "python3"


@dataclass(frozen=True)
class RemoteService:
    """A TCP service on the lab server; ``host, port = service`` unpacks it."""

    host: str
    port: int
    pid: int
    kind: str

    def __iter__(self) -> Iterator[str | int]:
        return iter((self.host, self.port))


@dataclass(frozen=True)
class HttpService(RemoteService):
    """Serves ``url_path`` (``size`` random bytes whose hex digest is ``sha256``)."""

    url_path: str
    size: int
    sha256: str
    local_copy: Path  # the same bytes, on the client side


class ServiceFactory:
    """Starts services in the lab namespace and kills them (by PID) in :meth:`close`."""

    def __init__(self, lab: LabServer) -> None:
        self._lab = lab
        self._procs: list[subprocess.Popen[str]] = []
        self._dirs: list[tempfile.TemporaryDirectory[str]] = []

    def _start(self, kind: str, *args: str, user: TestUser | None = None) -> tuple[int, int]:
        proc = self._lab.ns_popen(
            [_PYTHON, _SCRIPT, kind, *args], user, stdout=subprocess.PIPE, text=True
        )
        self._procs.append(proc)
        assert proc.stdout is not None
        ready, _, _ = select.select([proc.stdout], [], [], 10)
        line = proc.stdout.readline().strip() if ready else ""
        if not line.isdigit():
            _proc.stop_popen(proc)
            raise HarnessError(f"{kind} service did not start (exit {proc.returncode})")
        return int(line), proc.pid

    def echo(self) -> RemoteService:
        port, pid = self._start("echo")
        return RemoteService("127.0.0.1", port, pid, "echo")

    def unix_echo(self, user: TestUser, path: str) -> int:
        """An echo server run by ``user`` on a Unix socket at ``path`` (mode 0600; the
        folder must exist and be writable by the user); returns its pid."""
        _, pid = self._start("unix-echo", path, user=user)
        return pid

    def sink(self) -> RemoteService:
        """Reads to EOF, then answers ``b"<count> <sha256 hex>\\n"``: half-close to get it."""
        port, pid = self._start("sink")
        return RemoteService("127.0.0.1", port, pid, "sink")

    def http(self, size: int = 1 << 20) -> HttpService:
        directory = tempfile.TemporaryDirectory(prefix=f"labtunnel-http-{os.getpid()}-")
        self._dirs.append(directory)
        blob = Path(directory.name) / "blob.bin"
        data = os.urandom(size)
        blob.write_bytes(data)
        os.chmod(directory.name, 0o755)  # noqa: S103  (random test data, served anyway)
        port, pid = self._start("http", directory.name)
        return HttpService(
            "127.0.0.1",
            port,
            pid,
            "http",
            url_path="/blob.bin",
            size=size,
            sha256=hashlib.sha256(data).hexdigest(),
            local_copy=blob,
        )

    def close(self) -> None:
        for proc in self._procs:
            _proc.stop_popen(proc, timeout=2)
            if proc.stdout is not None:
                proc.stdout.close()
        self._procs.clear()
        for directory in self._dirs:
            directory.cleanup()
        self._dirs.clear()

"""Dropbear, the second SSH implementation real lab servers run (routers, small boards,
containers, some clusters), on the lab server next to OpenSSH.

It has its own host keys (made by ``dropbearkey``, its own file format), checks passwords
against /etc/shadow itself (no PAM), offers only ``publickey`` and ``password`` (no
keyboard-interactive), forwards TCP but has no ``streamlocal`` (Unix socket) forwarding,
answers unknown global requests (OpenSSH's keepalive@openssh.com) with a failure, runs
commands through the user's login shell with ``-c``, and forks one process per connection.

    server = start_dropbear(lab_server, workdir)   # stopped by server.close()
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from . import _proc
from .errors import HarnessError, unavailable
from .keys import fingerprint
from .lab import LabServer

DROPBEAR = "/usr/sbin/dropbear"
DROPBEARKEY = "/usr/bin/dropbearkey"
#: the port inside the lab namespace (OpenSSH has 22, the jump host 2222, variants 2300+)
NETNS_PORT = 2022
KEY_TYPES = {"ed25519": ["-t", "ed25519"], "ecdsa": ["-t", "ecdsa", "-s", "256"]}


@dataclass
class DropbearServer:
    """``dropbear -F -E`` on ``host:port`` (inside the lab namespace), with its own keys."""

    lab: LabServer
    host: str
    port: int
    host_key_paths: dict[str, Path]
    host_public_keys: dict[str, str]  # "ed25519" -> "ssh-ed25519 AAAA..."
    log_path: Path
    _proc: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @property
    def host_key_fingerprints(self) -> dict[str, str]:
        return {kind: fingerprint(line) for kind, line in self.host_public_keys.items()}

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self.running and self._proc is not None else None

    def argv(self) -> list[str]:
        keys = [arg for path in self.host_key_paths.values() for arg in ("-r", str(path))]
        # -F foreground, -E log to stderr, -w no root login, -m no motd, -P a pid file of
        # its own (the default is /var/run/dropbear.pid, shared by the whole machine)
        pid_file = self.log_path.with_suffix(".pid")
        return [DROPBEAR, "-F", "-E", "-w", "-m", "-P", str(pid_file), *keys]

    def start(self) -> None:
        if self.running:
            return
        with open(self.log_path, "ab") as log:
            self._proc = self.lab.ns_popen(
                [*self.argv(), "-p", f"{self.host}:{self.port}"], stdout=log, stderr=log
            )
        _proc.wait_listening(self._proc, self.port, self.log_path)

    def kill(self, *, sessions: bool = True) -> None:
        """SIGKILL the listener and, with ``sessions``, its per-connection processes (a
        crash or reboot of the server: open sessions die; user processes survive)."""
        proc = self._proc
        if proc is None or proc.poll() is not None:
            return
        os.kill(proc.pid, signal.SIGSTOP)
        victims = [proc.pid]
        if sessions:
            victims += [p for p in _proc.descendants(proc.pid) if _proc.exe_of(p) == DROPBEAR]
        _proc.kill_pids(victims)
        proc.wait()
        _proc.wait_gone(victims, timeout=5)

    def restart(self) -> None:
        self.kill()
        self.start()

    def close(self) -> None:
        self.kill()


def _make_host_key(kind: str, path: Path) -> str:
    """A new host key in Dropbear's format; returns the public key (known_hosts form)."""
    subprocess.run(
        [DROPBEARKEY, *KEY_TYPES[kind], "-f", str(path)],
        capture_output=True,
        check=True,
        timeout=60,
    )
    shown = subprocess.run(
        [DROPBEARKEY, "-y", "-f", str(path)], capture_output=True, text=True, check=True
    ).stdout
    for line in shown.splitlines():
        if line.startswith(("ssh-", "ecdsa-")):
            return " ".join(line.split()[:2])
    raise HarnessError(f"dropbearkey -y printed no public key: {shown!r}")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_dropbear(lab: LabServer, workdir: Path) -> DropbearServer:
    """Dropbear on the lab server's address (port 2022 in the namespace, a free port on
    loopback), for the harness's users, password and key login. Needs root (it logs
    users in by switching to them)."""
    lab.require_password_auth()
    if not os.access(DROPBEAR, os.X_OK):
        unavailable(f"dropbear-bin is not installed ({DROPBEAR})")
    workdir.mkdir(parents=True, exist_ok=True)
    paths: dict[str, Path] = {}
    public: dict[str, str] = {}
    for kind in KEY_TYPES:
        paths[kind] = workdir / f"dropbear_{kind}_host_key"
        public[kind] = _make_host_key(kind, paths[kind])
    port = NETNS_PORT if lab.netns is not None else _free_port()
    server = DropbearServer(lab, lab.host, port, paths, public, workdir / "dropbear.log")
    server.start()
    return server

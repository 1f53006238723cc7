"""A throwaway OpenSSH server on 127.0.0.1 for benchmarks and forwarder tests.

Runs ``/usr/sbin/sshd -D`` as the current user with its own host key, its own
authorized_keys (one fresh ed25519 client key), key auth only, ``UsePAM no``
and ``StrictModes no``, on a port picked at run time. Everything lives in one
temporary directory that :meth:`LoopbackSshd.stop` removes; the server and its
per-connection children are ended by PID.
"""

from __future__ import annotations

import base64
import contextlib
import getpass
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType

import paramiko
from tests.harness._proc import stop_popen

SSHD = "/usr/sbin/sshd"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _descendants(pid: int) -> list[int]:
    """PIDs of all descendants of ``pid`` (Linux /proc), deepest last."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    out: list[int] = []
    todo = [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            out.append(child)
            todo.append(child)
    return out


def public_key(line: str) -> paramiko.PKey:
    """A paramiko key from an OpenSSH public key line ("ssh-ed25519 AAAA...")."""
    key_type, b64 = line.split()[:2]
    return paramiko.PKey.from_type_string(key_type, base64.b64decode(b64))


def open_transport(
    port: int,
    user: str,
    key_path: Path | str,
    host_key: paramiko.PKey,
    *,
    tune: bool = True,
) -> paramiko.Transport:
    """Connect to 127.0.0.1:port, verify the host key exactly, authenticate with the key.

    Stands in for labtunnel.core.ssh.session until it lands: same tuning, no AutoAddPolicy.
    """
    from labtunnel.core.ssh.fast.transport import tune_transport

    client_key = paramiko.PKey.from_path(key_path)
    sock = socket.create_connection(("127.0.0.1", port), timeout=10.0)
    transport = paramiko.Transport(sock)
    try:
        if tune:
            tune_transport(transport)
        transport.start_client(timeout=10.0)
        key = transport.get_remote_server_key()
        if key.get_name() != host_key.get_name() or key.asbytes() != host_key.asbytes():
            raise paramiko.BadHostKeyException("127.0.0.1", key, host_key)
        transport.auth_publickey(user, client_key)
    except BaseException:
        transport.close()
        raise
    return transport


class LoopbackSshd:
    def __init__(self, extra_config: str = "") -> None:
        self.user = getpass.getuser()
        self.port = 0
        self.tmp = Path(tempfile.mkdtemp(prefix=f"labtunnel-sshd-{os.getpid()}-"))
        self.client_key_path = self.tmp / "id_ed25519"
        self.known_hosts_path = self.tmp / "known_hosts"
        self._extra_config = extra_config
        self._proc: subprocess.Popen[bytes] | None = None
        self.host_key: paramiko.PKey | None = None
        self.host_key_line = ""

    def start(self) -> LoopbackSshd:
        try:
            self._start()
        except BaseException:
            self.stop()
            raise
        return self

    def _start(self) -> None:
        host_key = self.tmp / "host_ed25519"
        for path in (host_key, self.client_key_path):
            subprocess.run(
                ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "", "-f", str(path)],
                check=True,
            )
        shutil.copy(f"{self.client_key_path}.pub", self.tmp / "authorized_keys")
        self.host_key_line = " ".join(host_key.with_suffix(".pub").read_text().split()[:2])
        self.host_key = public_key(self.host_key_line)
        if os.geteuid() == 0:
            Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)
        for _attempt in range(5):
            self.port = free_port()
            config = self.tmp / "sshd_config"
            config.write_text(
                f"Port {self.port}\n"
                "ListenAddress 127.0.0.1\n"
                f"HostKey {host_key}\n"
                "PidFile none\n"
                f"AuthorizedKeysFile {self.tmp / 'authorized_keys'}\n"
                "PubkeyAuthentication yes\n"
                "PasswordAuthentication no\n"
                "KbdInteractiveAuthentication no\n"
                "UsePAM no\n"
                "StrictModes no\n"
                "PermitRootLogin prohibit-password\n"
                "AllowTcpForwarding yes\n"
                "MaxStartups 200:30:400\n"
                "LogLevel ERROR\n" + self._extra_config
            )
            self._proc = subprocess.Popen(
                [SSHD, "-D", "-e", "-f", str(config)],
                stdin=subprocess.DEVNULL,
                stderr=(self.tmp / "sshd.log").open("ab"),
            )
            if self._wait_listening(10.0):
                break
            self._end_server()
        else:
            log = (self.tmp / "sshd.log").read_text(errors="replace")
            raise RuntimeError(f"sshd did not start: {log[-2000:]}")
        self.known_hosts_path.write_text(f"[127.0.0.1]:{self.port} {self.host_key_line}\n")

    def _wait_listening(self, timeout: float) -> bool:
        assert self._proc is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                return False
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1.0) as s:
                    if s.recv(64).startswith(b"SSH-"):
                        return True
            except OSError:
                time.sleep(0.02)
        return False

    def connect_transport(self, *, tune: bool = True) -> paramiko.Transport:
        """An authenticated paramiko transport whose host key is checked against ours."""
        assert self.host_key is not None
        return open_transport(self.port, self.user, self.client_key_path, self.host_key, tune=tune)

    def ssh_base_args(self) -> list[str]:
        """OpenSSH client arguments that reach this server with host key checking on."""
        return [
            "ssh",
            "-F",
            "none",
            "-p",
            str(self.port),
            "-i",
            str(self.client_key_path),
            "-o",
            "IdentitiesOnly=yes",
            "-o",
            "StrictHostKeyChecking=yes",
            "-o",
            f"UserKnownHostsFile={self.known_hosts_path}",
            "-o",
            "GlobalKnownHostsFile=/dev/null",
            "-o",
            "BatchMode=yes",
            "-o",
            "LogLevel=ERROR",
            "-l",
            self.user,
        ]

    def _end_server(self) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        # sshd's per-connection children run in their own sessions: end them by PID too.
        victims = [proc.pid, *_descendants(proc.pid)] if proc.poll() is None else []
        for pid in victims:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
        stop_popen(proc)

    def stop(self) -> None:
        self._end_server()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def __enter__(self) -> LoopbackSshd:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

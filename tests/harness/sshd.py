"""One OpenSSH server process with its own config, host keys and log file."""

from __future__ import annotations

import os
import signal
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from . import _proc
from .keys import HostKeySet

SSHD = "/usr/sbin/sshd"


@dataclass(frozen=True)
class SshdSettings:
    listen_host: str
    port: int
    host_keys: HostKeySet
    allow_users: tuple[str, ...]
    use_pam: bool = True
    authorized_keys_file: str = ".ssh/authorized_keys"
    strict_modes: bool = True
    extra_lines: tuple[str, ...] = ()

    def render(self) -> str:
        # sshd keeps the FIRST value it reads for a keyword: the caller's lines go first,
        # except Match blocks, which must come last.
        extra = list(self.extra_lines)
        match_at = next(
            (i for i, line in enumerate(extra) if line.strip().lower().startswith("match ")),
            len(extra),
        )
        lines = ["# LabTunnel test harness", *extra[:match_at]]
        lines += [f"ListenAddress {self.listen_host}:{self.port}"]
        lines += [f"HostKey {path}" for path in self.host_keys.paths.values()]
        yes_no = {True: "yes", False: "no"}
        lines += [
            "PidFile none",
            "LogLevel VERBOSE",
            f"UsePAM {yes_no[self.use_pam]}",
            f"PasswordAuthentication {yes_no[self.use_pam]}",
            f"KbdInteractiveAuthentication {yes_no[self.use_pam]}",
            "PubkeyAuthentication yes",
            f"AuthorizedKeysFile {self.authorized_keys_file}",
            f"StrictModes {yes_no[self.strict_modes]}",
            "PermitRootLogin no",
            f"AllowUsers {' '.join(self.allow_users)}",
            "AllowTcpForwarding yes",
            "X11Forwarding no",
            "PrintMotd no",
            "PrintLastLog no",
            "LoginGraceTime 30",
            "MaxStartups 256",
            "MaxSessions 64",
            "Subsystem sftp internal-sftp",
        ]
        lines += extra[match_at:]
        return "\n".join(lines) + "\n"


class Sshd:
    """``sshd -D -e -f CONFIG`` in the foreground, run through ``exec_prefix`` (e.g. netns)."""

    def __init__(
        self, name: str, settings: SshdSettings, workdir: Path, exec_prefix: Sequence[str]
    ) -> None:
        self.name = name
        self.settings = settings
        self.config_path = workdir / f"{name}_sshd_config"
        self.log_path = workdir / f"{name}_sshd.log"
        self._exec_prefix = list(exec_prefix)
        self._proc: subprocess.Popen[bytes] | None = None
        self.config_path.write_text(settings.render())

    @property
    def port(self) -> int:
        return self.settings.port

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self.running and self._proc else None

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def start(self) -> None:
        if self.running:
            return
        with open(self.log_path, "ab") as log:
            self._proc = subprocess.Popen(
                [*self._exec_prefix, SSHD, "-D", "-e", "-f", str(self.config_path)],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
            )
        _proc.wait_listening(self._proc, self.port, self.log_path)

    def kill(self, *, sessions: bool = True) -> None:
        """SIGKILL the listener and, with ``sessions``, every per-connection sshd under it.

        The listener is stopped first so that no connection forks while we look.
        Processes that are not sshd (a user's shell or a detached Jupyter) are left alone.
        """
        proc = self._proc
        if proc is None or proc.poll() is not None:
            return
        os.kill(proc.pid, signal.SIGSTOP)
        victims = [proc.pid]
        if sessions:
            victims += [pid for pid in _proc.descendants(proc.pid) if _proc.exe_of(pid) == SSHD]
        _proc.kill_pids(victims)
        proc.wait()
        _proc.wait_gone(victims, timeout=5)

    def session_pids(self) -> list[int]:
        """The per-connection sshd processes under the listener (none when stopped)."""
        proc = self._proc
        if proc is None or proc.poll() is not None:
            return []
        return [pid for pid in _proc.descendants(proc.pid) if _proc.exe_of(pid) == SSHD]

    def restart(self, *, sessions: bool = True) -> None:
        self.kill(sessions=sessions)
        self.start()

"""The cluster's daemons as foreground processes whose PID is the daemon's own.

Debian's ``/usr/sbin/slurmctld`` etc. are alternatives symlinks to ``slurmctld-wlm``; every
wrapper step here execs, so ``Popen.pid`` is the daemon. ``slurmstepd`` forks away from
slurmd (its parent becomes PID 1): it is found through the namespace, not the process tree.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from tests.harness.errors import HarnessError

MUNGED = "/usr/sbin/munged"
SLURMCTLD = "/usr/sbin/slurmctld"
SLURMD = "/usr/sbin/slurmd"


class Daemon:
    """One foreground daemon: ``argv`` with stdout+stderr appended to ``log_path``."""

    def __init__(self, name: str, argv: Sequence[str], log_path: Path) -> None:
        self.name = name
        self.argv = list(argv)
        self.log_path = log_path
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self.running and self._proc is not None else None

    def start(self) -> None:
        if self.running:
            return
        with open(self.log_path, "ab") as log:
            self._proc = subprocess.Popen(
                self.argv, stdin=subprocess.DEVNULL, stdout=log, stderr=log
            )

    def wait_until(self, ready: Callable[[int], bool], what: str, timeout: float = 20) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            proc = self._proc
            if proc is None or proc.poll() is not None:
                code = proc.returncode if proc is not None else None
                raise HarnessError(f"{self.name} exited ({code}) before {what}" + self.log_tail())
            if ready(proc.pid):
                return
            time.sleep(0.02)
        raise HarnessError(f"{self.name}: no {what} after {timeout} s" + self.log_tail())

    def kill(self, sig: int = signal.SIGKILL) -> None:
        proc = self._proc
        if proc is None or proc.poll() is not None:
            return
        os.kill(proc.pid, sig)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()

    def log_tail(self, lines: int = 20) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return ""
        return f"\n--- {self.log_path} ---\n" + "\n".join(text.splitlines()[-lines:])


def munged_argv(
    key: Path, socket: Path, munge_dir: Path, munge_uid: int, munge_gid: int
) -> list[str]:
    return [
        "setpriv", f"--reuid={munge_uid}", f"--regid={munge_gid}", "--clear-groups", "--",
        MUNGED, "--foreground", f"--key-file={key}", f"--socket={socket}",
        f"--pid-file={munge_dir}/munged.pid", f"--seed-file={munge_dir}/munged.seed",
        f"--log-file={munge_dir}/munged.log", "--num-threads=4",
    ]  # fmt: skip


def slurmctld_argv() -> list[str]:
    return [SLURMCTLD, "-D", "-i"]


def slurmd_argv(node: str) -> list[str]:
    # ``ip netns exec`` mounts a fresh /sys whose cgroup folder is empty, and slurmd always
    # loads a cgroup plugin: give it a private empty tmpfs there, in its own mount namespace.
    return [
        "unshare", "--mount", "--propagation", "private", "--",
        "sh", "-c", 'mount -t tmpfs -o size=1m,mode=755 lt-cgroup /sys/fs/cgroup && exec "$@"',
        "sh", SLURMD, "-D", "-N", node,
    ]  # fmt: skip

"""Which test sessions are alive: each holds an flock on its own marker file.

The kernel drops the lock when the session dies however it dies, so a later session can
tell leftovers (namespaces, users) of a dead session from those of a live one, even if the
PID was reused.
"""

from __future__ import annotations

import contextlib
import fcntl
import os

from . import _proc

_DIR = "/run/lock/labtunnel-test"


def _path(pid: int) -> str:
    return f"{_DIR}/{pid}.alive"


def claim(pid: int) -> int:
    os.makedirs(_DIR, mode=0o755, exist_ok=True)
    fd = os.open(_path(pid), os.O_RDWR | os.O_CREAT, 0o644)
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    return fd


def release(fd: int, pid: int) -> None:
    with contextlib.suppress(OSError):
        os.unlink(_path(pid))
    with contextlib.suppress(OSError):
        os.close(fd)


def is_dead(pid: int) -> bool:
    try:
        fd = os.open(_path(pid), os.O_RDWR)
    except FileNotFoundError:
        return not _proc.pid_alive(pid)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    finally:
        os.close(fd)
    with contextlib.suppress(OSError):
        os.unlink(_path(pid))
    return True

"""The socket primitives the fast paths and the forwarder build on, per platform.

Windows' Python has neither ``socket.socket.sendmsg`` nor ``os.writev``, and its
``select()`` (what ``selectors.DefaultSelector`` is there) takes at most 512 sockets.
The forwarder and the packet paths work with ``send`` of joined buffers and selector
loops of at most :data:`SOCKETS_PER_LOOP` sockets; gathering writes are an optimisation
where they exist. The flags are read at call time (tests set them).

``LABTUNNEL_WINDOWS_PATH=1`` makes a process decide exactly as on Windows (the
benchmark's "Windows path" column, the tests' "windows" runs): no sendmsg, no writev,
500 sockets per loop.
"""

from __future__ import annotations

import os
import socket
import sys
from collections.abc import Sequence

WINDOWS_PATH_ENV = "LABTUNNEL_WINDOWS_PATH"

#: this process takes the path a Windows machine takes
WINDOWS_PATH: bool = sys.platform == "win32" or os.environ.get(WINDOWS_PATH_ENV) == "1"
#: a gathering send on sockets (one system call for a list of buffers)
HAS_SENDMSG: bool = hasattr(socket.socket, "sendmsg") and not WINDOWS_PATH
#: a gathering write on file descriptors (does not poll first, unlike socket methods)
HAS_WRITEV: bool = hasattr(os, "writev") and not WINDOWS_PATH
#: sockets one selector loop serves, or None for no limit. CPython's select() on
#: Windows takes 512 sockets per set; a loop also has its listeners and a wake-up socket.
SOCKETS_PER_LOOP: int | None = 500 if WINDOWS_PATH else None

Buffer = bytes | bytearray | memoryview


def send_parts(sock: socket.socket, parts: Sequence[Buffer]) -> int:
    """Send as much of ``parts`` as the (non-blocking) socket takes, in one system call;
    returns the number of bytes sent. Without sendmsg the parts are joined first."""
    if len(parts) == 1:
        return sock.send(parts[0])
    if HAS_SENDMSG:
        return sock.sendmsg(parts)
    return sock.send(b"".join(parts))


def describe() -> dict[str, object]:
    """What this process decided (the tests compare it with a real Windows-like one)."""
    return {
        "windows_path": WINDOWS_PATH,
        "sendmsg": HAS_SENDMSG,
        "writev": HAS_WRITEV,
        "sockets_per_loop": SOCKETS_PER_LOOP,
    }

"""Make this Python process look like Windows to LabTunnel's socket code.

Windows' CPython has neither ``socket.socket.sendmsg`` nor ``os.writev``. :func:`emulate`
takes both away (before anything imports ``labtunnel``), so the forwarder and the fast
paths decide exactly as they do there: the benchmark's "Windows path" column and
``python windows_path.py -m labtunnel ...`` (the CLI on the Windows path) use it.
``socket.socket`` becomes a subclass whose class and instances have no ``sendmsg`` (its
methods are the C ones: nothing gets slower); ``os.writev`` is deleted.
"""

from __future__ import annotations

import os
import runpy
import socket
import sys
from typing import Any, NoReturn

HIDDEN = ("sendmsg", "recvmsg", "recvmsg_into")


class _NoSendmsgType(type):
    def __getattribute__(cls, name: str) -> Any:
        if name in HIDDEN:
            raise AttributeError(name)
        return super().__getattribute__(name)


def _hidden(self: object) -> NoReturn:
    raise AttributeError("not on Windows")


def emulate() -> None:
    """Hide sendmsg (class and instances) and os.writev; idempotent."""
    if getattr(socket, "_labtunnel_windows_path", False):
        return
    namespace: dict[str, Any] = {name: property(_hidden) for name in HIDDEN}
    namespace["__slots__"] = ()
    namespace["__module__"] = "socket"
    windows_socket = _NoSendmsgType("socket", (socket.socket,), namespace)
    # socket.py's own helpers (create_connection, accept, socketpair) build instances
    # through the module global, so they make the Windows-like class too
    socket.socket = windows_socket  # type: ignore[misc,assignment]
    socket.SocketType = windows_socket  # type: ignore[assignment]
    if hasattr(os, "writev"):
        del os.writev
    socket._labtunnel_windows_path = True  # type: ignore[attr-defined]


def looks_like_windows() -> bool:
    probe_a, probe_b = socket.socketpair()
    try:
        return (
            not hasattr(socket.socket, "sendmsg")
            and not hasattr(probe_a, "sendmsg")
            and not hasattr(os, "writev")
        )
    finally:
        probe_a.close()
        probe_b.close()


def main() -> None:
    """``python windows_path.py -m MODULE ARGS...``: run MODULE on the Windows path."""
    if len(sys.argv) < 3 or sys.argv[1] != "-m":
        raise SystemExit("usage: windows_path.py -m MODULE [ARGS...]")
    emulate()
    module = sys.argv[2]
    sys.argv = [module, *sys.argv[3:]]
    runpy.run_module(module, run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()

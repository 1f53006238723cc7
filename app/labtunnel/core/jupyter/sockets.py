"""Where a Jupyter that LabTunnel starts listens: a private Unix socket when it can,
else the server's 127.0.0.1 on a free port, as before.

On a shared server every user can connect to 127.0.0.1; only the token keeps them out,
and users' servers compete for ports. A socket in a folder only the user can open
(mode 0700, the socket 0600) cannot even be connected to by anyone else. It needs sshd to
forward to Unix sockets (OpenSSH 6.7 and later, ``AllowStreamLocalForwarding``), a
LabTunnel whose paramiko can open such channels, and a Jupyter with ``--sock``. Before
Jupyter starts, :func:`parse_prepare` and :func:`check_socket_forwarding` find out: a
short-lived listener in the socket folder (``scripts/sock_prepare.py``) is opened through
the SSH session. Each reason for falling back is a :class:`SocketFallback` that the log
and the tray name.
"""

from __future__ import annotations

import logging
import secrets
import shlex
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Protocol

import paramiko

from labtunnel.core.errors import SocketForwardingRefused, SocketRefusal
from labtunnel.core.jupyter.scripts import script, source
from labtunnel.core.ssh.fast.streamlocal import STREAMLOCAL_AVAILABLE
from labtunnel.core.ssh.remote import Section

log = logging.getLogger(__name__)


class SocketFallback(str, Enum):
    SSHD_REFUSES = "sshd_refuses"  # AllowStreamLocalForwarding no, DisableForwarding
    SSH_SERVER_UNSUPPORTED = "ssh_server_unsupported"  # e.g. Dropbear: no such channel
    CLIENT_UNSUPPORTED = "client_unsupported"  # this paramiko: the probe switched it off
    NO_PRIVATE_FOLDER = "no_private_folder"  # cannot make a 0700 folder of the user's
    PATH_TOO_LONG = "path_too_long"  # the home's path leaves no room in a socket address
    NO_SOCKETS_THERE = "no_sockets_there"  # the file system refuses sockets
    NO_PYTHON = "no_python"  # nothing on the server to prepare the folder with
    JUPYTER_TOO_OLD = "jupyter_too_old"  # it has no --sock


_UNUSABLE = {
    "too_long": SocketFallback.PATH_TOO_LONG,
    "not_private": SocketFallback.NO_PRIVATE_FOLDER,
    "bind_failed": SocketFallback.NO_SOCKETS_THERE,
}

_REFUSED = {
    SocketRefusal.REFUSED: SocketFallback.SSHD_REFUSES,
    SocketRefusal.UNSUPPORTED: SocketFallback.SSH_SERVER_UNSUPPORTED,
    SocketRefusal.CLIENT: SocketFallback.CLIENT_UNSUPPORTED,
}


class UnixSocketOpener(Protocol):
    """What the socket check needs from an SSH session."""

    def open_unix_channel(self, path: str) -> paramiko.Channel: ...


@dataclass(frozen=True)
class ListenPlan:
    """``socket_path`` set: start Jupyter there; else on TCP, for ``fallback``."""

    socket_path: str = ""
    fallback: SocketFallback | None = None


def prepare_script() -> str:
    """After functions.sh and a PY: the folder and the probe listener (sections
    SOCKDIR + PROBE, or SOCK-UNUSABLE)."""
    return script(
        "sock_prepare",
        lt_sock_snippet=shlex.quote(source("sock_prepare.py")),
        lt_probe_name=secrets.token_hex(6),
    )


def parse_prepare(found: Mapping[str, Section]) -> ListenPlan | str:
    """The plan when the folder is unusable, else the probe socket's path to check."""
    if "SOCK-UNUSABLE" in found:
        reason = found["SOCK-UNUSABLE"].arg.strip()
        if reason == "no_python":
            return ListenPlan(fallback=SocketFallback.NO_PYTHON)
        return ListenPlan(fallback=_UNUSABLE.get(reason, SocketFallback.NO_PRIVATE_FOLDER))
    folder = found["SOCKDIR"].arg.strip() if "SOCKDIR" in found else ""
    probe = found["PROBE"].arg.strip() if "PROBE" in found else ""
    if not folder.startswith("/") or not probe.startswith(folder + "/"):
        return ListenPlan(fallback=SocketFallback.NO_PRIVATE_FOLDER)
    return probe


def check_socket_forwarding(opener: UnixSocketOpener, probe_path: str) -> ListenPlan:
    """Open a channel to the probe listener: the plan for Jupyter's own socket beside it,
    or the fallback the SSH server or this LabTunnel forces."""
    try:
        opener.open_unix_channel(probe_path).close()
    except SocketForwardingRefused as exc:
        return ListenPlan(fallback=_REFUSED.get(exc.reason, SocketFallback.SSHD_REFUSES))
    folder = probe_path.rsplit("/", 1)[0]
    return ListenPlan(socket_path=f"{folder}/jupyter-{secrets.token_hex(6)}.sock")


def client_can_forward_sockets() -> bool:
    return STREAMLOCAL_AVAILABLE


def socket_reachable(opener: UnixSocketOpener, path: str) -> SocketFallback | None:
    """None when a channel to ``path`` opens (a running server's socket), else why not."""
    try:
        opener.open_unix_channel(path).close()
    except SocketForwardingRefused as exc:
        return _REFUSED.get(exc.reason, SocketFallback.SSHD_REFUSES)
    return None

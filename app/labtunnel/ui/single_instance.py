"""One LabTunnel per user and configuration: a second launch hands over and exits.

The first instance listens on a QLocalServer; a later one connects, sends one
line (``show``, or ``open <file URL>`` for a lab profile to import) and quits.
A socket left behind by a crash is removed only after nobody answers on it. The
socket lives where only this user can reach it (see :func:`server_name`), and both
ends check that the other runs as the same user.
"""

from __future__ import annotations

import getpass
import hashlib
import itertools
import logging
import os
import socket as pysocket
import struct
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path

from PySide6.QtCore import QObject, QUrl, Signal
from PySide6.QtNetwork import QAbstractSocket, QLocalServer, QLocalSocket

from labtunnel.core.platform.private import make_private_folder, private_folders

log = logging.getLogger(__name__)

SHOW = "show"
OPEN = "open "


def open_message(path: Path) -> str:
    """Asks the running instance to import ``path``: a file URL, percent-encoded, so the
    message stays one line whatever the name holds."""
    url = QUrl.fromLocalFile(str(path.expanduser().absolute()))
    return OPEN + url.toString(QUrl.ComponentFormattingOption.FullyEncoded)


def opened_path(message: str) -> Path | None:
    """The file of an ``open`` message, else None."""
    if not message.startswith(OPEN):
        return None
    url = QUrl(message[len(OPEN) :], QUrl.ParsingMode.StrictMode)
    if not url.isValid() or not url.isLocalFile():
        return None
    return Path(url.toLocalFile())


def server_name(config_dir: Path, environ: Mapping[str, str] | None = None) -> str:
    """Where the first instance listens, one per configuration folder (so test runs and
    portable installs do not meet).

    Never a name other users can take first: Qt puts a bare name in /tmp on Linux, where
    anyone can create it. On Unix it is a socket in ``$XDG_RUNTIME_DIR`` when that folder
    is private (the user's own, mode 0700), else in the config folder (0700); Windows
    named pipes get the user's name in theirs and Qt's user-only access rights."""
    digest = hashlib.sha256(str(config_dir.expanduser().resolve()).encode()).hexdigest()[:16]
    name = f"labtunnel-{digest}"
    if sys.platform == "win32":
        return f"{name}-{getpass.getuser()}"
    for folder in private_folders(config_dir, environ):
        path = folder / name
        if len(os.fsencode(path)) < _MAX_SOCKET_PATH:
            return str(path)
    try:
        return str(_private_temp_folder() / name)
    except OSError as exc:
        # someone else made our folder in /tmp: a name nobody can guess (no handing over)
        log.warning("%s; this launch will not find a running LabTunnel", exc)
        return str(Path(tempfile.mkdtemp(prefix="labtunnel-")) / name)


#: sun_path holds 104 bytes on macOS, 108 on Linux (with the final NUL)
_MAX_SOCKET_PATH = 100


def _private_temp_folder() -> Path:
    """``/tmp/labtunnel-<uid>``, 0700 and ours (for config folders whose path is too long
    for a socket); one made by someone else is refused."""
    return make_private_folder(Path(tempfile.gettempdir()) / f"labtunnel-{os.geteuid()}")


def peer_is_this_user(socket: QLocalSocket | None) -> bool:
    """True when the process at the other end runs as this user (Linux: SO_PEERCRED;
    elsewhere the socket's private folder is what keeps others out)."""
    peer_cred = getattr(pysocket, "SO_PEERCRED", None)
    if socket is None or peer_cred is None:
        return True
    descriptor = int(socket.socketDescriptor())
    if descriptor < 0:
        return False
    try:
        with pysocket.fromfd(descriptor, pysocket.AF_UNIX, pysocket.SOCK_STREAM) as probe:
            raw = probe.getsockopt(pysocket.SOL_SOCKET, peer_cred, struct.calcsize("3i"))
    except OSError:
        return False
    _pid, uid, _gid = struct.unpack("3i", raw)
    return bool(uid == os.geteuid())


class SingleInstance(QObject):
    message_received = Signal(str)

    def __init__(self, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self._server: QLocalServer | None = None
        self._buffers: dict[str, bytearray] = {}
        self._serial = itertools.count(1)

    @property
    def is_primary(self) -> bool:
        return self._server is not None and self._server.isListening()

    def claim(self, message: str = SHOW, timeout_ms: int = 1000) -> bool:
        """True: we are the first instance and now listen. False: ``message`` was
        handed to the running instance, the caller should exit."""
        if self._send(message, timeout_ms):
            return False
        server = QLocalServer(self)
        server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        server.newConnection.connect(self._accept)
        if not server.listen(self.name):
            if server.serverError() != QAbstractSocket.SocketError.AddressInUseError:
                log.warning("single-instance server failed: %s", server.errorString())
                return True  # run anyway: better two instances than none
            if self._send(message, timeout_ms):
                return False
            QLocalServer.removeServer(self.name)  # stale: nobody answered on it
            if not server.listen(self.name):
                log.warning("single-instance server failed: %s", server.errorString())
                return True
        self._server = server
        return True

    def close(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None

    def _send(self, message: str, timeout_ms: int) -> bool:
        socket = QLocalSocket()
        socket.connectToServer(self.name)
        if not socket.waitForConnected(timeout_ms):
            return False
        if not peer_is_this_user(socket):
            log.warning("the single-instance socket %s belongs to another user: ignored", self.name)
            socket.abort()
            return False
        socket.write((message + "\n").encode("utf-8"))
        sent = socket.waitForBytesWritten(timeout_ms)
        socket.disconnectFromServer()
        if socket.state() != QLocalSocket.LocalSocketState.UnconnectedState:
            socket.waitForDisconnected(timeout_ms)
        return sent

    def _accept(self) -> None:
        assert self._server is not None
        while (socket := self._server.nextPendingConnection()) is not None:
            if not peer_is_this_user(socket):
                log.warning("refused a single-instance message from another user")
                socket.abort()
                socket.deleteLater()
                continue
            socket.setObjectName(f"peer-{next(self._serial)}")
            socket.readyRead.connect(self._read)
            socket.disconnected.connect(self._drop)
            self._read_from(socket)

    def _read(self) -> None:
        socket = self.sender()
        if isinstance(socket, QLocalSocket):
            self._read_from(socket)

    def _read_from(self, socket: QLocalSocket) -> None:
        data = self._buffers.setdefault(socket.objectName(), bytearray())
        data.extend(socket.readAll().data())
        while b"\n" in data:
            line, _, rest = bytes(data).partition(b"\n")
            data[:] = rest
            self.message_received.emit(line.decode("utf-8", "replace").strip())

    def _drop(self) -> None:
        socket = self.sender()
        if isinstance(socket, QLocalSocket):
            self._buffers.pop(socket.objectName(), None)
            socket.deleteLater()

"""One LabTunnel per user and configuration: a second launch hands over and exits.

The first instance listens on a QLocalServer; a later one connects, sends one
line (``show``, or ``open <file URL>`` for a lab profile to import) and quits.
A socket left behind by a crash is removed only after nobody answers on it.
"""

from __future__ import annotations

import hashlib
import itertools
import logging
from pathlib import Path

from PySide6.QtCore import QObject, QUrl, Signal
from PySide6.QtNetwork import QAbstractSocket, QLocalServer, QLocalSocket

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


def server_name(config_dir: Path) -> str:
    """Per configuration folder, so test runs and portable installs do not meet."""
    digest = hashlib.sha256(str(config_dir.expanduser().resolve()).encode()).hexdigest()[:16]
    return f"labtunnel-{digest}"


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
        socket.write((message + "\n").encode("utf-8"))
        sent = socket.waitForBytesWritten(timeout_ms)
        socket.disconnectFromServer()
        if socket.state() != QLocalSocket.LocalSocketState.UnconnectedState:
            socket.waitForDisconnected(timeout_ms)
        return sent

    def _accept(self) -> None:
        assert self._server is not None
        while (socket := self._server.nextPendingConnection()) is not None:
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

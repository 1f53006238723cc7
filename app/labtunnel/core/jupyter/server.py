"""One running Jupyter server of the user, as the lab server sees it, and how to ask it
whether it answers."""

from __future__ import annotations

import http.client
import ssl
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlsplit

from labtunnel.core.logs import register_secret
from labtunnel.core.profiles.model import JupyterApp

if TYPE_CHECKING:
    from labtunnel.core.jupyter.gpus import GpuAssignment
    from labtunnel.core.jupyter.sockets import SocketFallback


@dataclass(frozen=True)
class UnixSocket:
    """A forward's destination that is a Unix socket on the server."""

    path: str


#: where a forward goes on the server: ``(host, port)`` or a Unix socket
Destination = tuple[str, int] | UnixSocket


@dataclass(frozen=True)
class LaunchInfo:
    """What LabTunnel decided when it started a server (None for a server found running)."""

    #: why it listens on TCP although LabTunnel prefers a private socket (None: socket)
    socket_fallback: SocketFallback | None = None
    gpu: GpuAssignment | None = None


@dataclass(frozen=True)
class JupyterDetails:
    """How the user's Jupyter runs, for front ends (no token in it)."""

    sock: str
    port: int
    pid: int | None
    #: None: found running (started earlier, or by the user), so it keeps its settings
    launch: LaunchInfo | None
    #: a running server on a socket was passed over: it cannot be reached from here
    skipped_socket: SocketFallback | None = None


@dataclass(frozen=True)
class JupyterServer:
    """One running Jupyter server of the user, as the server sees it: reached either
    on ``host:port`` or, when ``sock`` is set, on that Unix socket (then port is 0)."""

    url: str
    #: address to forward to, as seen on the server (127.0.0.1 for loopback/wildcard)
    host: str
    port: int
    base_url: str = "/"
    #: secret: never in repr, logs or exception text
    token: str = field(default="", repr=False)
    pid: int | None = None
    root_dir: str = ""
    version: str = ""
    #: page to open: lab, notebook (``/tree``), or None for the server's default page
    app: JupyterApp | None = None
    secure: bool = False
    #: password-protected (then ``token`` is usually empty)
    password: bool = False
    #: the Unix socket it listens on ("" for TCP)
    sock: str = ""
    #: set when LabTunnel started it in this connection
    launch: LaunchInfo | None = None
    #: a server of the user's on a socket was passed over for this one: why
    skipped_socket: SocketFallback | None = None

    @property
    def scheme(self) -> str:
        return "https" if self.secure else "http"

    def details(self) -> JupyterDetails:
        return JupyterDetails(self.sock, self.port, self.pid, self.launch, self.skipped_socket)

    @property
    def destination(self) -> Destination:
        return UnixSocket(self.sock) if self.sock else (self.host, self.port)

    @property
    def endpoint(self) -> str:
        """``host:port`` or the socket's path, for scripts run on the server."""
        if self.sock:
            return self.sock
        return f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"

    def local_url(self, local_port: int) -> str:
        """The URL to open in the browser through a forward on ``local_port``."""
        pages: dict[JupyterApp | None, str] = {JupyterApp.LAB: "lab", JupyterApp.NOTEBOOK: "tree"}
        page = pages.get(self.app, "")
        query = f"?token={quote(self.token, safe='')}" if self.token else ""
        return f"{self.scheme}://127.0.0.1:{local_port}{self.base_url}{page}{query}"


class StopOutcome(str, Enum):
    REST = "rest"  # shut down cleanly through /api/shutdown
    TERM = "term"  # REST did not work; SIGTERM did (still a clean shutdown)
    KILL = "kill"  # SIGKILL: kernels may be left behind
    NOT_RUNNING = "not_running"  # not listed for this user: nothing was touched


def forward_host(hostname: str) -> str:
    """Where to forward to for a server that says it listens on ``hostname``."""
    hostname = hostname.strip().strip("[]")
    if hostname in ("", "localhost", "0.0.0.0", "*", "127.0.0.1"):
        return "127.0.0.1"
    if hostname in ("::", "::1"):
        return "::1"
    return hostname


def _base_url(value: Any) -> str:
    text = str(value or "/").strip()
    if not text.startswith("/"):
        text = "/" + text
    if not text.endswith("/"):
        text += "/"
    return text


def _int_field(info: Mapping[str, Any], key: str) -> int | None:
    value = info.get(key)
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


def server_from_info(info: Mapping[str, Any]) -> JupyterServer | None:
    """A server from a runtime file / ``list --json`` object (on TCP, or on a Unix socket:
    ``sock``); None if unusable."""
    sock = info.get("sock")
    if isinstance(sock, str) and sock.startswith("/"):
        return _socket_server(info, sock)
    port = _int_field(info, "port")
    if port is None or not 0 < port < 65536:
        return None
    url = str(info.get("url") or "")
    parts = urlsplit(url)
    hostname = str(info.get("hostname") or parts.hostname or "")
    secure = bool(info.get("secure")) or parts.scheme == "https"
    base_url = _base_url(info.get("base_url") or parts.path or "/")
    pid = _int_field(info, "pid")
    scheme = "https" if secure else "http"
    host = forward_host(hostname)
    shown_host = f"[{host}]" if ":" in host else host
    token = str(info.get("token") or "")
    # secret from now on: masked in every log line, also as it appears in a URL
    register_secret(token)
    register_secret(quote(token, safe=""))
    return JupyterServer(
        url=f"{scheme}://{shown_host}:{port}{base_url}",
        host=host,
        port=port,
        base_url=base_url,
        token=token,
        pid=pid if pid is not None and pid > 0 else None,
        root_dir=str(info.get("root_dir") or info.get("notebook_dir") or ""),
        version=str(info.get("version") or ""),
        secure=secure,
        password=bool(info.get("password")),
    )


def _socket_server(info: Mapping[str, Any], sock: str) -> JupyterServer:
    base_url = _base_url(info.get("base_url") or "/")
    pid = _int_field(info, "pid")
    return JupyterServer(
        url=f"http+unix://{quote(sock, safe='')}{base_url}",
        host="",
        port=0,
        base_url=base_url,
        token=str(info.get("token") or ""),
        pid=pid if pid is not None and pid > 0 else None,
        root_dir=str(info.get("root_dir") or info.get("notebook_dir") or ""),
        version=str(info.get("version") or ""),
        secure=bool(info.get("secure")),
        password=bool(info.get("password")),
        sock=sock,
    )


def http_status(
    host: str,
    port: int,
    path: str,
    token: str,
    timeout: float,
    *,
    secure: bool = False,
    stream: Callable[[], Any] | None = None,
) -> int:
    """Status of a GET with ``Authorization: token``; 0 when there is no answer.

    The Host header says 127.0.0.1: Jupyter refuses other hosts (DNS rebinding
    protection), and that is what a browser on the forward sends. ``stream`` (not with
    ``secure``) opens the connection instead of ``host:port``: an SSH channel straight
    to Jupyter (one that fails to open raises OSError).
    """
    conn: http.client.HTTPConnection
    if stream is not None and not secure:
        conn = _StreamConnection(host, port, timeout, stream)
    elif secure:
        # the transport is the SSH tunnel; a user's https server has a self-made cert
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        conn = http.client.HTTPSConnection(host, port, timeout=timeout, context=context)
    else:
        conn = http.client.HTTPConnection(host, port, timeout=timeout)
    headers = {"Host": f"127.0.0.1:{port}"}
    if token:
        headers["Authorization"] = f"token {token}"
    try:
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        response.read()
        return response.status
    except (OSError, http.client.HTTPException):
        return 0
    finally:
        conn.close()


class _StreamConnection(http.client.HTTPConnection):
    """HTTP over a socket-like stream someone else opens (a paramiko Channel)."""

    def __init__(self, host: str, port: int, timeout: float, stream: Callable[[], Any]) -> None:
        super().__init__(host, port, timeout=timeout)
        self._stream = stream

    def connect(self) -> None:
        self.sock = self._stream()
        self.sock.settimeout(self.timeout)


def answers(status_text: str, server: JupyterServer) -> bool:
    """Does an HTTP status (``"200"``, ``"0 TimeoutError"``) mean Jupyter answers? With a
    token only 200 counts; a password-only server answers with a login page or redirect."""
    fields = status_text.split()
    status = int(fields[0]) if fields and fields[0].isdigit() else 0
    if server.token:
        return status == 200
    return 0 < status < 500

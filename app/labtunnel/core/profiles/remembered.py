"""What LabTunnel remembers between runs, per profile: the Jupyter it started on
the server (so the next connect reuses it) and the local ports it last used, for Jupyter and
for each extra forward by name (so a browser tab left open from last time finds Jupyter,
or TensorBoard, again).

Only pid, port, app and start time: never a token (the token is read from the
server each time, where only the user can see it).
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from labtunnel.core.platform.atomic import atomic_write_text

log = logging.getLogger(__name__)

SCHEMA_VERSION = 1
_SECTION = "jupyter"
_LOCAL_PORTS = "local_ports"
#: {profile id: {forward name: local port}} for the extra forwards (TensorBoard...)
_FORWARD_PORTS = "forward_ports"


@dataclass(frozen=True)
class RememberedServer:
    pid: int | None
    port: int
    started_at: float
    #: "lab" or "notebook": which page to open; "" when unknown
    app: str = ""


class RememberedServers:
    """Thread-safe; reads the file on first use, writes it atomically on every change.

    A file that cannot be read is moved aside (``NAME.corrupt-TIMESTAMP``) with a
    warning and LabTunnel starts afresh: losing this only costs a new Jupyter.
    Top-level keys other than ours are kept as they are.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.RLock()
        self._data: dict[str, Any] | None = None

    def get(self, profile_id: str) -> RememberedServer | None:
        with self._lock:
            entry = self._servers().get(profile_id)
            return _entry_to_server(entry) if entry is not None else None

    def remember(self, profile_id: str, server: RememberedServer) -> None:
        with self._lock:
            self._servers()[profile_id] = {
                "pid": server.pid,
                "port": server.port,
                "started_at": server.started_at,
                "app": server.app,
            }
            self._save()

    def forget(self, profile_id: str, only: RememberedServer | None = None) -> None:
        """Forget the profile's server; with ``only``, just when it is that one."""
        with self._lock:
            servers = self._servers()
            entry = servers.get(profile_id)
            if entry is None:
                return
            current = _entry_to_server(entry)
            if (
                only is not None
                and current is not None
                and ((current.pid, current.port) != (only.pid, only.port))
            ):
                return
            del servers[profile_id]
            self._save()

    def local_port(self, profile_id: str) -> int | None:
        with self._lock:
            port = self._section(_LOCAL_PORTS).get(profile_id)
            return port if _is_port(port) else None

    def remember_local_port(self, profile_id: str, port: int) -> None:
        with self._lock:
            ports = self._section(_LOCAL_PORTS)
            if ports.get(profile_id) != port:
                ports[profile_id] = port
                self._save()

    def forget_profile(self, profile_id: str) -> None:
        """Forget everything remembered for a profile (it was removed)."""
        with self._lock:
            if self._data is None:
                self._data = self._load()
            changed = False
            for section in self._data.values():
                if isinstance(section, dict) and profile_id in section:
                    del section[profile_id]
                    changed = True
            if changed:
                self._save()

    def forward_port(self, profile_id: str, forward_name: str) -> int | None:
        """The local port an extra forward of the profile used last time."""
        with self._lock:
            ports = self._section(_FORWARD_PORTS).get(profile_id)
            port = ports.get(forward_name) if isinstance(ports, dict) else None
            return port if _is_port(port) else None

    def remember_forward_port(self, profile_id: str, forward_name: str, port: int) -> None:
        with self._lock:
            section = self._section(_FORWARD_PORTS)
            ports = section.get(profile_id)
            if not isinstance(ports, dict):
                ports = section[profile_id] = {}
            if ports.get(forward_name) != port:
                ports[forward_name] = port
                self._save()

    # --- file -------------------------------------------------------------------------

    def _servers(self) -> dict[str, Any]:
        return self._section(_SECTION)

    def _section(self, name: str) -> dict[str, Any]:
        if self._data is None:
            self._data = self._load()
        section = self._data.get(name)
        if not isinstance(section, dict):
            section = {}
            self._data[name] = section
        return section

    def _load(self) -> dict[str, Any]:
        try:
            raw = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return {"schema": SCHEMA_VERSION}
        except (OSError, UnicodeDecodeError) as exc:
            return self._set_aside(f"cannot read: {exc}")
        try:
            data = json.loads(raw)
        except ValueError as exc:
            return self._set_aside(f"bad JSON: {exc}")
        if not isinstance(data, dict) or not isinstance(data.get(_SECTION, {}), Mapping):
            return self._set_aside("unexpected structure")
        section = data.get(_SECTION, {})
        data[_SECTION] = {
            key: value
            for key, value in section.items()
            if isinstance(key, str) and _entry_to_server(value) is not None
        }
        return data

    def _set_aside(self, detail: str) -> dict[str, Any]:
        backup = self.path.with_name(f"{self.path.name}.corrupt-{int(time.time())}")
        try:
            self.path.replace(backup)
        except OSError as exc:
            log.warning(
                "remembered servers file %s is unusable (%s); could not move it aside: %s",
                self.path,
                detail,
                exc,
            )
        else:
            log.warning(
                "remembered servers file %s is unusable (%s); moved to %s",
                self.path,
                detail,
                backup,
            )
        return {"schema": SCHEMA_VERSION}

    def _save(self) -> None:
        assert self._data is not None
        self._data["schema"] = SCHEMA_VERSION
        try:
            atomic_write_text(self.path, json.dumps(self._data, indent=2, sort_keys=True) + "\n")
        except OSError as exc:
            # remembering is a convenience: a read-only config dir must not break connecting
            log.warning("cannot write %s: %s", self.path, exc)


def _is_port(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value < 65536


def _entry_to_server(entry: Any) -> RememberedServer | None:
    if not isinstance(entry, Mapping):
        return None
    pid, port = entry.get("pid"), entry.get("port")
    started_at, app = entry.get("started_at", 0.0), entry.get("app", "")
    if pid is not None and (not isinstance(pid, int) or isinstance(pid, bool)):
        return None
    if not isinstance(port, int) or isinstance(port, bool) or not 0 <= port < 65536:
        return None
    if port == 0 and pid is None:  # port 0: a server on a Unix socket, known by its pid
        return None
    if not isinstance(started_at, (int, float)) or isinstance(started_at, bool):
        return None
    if not isinstance(app, str):
        return None
    return RememberedServer(pid=pid, port=port, started_at=float(started_at), app=app)

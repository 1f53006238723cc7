"""The Jupyter servers this running app has reached, per profile, in memory only.

Finding Jupyter costs a command on the server (a session, the user's login shell, the
scan of Jupyter's runtime files: ~70-100 ms, more where the login shell is slow). A
connect that knows where the profile's Jupyter answered last forwards there at once and
checks it with one request through the tunnel (:meth:`Tunnel._connect_once`); only when
that request is not answered does it ask the server.

The token stays in this process: never written anywhere (the profile file and the
remembered state on disk hold only pid and port). A server is forgotten when it stops
answering, is stopped, its profile's address or Jupyter settings change, or it has not
been seen answering for ``keep_for`` seconds (a port left long enough may belong to
someone else's program by then; the request that checks it carries the token).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from labtunnel.core.errors import LabTunnelError
from labtunnel.core.jupyter.server import JupyterServer
from labtunnel.core.profiles.model import HostProfile

#: a known server is trusted to be the user's for this long after it last answered
KEEP_FOR = 3600.0


def _where(profile: HostProfile) -> tuple[object, ...]:
    """What makes a profile's Jupyter the same one: the account and the Jupyter settings."""
    return (profile.host, profile.port, profile.username, profile.jump, profile.target)


@dataclass(frozen=True)
class _Known:
    server: JupyterServer
    where: tuple[object, ...]
    seen: float
    #: what finding it told the person (an environment others can change...): told again
    #: by a tunnel that goes there without finding it
    warnings: tuple[LabTunnelError, ...] = ()


class KnownServers:
    """Thread-safe; shared by the tunnels of one app (TunnelDeps.known)."""

    def __init__(
        self, keep_for: float = KEEP_FOR, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._keep_for = keep_for
        self._clock = clock
        self._lock = threading.Lock()
        self._known: dict[str, _Known] = {}

    def answered(
        self,
        profile: HostProfile,
        server: JupyterServer,
        warnings: Sequence[LabTunnelError] = (),
    ) -> None:
        """``server`` answered through ``profile``'s tunnel with its token just now."""
        if not server.token:
            # without a token, any program on that port answers the check like Jupyter:
            # only a server found on the server itself is trusted
            return
        # for a later connect it is a server found running, not one started by it
        known = _Known(
            replace(server, launch=None), _where(profile), self._clock(), tuple(warnings)
        )
        with self._lock:
            self._known[profile.id] = known

    def get(self, profile: HostProfile) -> JupyterServer | None:
        with self._lock:
            known = self._known.get(profile.id)
            if known is None:
                return None
            if known.where != _where(profile) or self._clock() - known.seen > self._keep_for:
                del self._known[profile.id]
                return None
            return known.server

    def warnings(self, profile_id: str) -> tuple[LabTunnelError, ...]:
        with self._lock:
            known = self._known.get(profile_id)
            return known.warnings if known is not None else ()

    def forget(self, profile_id: str, server: JupyterServer | None = None) -> None:
        """Forget the profile's server (only if it is ``server``, when given)."""
        with self._lock:
            known = self._known.get(profile_id)
            if known is None:
                return
            if server is None or (known.server.pid, known.server.port, known.server.sock) == (
                server.pid,
                server.port,
                server.sock,
            ):
                del self._known[profile_id]

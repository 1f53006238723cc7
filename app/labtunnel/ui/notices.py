"""Which state changes deserve a notification. Pure logic: words are made in texts.py."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from labtunnel.core.errors import LabTunnelError
from labtunnel.core.events import TunnelState, TunnelStatus


class NoticeKind(str, Enum):
    CONNECTED = "connected"
    DISCONNECTED = "disconnected"
    LOST = "lost"
    RESTORED = "restored"
    FAILED = "failed"
    JUPYTER_DOWN = "jupyter_down"
    JUPYTER_STOPPED = "jupyter_stopped"
    STOP_FAILED = "stop_failed"
    KERNELS_SHUT_DOWN = "kernels_shut_down"
    KERNELS_NOT_SHUT_DOWN = "kernels_not_shut_down"
    #: the Slurm job running Jupyter ended (the error says why)
    JOB_ENDED = "job_ended"
    #: the Slurm job reaches its time limit soon
    JOB_ENDING = "job_ending"
    #: connected, but with something to know (JupyterEnvUnsafe); clicking opens Jupyter
    CONNECTED_WARNING = "connected_warning"


@dataclass(frozen=True)
class Notice:
    kind: NoticeKind
    profile_id: str
    profile_name: str
    error: LabTunnelError | None = None
    retry_in: float | None = None
    #: kernels shut down
    count: int = 0
    #: the Slurm job (JOB_ENDING) and the seconds it has left
    job_id: int = 0
    seconds_left: float = 0.0


class NoticeTracker:
    """Remembers the last state per profile and whether its tunnel was lost, so a
    reconnect reads "re-established" and repeated states stay quiet."""

    def __init__(self) -> None:
        self._last: dict[str, TunnelState] = {}
        self._lost: set[str] = set()

    def forget(self, profile_id: str) -> None:
        self._last.pop(profile_id, None)
        self._lost.discard(profile_id)

    def last_state(self, profile_id: str) -> TunnelState:
        """The last state handled for the profile (what the user was last told)."""
        return self._last.get(profile_id, TunnelState.DISCONNECTED)

    def update(self, status: TunnelStatus) -> Notice | None:
        pid = status.profile_id
        before = self._last.get(pid, TunnelState.DISCONNECTED)
        self._last[pid] = status.state
        kind = self._kind(pid, before, status.state, status.was_connected)
        if kind is None:
            return None
        return Notice(kind, pid, status.profile_name, status.error, status.retry_in)

    def _kind(
        self, pid: str, before: TunnelState, now: TunnelState, status_was_connected: bool
    ) -> NoticeKind | None:
        if now is TunnelState.RECONNECTING:
            if pid in self._lost:
                return None
            self._lost.add(pid)
            return NoticeKind.LOST
        if now is TunnelState.CONNECTED:
            if before is TunnelState.CONNECTED:
                return None
            if pid in self._lost or status_was_connected:
                self._lost.discard(pid)
                return NoticeKind.RESTORED
            return NoticeKind.CONNECTED
        if now is TunnelState.JUPYTER_DOWN:
            return None if before is TunnelState.JUPYTER_DOWN else NoticeKind.JUPYTER_DOWN
        if now is TunnelState.JOB_ENDED:
            return None if before is TunnelState.JOB_ENDED else NoticeKind.JOB_ENDED
        if now is TunnelState.FAILED:
            self._lost.discard(pid)
            return None if before is TunnelState.FAILED else NoticeKind.FAILED
        if now is TunnelState.DISCONNECTED:
            self._lost.discard(pid)
            quiet = (TunnelState.DISCONNECTED, TunnelState.FAILED)
            return None if before in quiet else NoticeKind.DISCONNECTED
        return None

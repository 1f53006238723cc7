"""The tray's one-word summary of every tunnel's state."""

from __future__ import annotations

from collections.abc import Iterable
from enum import Enum

from labtunnel.core.events import TunnelState, TunnelStatus


class TrayState(str, Enum):
    IDLE = "idle"
    CONNECTING = "connecting"
    CONNECTED = "connected"
    ERROR = "error"


BUSY_STATES = frozenset(
    {
        TunnelState.CONNECTING,
        TunnelState.STARTING_JUPYTER,
        TunnelState.RECONNECTING,
        TunnelState.QUEUED,
    }
)
TROUBLE_STATES = frozenset({TunnelState.FAILED, TunnelState.JUPYTER_DOWN, TunnelState.JOB_ENDED})


def overall_state(statuses: Iterable[TunnelStatus]) -> TrayState:
    """Trouble outranks work in progress, which outranks connected."""
    states = {status.state for status in statuses}
    if states & TROUBLE_STATES:
        return TrayState.ERROR
    if states & BUSY_STATES:
        return TrayState.CONNECTING
    if TunnelState.CONNECTED in states:
        return TrayState.CONNECTED
    return TrayState.IDLE

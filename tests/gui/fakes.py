"""A stand-in for TunnelManager with the same API, for menu and dialog tests.

It records calls and delivers events from a worker thread, like the real one,
so the bridge's hop to the GUI thread is exercised too.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from labtunnel.core.events import Listener, TunnelState, TunnelStatus
from labtunnel.core.profiles.model import HostProfile
from labtunnel.core.profiles.store import ProfileStore

JUPYTER_URL = "http://127.0.0.1:48888/lab?token=t0ken-for-tests"


@dataclass
class Recorder:
    urls: list[str] = field(default_factory=list)
    clipboard: list[str] = field(default_factory=list)
    quits: list[int] = field(default_factory=list)
    answer: bool = True


class FakeLoginItem:
    def __init__(self, supported: bool = True) -> None:
        self.supported = supported
        self.enabled = False
        self.fail = False

    def is_supported(self) -> bool:
        return self.supported

    def is_enabled(self) -> bool:
        return self.enabled

    def set_enabled(self, enabled: bool) -> None:
        if self.fail:
            raise OSError(13, "Permission denied")
        self.enabled = enabled


class FakeManager:
    def __init__(self, store: ProfileStore, listener: Listener) -> None:
        self.store = store
        self.listener = listener
        self.calls: list[tuple[str, Any]] = []
        self.statuses: dict[str, TunnelStatus] = {}
        self.prepared: list[str] = []
        self.closed = False

    # --- the TunnelManager API ------------------------------------------------------

    def connect(self, profile_id: str) -> None:
        self.calls.append(("connect", profile_id))

    def prepare(self, profile_id: str) -> None:
        self.prepared.append(profile_id)  # apart from calls: opening a menu is not an action

    def disconnect(self, profile_id: str) -> None:
        self.calls.append(("disconnect", profile_id))

    def stop_jupyter(self, profile_id: str) -> None:
        self.calls.append(("stop_jupyter", profile_id))

    def start_jupyter_again(self, profile_id: str) -> None:
        self.calls.append(("start_jupyter_again", profile_id))

    def refresh_stats(self, profile_id: str) -> None:
        self.calls.append(("refresh_stats", profile_id))

    def shutdown_kernels(self, profile_id: str, kernel_ids: Sequence[str]) -> None:
        self.calls.append(("shutdown_kernels", (profile_id, tuple(kernel_ids))))

    def test_connection(
        self, profile: HostProfile, password: str | None = None, passphrase: str | None = None
    ) -> None:
        self.calls.append(("test_connection", (profile, password, passphrase)))

    def status(self, profile_id: str) -> TunnelStatus:
        status = self.statuses.get(profile_id)
        if status is not None:
            return status
        profile = self.store.get(profile_id)
        return TunnelStatus(profile.id, profile.name, TunnelState.DISCONNECTED)

    def network_changed(self) -> None:
        self.calls.append(("network_changed", None))

    def close(self, timeout: float = 5.0) -> bool:
        self.calls.append(("close", timeout))
        self.closed = True
        return True

    # --- test helpers ---------------------------------------------------------------

    def called(self, name: str) -> list[Any]:
        return [args for method, args in self.calls if method == name]

    def deliver(self, event: object) -> None:
        """Hand ``event`` to the listener from a worker thread, as the core does."""
        if isinstance(event, TunnelStatus):
            self.statuses[event.profile_id] = event
        thread = threading.Thread(target=self.listener, args=(event,), name="fake-worker")
        thread.start()
        thread.join(5)

    def set_state(self, profile: HostProfile, state: TunnelState, **changes: Any) -> TunnelStatus:
        if state is TunnelState.CONNECTED:
            changes.setdefault("local_url", JUPYTER_URL)
            changes.setdefault("local_port", 48888)
        status = TunnelStatus(profile.id, profile.name, state, **changes)
        self.deliver(status)
        return status

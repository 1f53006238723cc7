"""A scripted TunnelManager for the screenshots: plays a believable connect (with
server figures) without a lab server. Events come from a worker thread, like the real
manager's."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence

from labtunnel.core.errors import LabTunnelError
from labtunnel.core.events import (
    Listener,
    StatsEvent,
    TestResult,
    TunnelState,
    TunnelStatus,
    TunnelStep,
)
from labtunnel.core.profiles.model import HostProfile
from labtunnel.core.profiles.store import ProfileStore
from labtunnel.core.server.stats import GpuStat, GpuStatus, ServerStats

DEMO_URL = "http://127.0.0.1:48213/lab?token=demo"
DEMO_STATS = ServerStats(
    gpus=(
        GpuStat(0, "NVIDIA RTX A6000", 64, 31_540, 49_140),
        GpuStat(1, "NVIDIA RTX A6000", 3, 1_020, 49_140),
    ),
    load_1=7.42,
    load_5=6.9,
    load_15=5.1,
    cpu_count=64,
    mem_total_mib=515_000,
    mem_available_mib=402_300,
    hostname="gpu1",
    gpu_status=GpuStatus.OK,
)
STEPS = [
    (TunnelState.CONNECTING, TunnelStep.CONNECTING),
    (TunnelState.CONNECTING, TunnelStep.AUTHENTICATING),
    (TunnelState.STARTING_JUPYTER, TunnelStep.FINDING_JUPYTER),
    (TunnelState.CONNECTING, TunnelStep.FORWARDING),
]


class DemoManager:
    def __init__(self, store: ProfileStore, listener: Listener, step_seconds: float = 0.3) -> None:
        self._store = store
        self._listener = listener
        self._step = step_seconds
        self._statuses: dict[str, TunnelStatus] = {}
        self._threads: list[threading.Thread] = []

    def _emit(self, status: TunnelStatus) -> None:
        self._statuses[status.profile_id] = status
        self._listener(status)

    def _spawn(self, work: object) -> None:
        thread = threading.Thread(target=work, daemon=True)  # type: ignore[arg-type]
        self._threads.append(thread)
        thread.start()

    def prepare(self, profile_id: str) -> None:
        pass  # nothing to log in to

    def connect(self, profile_id: str) -> None:
        profile = self._store.get(profile_id)

        def work() -> None:
            for state, step in STEPS:
                self._emit(TunnelStatus(profile.id, profile.name, state, step=step))
                time.sleep(self._step)
            self._emit(
                TunnelStatus(
                    profile.id,
                    profile.name,
                    TunnelState.CONNECTED,
                    local_url=DEMO_URL,
                    local_port=48213,
                )
            )

        self._spawn(work)

    def fail(self, profile_id: str, error: LabTunnelError) -> None:
        """The tunnel failed (for the error notification's picture)."""
        profile = self._store.get(profile_id)
        status = TunnelStatus(profile.id, profile.name, TunnelState.FAILED, error=error)
        self._spawn(lambda: self._emit(status))

    def disconnect(self, profile_id: str) -> None:
        profile = self._store.get(profile_id)
        self._emit(TunnelStatus(profile.id, profile.name, TunnelState.DISCONNECTED))

    def stop_jupyter(self, profile_id: str) -> None:
        self.disconnect(profile_id)

    def start_jupyter_again(self, profile_id: str) -> None:
        self.connect(profile_id)

    def refresh_stats(self, profile_id: str) -> None:
        self._spawn(lambda: self._listener(StatsEvent(profile_id, DEMO_STATS)))

    def shutdown_kernels(self, profile_id: str, kernel_ids: Sequence[str]) -> None:
        pass

    def test_connection(
        self, profile: HostProfile, password: str | None = None, passphrase: str | None = None
    ) -> None:
        self._spawn(lambda: self._listener(TestResult(profile.id, True)))

    def status(self, profile_id: str) -> TunnelStatus:
        status = self._statuses.get(profile_id)
        if status is None:
            profile = self._store.get(profile_id)
            status = TunnelStatus(profile.id, profile.name, TunnelState.DISCONNECTED)
        return status

    def network_changed(self) -> None:
        pass

    def close(self, timeout: float = 5.0) -> bool:
        for thread in self._threads:
            thread.join(timeout)
        return True

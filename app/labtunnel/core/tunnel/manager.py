"""All tunnels of the app, for front ends: every method returns at once, work runs in
worker threads and results arrive as events."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import replace

from labtunnel.core.errors import LabTunnelError
from labtunnel.core.events import (
    KernelsShutDown,
    Listener,
    StatsEvent,
    TestResult,
    TunnelState,
    TunnelStatus,
)
from labtunnel.core.jupyter.kernels import gather_glance, shutdown_kernels
from labtunnel.core.jupyter.launch.slurm import list_partitions
from labtunnel.core.profiles.model import HostProfile, JupyterSpec
from labtunnel.core.profiles.store import ProfileStore
from labtunnel.core.server.stats import gather_server_stats
from labtunnel.core.ssh.hops import hops_for
from labtunnel.core.ssh.session import SshSession
from labtunnel.core.tunnel.ahead import LoginsAhead
from labtunnel.core.tunnel.tunnel import Tunnel, TunnelDeps, deliver

log = logging.getLogger(__name__)


class TunnelManager:
    """All tunnels of the app; every method returns at once (work runs in threads)."""

    def __init__(self, deps: TunnelDeps, listener: Listener) -> None:
        self._ahead = deps.ahead or LoginsAhead(
            deps.hostkeys, deps.store.get, deps.remembered, open_session=deps.open_session
        )
        self._deps = replace(deps, ahead=self._ahead)
        self._listener = listener
        self._tunnels: dict[str, Tunnel] = {}
        self._helpers: list[threading.Thread] = []
        self._lock = threading.Lock()
        self._closed = False

    @property
    def store(self) -> ProfileStore:
        return self._deps.store

    def connect(self, profile_id: str) -> None:
        profile = self._deps.store.get(profile_id)
        with self._lock:
            if self._closed:
                return
            current = self._tunnels.get(profile.id)
            if current is not None and current.is_running:
                return
            tunnel = Tunnel(profile, self._deps, self._listener)
            self._tunnels[profile.id] = tunnel
        tunnel.start()

    def prepare(self, profile_id: str) -> None:
        """The person may be about to connect this profile (the tray's menu opened): log
        it in now, if that asks nothing of them (labtunnel.core.tunnel.ahead)."""
        with self._lock:
            current = self._tunnels.get(profile_id)
            if self._closed or (current is not None and current.is_running):
                return
        try:
            profile = self._deps.store.get(profile_id)
        except LabTunnelError:
            return
        self._ahead.prepare(profile)

    def disconnect(self, profile_id: str) -> None:
        tunnel = self._tunnels.get(profile_id)
        if tunnel is not None:
            tunnel.stop()

    def stop_jupyter(self, profile_id: str) -> None:
        tunnel = self._tunnels.get(profile_id)
        if tunnel is not None and tunnel.is_running:
            tunnel.stop(stop_jupyter=True)

    def start_jupyter_again(self, profile_id: str) -> None:
        tunnel = self._tunnels.get(profile_id)
        if tunnel is not None:
            tunnel.start_jupyter_again()

    def status(self, profile_id: str) -> TunnelStatus:
        tunnel = self._tunnels.get(profile_id)
        if tunnel is not None:
            return tunnel.status
        profile = self._deps.store.get(profile_id)
        return TunnelStatus(profile.id, profile.name, TunnelState.DISCONNECTED)

    def statuses(self) -> dict[str, TunnelStatus]:
        return {pid: t.status for pid, t in list(self._tunnels.items())}

    def local_url(self, profile_id: str) -> str | None:
        tunnel = self._tunnels.get(profile_id)
        return tunnel.local_url if tunnel is not None else None

    def network_changed(self) -> None:
        for tunnel in list(self._tunnels.values()):
            tunnel.network_changed()

    def refresh_stats(self, profile_id: str) -> None:
        """Server figures, and the user's kernels when the tunnel goes to a Jupyter."""
        tunnel = self._tunnels.get(profile_id)
        session = tunnel.session if tunnel is not None else None
        server = tunnel.jupyter_server if tunnel is not None else None
        # for Jupyter in a Slurm job: the figures of the job's node, not the login node's
        runner = tunnel.glance_runner if tunnel is not None else None

        def work() -> None:
            if session is None or runner is None or not session.is_alive():
                return
            try:
                if server is None:
                    event = StatsEvent(profile_id, gather_server_stats(runner))
                else:
                    stats, kernels = gather_glance(runner, server)
                    event = StatsEvent(profile_id, stats, kernels=kernels)
            except LabTunnelError as error:
                event = StatsEvent(profile_id, None, error)
            deliver(self._listener, event)

        self._spawn(work, f"stats-{profile_id[:8]}")

    def shutdown_kernels(self, profile_id: str, kernel_ids: Sequence[str]) -> None:
        """Ask the user's Jupyter to shut these kernels down; KernelsShutDown follows,
        then fresh figures."""
        tunnel = self._tunnels.get(profile_id)
        session = tunnel.session if tunnel is not None else None
        server = tunnel.jupyter_server if tunnel is not None else None
        ids = tuple(kernel_ids)

        def work() -> None:
            if session is None or server is None or not session.is_alive():
                deliver(self._listener, KernelsShutDown(profile_id, failed=ids))
                return
            try:
                done = shutdown_kernels(session, server, ids)
            except LabTunnelError as error:
                deliver(self._listener, KernelsShutDown(profile_id, failed=ids, error=error))
                return
            ok = tuple(k for k in ids if done.get(k))
            deliver(
                self._listener,
                KernelsShutDown(profile_id, ok, tuple(k for k in ids if k not in ok)),
            )
            self.refresh_stats(profile_id)

        self._spawn(work, f"kernels-{profile_id[:8]}")

    def test_connection(
        self, profile: HostProfile, password: str | None = None, passphrase: str | None = None
    ) -> None:
        def work() -> None:
            try:
                hops = hops_for(
                    profile, self._deps.secrets, self._deps.store.get, password, passphrase
                )
                session = self._deps.open_session(
                    hops, self._deps.hostkeys, prompter=self._deps.prompter
                )
                try:
                    result = _with_partitions(TestResult(profile.id, True), profile, session)
                finally:
                    session.close()
            except LabTunnelError as error:
                deliver(self._listener, TestResult(profile.id, False, error))
            else:
                deliver(self._listener, result)

        self._spawn(work, f"test-{profile.name[:12]}")

    def _spawn(self, work: Callable[[], None], name: str) -> None:
        thread = threading.Thread(target=work, name=name, daemon=True)
        with self._lock:
            if self._closed:
                return
            self._helpers = [t for t in self._helpers if t.is_alive()]
            self._helpers.append(thread)
        thread.start()

    def close(self, timeout: float = 5.0) -> bool:
        """Stop every tunnel and wait for the threads; True when all ended in time."""
        with self._lock:
            self._closed = True
            tunnels = list(self._tunnels.values())
            helpers = list(self._helpers)
        for tunnel in tunnels:
            tunnel.stop()
        self._ahead.close(timeout)
        done = all([tunnel.join(timeout) for tunnel in tunnels])
        for helper in helpers:
            helper.join(timeout)
        return done and not any(h.is_alive() for h in helpers)


def _with_partitions(result: TestResult, profile: HostProfile, session: SshSession) -> TestResult:
    """For a Slurm profile: the partitions ``sinfo`` lists, so the editor can offer them."""
    target = profile.target
    if not isinstance(target, JupyterSpec) or target.slurm is None:
        return result
    try:
        partitions = list_partitions(session)
    except LabTunnelError as error:
        log.info("%s: no partitions: %s", profile.name, error)
        return replace(result, slurm_error=error)
    default = next((p.name for p in partitions if p.default), "")
    return replace(result, partitions=tuple(p.name for p in partitions), default_partition=default)

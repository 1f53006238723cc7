"""Running a real Tunnel (in this process) against the harness, and watching its events."""

from __future__ import annotations

import http.client
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from tests.harness import LabServer, TestUser

from labtunnel.core.events import Event, TunnelState, TunnelStatus
from labtunnel.core.profiles.model import HostProfile, JupyterSpec, RemoteForward, Target
from labtunnel.core.profiles.remembered import RememberedServers
from labtunnel.core.profiles.secrets import MemorySecretStore, SecretKind
from labtunnel.core.profiles.store import ProfileStore
from labtunnel.core.ssh.hostkeys import HostKeyStore
from labtunnel.core.tunnel.reconnect import ReconnectPolicy
from labtunnel.core.tunnel.tunnel import Tunnel, TunnelDeps


@dataclass
class EventLog:
    events: list[tuple[float, Event]] = field(default_factory=list)
    changed: threading.Condition = field(default_factory=threading.Condition)

    def __call__(self, event: Event) -> None:
        with self.changed:
            self.events.append((time.monotonic(), event))
            self.changed.notify_all()

    def states(self) -> list[TunnelState]:
        return [e.state for _, e in self.events if isinstance(e, TunnelStatus)]

    def wait_for(
        self, predicate: Callable[[TunnelStatus], bool], timeout: float, after: float = 0.0
    ) -> tuple[float, TunnelStatus]:
        deadline = time.monotonic() + timeout
        with self.changed:
            while True:
                for stamp, event in self.events:
                    if stamp >= after and isinstance(event, TunnelStatus) and predicate(event):
                        return stamp, event
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(f"timed out; states so far: {self.states()}")
                self.changed.wait(remaining)

    def wait_state(
        self, state: TunnelState, timeout: float, after: float = 0.0
    ) -> tuple[float, TunnelStatus]:
        return self.wait_for(lambda e: e.state is state, timeout, after)


def make_tunnel(
    lab: LabServer,
    hostkeys: HostKeyStore,
    tmp_path: Path,
    target: Target,
    log: EventLog,
    port: int | None = None,
    policy: ReconnectPolicy | None = None,
    user: TestUser | None = None,
    **profile_changes: object,
) -> tuple[Tunnel, HostProfile]:
    """A tunnel to the lab server's main sshd (or another server of it on ``port``);
    ``policy`` replaces the reconnect backoff (e.g. a fast one); ``user`` logs in instead
    of the harness's main user."""
    user = user or lab.user
    store = ProfileStore(tmp_path / "profiles.json")
    store.load()
    fields: dict[str, object] = {"host": lab.host, "port": port or lab.port, "target": target}
    fields.update(profile_changes)
    profile = HostProfile("lab", username=user.name, **fields)  # type: ignore[arg-type]
    store.add(profile)
    secrets = MemorySecretStore()
    secrets.set(profile.id, SecretKind.PASSWORD, user.password)
    deps = TunnelDeps(
        store=store,
        secrets=secrets,
        hostkeys=hostkeys,
        remembered=RememberedServers(tmp_path / "state.json"),
    )
    if policy is not None:
        deps.policy = policy
    return Tunnel(profile, deps, log), profile


def remote_target(host: str, port: int) -> RemoteForward:
    return RemoteForward(host, port)


def jupyter_target(lab: LabServer) -> JupyterSpec:
    return JupyterSpec(env=str(lab.jupyter_venv))


def http_get(port: int, path: str, timeout: float = 5.0) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def wait_until_answers(port: int, path: str, timeout: float, status: int = 200) -> float:
    """Seconds until GET path answers with ``status`` through the local port."""
    started = time.monotonic()
    while True:
        try:
            if http_get(port, path, timeout=2.0)[0] == status:
                return time.monotonic() - started
        except OSError:
            pass
        if time.monotonic() - started > timeout:
            raise AssertionError(f"127.0.0.1:{port}{path} did not answer within {timeout} s")
        time.sleep(0.2)

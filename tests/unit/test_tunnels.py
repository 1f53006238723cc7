"""The tunnel state machine with small fake sessions (the real ones: tests/integration)."""

from __future__ import annotations

import random
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from tests.integration.tunnel_helpers import EventLog

from labtunnel.core.errors import (
    AuthFailed,
    ConnectionRefused,
    ForwardingRefused,
    ForwardRefusal,
    HostKeyUnknown,
    LabTunnelError,
)
from labtunnel.core.events import TunnelState, TunnelStatus
from labtunnel.core.profiles.model import HostProfile, JupyterSpec, RemoteForward, Target
from labtunnel.core.profiles.remembered import RememberedServers
from labtunnel.core.profiles.secrets import MemorySecretStore, SecretKind
from labtunnel.core.profiles.store import ProfileStore
from labtunnel.core.ssh.hostkeys import HostKeyStore
from labtunnel.core.tunnel.reconnect import ReconnectPolicy
from labtunnel.core.tunnel.tunnel import Tunnel, TunnelDeps


class FakeChannel:
    def close(self) -> None:
        pass


class FakeSession:
    def __init__(self) -> None:
        self.dead = threading.Event()
        self.dead_reason: str | None = None
        self._callbacks: list[Any] = []
        self.closed = False

    def open_channel(self, destination: tuple[str, int], origin: tuple[str, int]) -> FakeChannel:
        return FakeChannel()

    def is_alive(self) -> bool:
        return not self.dead.is_set()

    def on_dead(self, callback: Any) -> None:
        self._callbacks.append(callback)

    def die(self) -> None:
        self.dead_reason = "no_reply"
        self.dead.set()
        for callback in self._callbacks:
            callback()

    def notify_resumed(self) -> None:
        pass

    def close(self) -> None:
        self.closed = True
        if not self.dead.is_set():
            self.die()

    def abort(self) -> None:  # a stop from another thread: the socket goes, the worker closes
        if not self.dead.is_set():
            self.die()


class ScriptedOpener:
    """Returns sessions or raises errors in the order given."""

    def __init__(self, script: Sequence[FakeSession | LabTunnelError]) -> None:
        self.script = list(script)
        self.calls: list[float] = []
        self.hops: list[Any] = []

    def __call__(self, hops: Any, hostkeys: Any, **kwargs: Any) -> FakeSession:
        import time

        self.calls.append(time.monotonic())
        self.hops.append(hops)
        step = self.script.pop(0) if self.script else ConnectionRefused("lab", 22)
        if isinstance(step, LabTunnelError):
            raise step
        return step


REMOTE = RemoteForward("127.0.0.1", 80)
FAST = ReconnectPolicy(first_delay=0.05, fresh_max_delay=0.2, jitter=0.0, reconnect_timeout=2)


def make(
    tmp_path: Path,
    opener: ScriptedOpener,
    log: EventLog,
    target: Target = REMOTE,
) -> Tunnel:
    store = ProfileStore(tmp_path / "profiles.json")
    profile = store.add(HostProfile("lab", "lab.example.org", "alice", target=target))
    secrets = MemorySecretStore()
    secrets.set(profile.id, SecretKind.PASSWORD, "pw-unit-test")
    deps = TunnelDeps(
        store=store,
        secrets=secrets,
        hostkeys=HostKeyStore(tmp_path / "known_hosts"),
        remembered=RememberedServers(tmp_path / "state.json"),
        open_session=opener,  # type: ignore[arg-type]  # sessions are fakes
        policy=FAST,
        rng=random.Random(1),
    )
    return Tunnel(profile, deps, log)


@pytest.mark.parametrize(
    "error",
    [
        ConnectionRefused("lab", 22),
        AuthFailed("lab", "alice", ["password"]),
        HostKeyUnknown("lab", 22, "ssh-ed25519", "SHA256:x", "AAAA"),
    ],
)
def test_a_first_connect_that_fails_is_reported_not_retried(
    tmp_path: Path, error: LabTunnelError
) -> None:
    log = EventLog()
    opener = ScriptedOpener([error])
    tunnel = make(tmp_path, opener, log)
    tunnel.start()
    _, failed = log.wait_state(TunnelState.FAILED, 5)
    assert failed.error is error
    assert tunnel.join(5)
    assert len(opener.calls) == 1


def test_lost_session_reconnects_on_the_same_port(tmp_path: Path) -> None:
    log = EventLog()
    first, second = FakeSession(), FakeSession()
    opener = ScriptedOpener(
        [first, ConnectionRefused("lab", 22), ConnectionRefused("lab", 22), second]
    )
    tunnel = make(tmp_path, opener, log)
    tunnel.start()
    try:
        _, connected = log.wait_state(TunnelState.CONNECTED, 5)
        assert not connected.was_connected
        first.die()
        _, again = log.wait_for(lambda e: e.state is TunnelState.CONNECTED and e.was_connected, 5)
        assert again.local_port == connected.local_port
        retries = [
            e
            for _, e in log.events
            if isinstance(e, TunnelStatus) and e.state is TunnelState.RECONNECTING
        ]
        assert [r.attempt for r in retries] == [1, 2, 3]
        assert [r.retry_in for r in retries] == [0.05, 0.1, 0.2]
        # reconnect attempts use the short connect timeout
        assert all(ep.connect_timeout == 2 for ep, _ in opener.hops[-1])
    finally:
        tunnel.stop()
        assert tunnel.join(5)
    assert first.closed and second.closed
    assert log.states()[-1] is TunnelState.DISCONNECTED


def test_permanent_error_while_reconnecting_stops_retrying(tmp_path: Path) -> None:
    log = EventLog()
    first = FakeSession()
    opener = ScriptedOpener([first, AuthFailed("lab", "alice", ["password"])])
    tunnel = make(tmp_path, opener, log)
    tunnel.start()
    log.wait_state(TunnelState.CONNECTED, 5)
    first.die()
    _, failed = log.wait_state(TunnelState.FAILED, 5)
    assert isinstance(failed.error, AuthFailed)
    assert tunnel.join(5)


def test_stop_during_backoff_is_prompt(tmp_path: Path) -> None:
    import time

    log = EventLog()
    first = FakeSession()
    opener = ScriptedOpener([first])
    tunnel = make(tmp_path, opener, log)
    tunnel._deps.policy = ReconnectPolicy(first_delay=60, fresh_max_delay=60, jitter=0)
    tunnel.start()
    log.wait_state(TunnelState.CONNECTED, 5)
    first.die()
    log.wait_state(TunnelState.RECONNECTING, 5)
    started = time.monotonic()
    tunnel.stop()
    assert tunnel.join(5)
    assert time.monotonic() - started < 1
    assert log.states()[-1] is TunnelState.DISCONNECTED


def test_backoff_grows_then_caps() -> None:
    policy = ReconnectPolicy(jitter=0.0)
    rng = random.Random(0)
    fresh = [policy.delay(n, 10, rng) for n in range(1, 6)]
    assert fresh == [1, 2, 3, 3, 3]
    late = [policy.delay(n, 600, rng) for n in range(1, 8)]
    assert late == [1, 2, 4, 8, 16, 30, 30]
    jittered = ReconnectPolicy(jitter=0.3)
    values = {jittered.delay(3, 600, rng) for _ in range(50)}
    assert min(values) >= 2.8 and max(values) <= 4 and len(values) > 10


def test_a_cancel_token_stops_whatever_waits_on_it_once() -> None:
    from labtunnel.core.ssh.cancel import CancelToken

    token, calls = CancelToken(), []
    forget = token.on_cancel(lambda: calls.append("a"))
    token.on_cancel(lambda: calls.append("b"))
    forget()  # that wait is over: not called
    token.cancel()
    token.cancel()
    assert calls == ["b"] and token.cancelled and token.wait(0)
    token.on_cancel(lambda: calls.append("late"))  # already cancelled: at once
    assert calls == ["b", "late"]


class NoForwardingSession(FakeSession):
    """A server with DisableForwarding / AllowTcpForwarding no; it runs no script."""

    def __init__(self) -> None:
        super().__init__()
        self.channels: list[tuple[str, int]] = []
        self.commands: list[str] = []

    def open_channel(self, destination: tuple[str, int], origin: tuple[str, int]) -> FakeChannel:
        self.channels.append(destination)
        raise ForwardingRefused("lab.example.org", *destination, ForwardRefusal.PROHIBITED)

    def run(self, command: str, **kwargs: Any) -> Any:
        self.commands.append(command)
        raise AssertionError("nothing may run on the server before forwarding is known to work")


def test_jupyter_profile_asks_sshd_about_forwarding_before_finding_jupyter(
    tmp_path: Path,
) -> None:
    log = EventLog()
    session = NoForwardingSession()
    tunnel = make(tmp_path, ScriptedOpener([session]), log, target=JupyterSpec())
    tunnel.start()
    _, failed = log.wait_state(TunnelState.FAILED, 5)
    assert isinstance(failed.error, ForwardingRefused)
    assert failed.error.reason is ForwardRefusal.PROHIBITED
    assert failed.error.permanent
    assert session.channels == [("127.0.0.1", 1)] and session.commands == []
    assert tunnel.join(5)

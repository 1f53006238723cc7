"""Security regressions (issue 12) against the real lab server: a failed jump attempt
leaks nothing, a host key of another type is a changed key, a damaged known_hosts file
keeps its protection, a lab file cannot override trust, a stalled connect can be stopped."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.harness import LabServer, RemoteService
from tests.integration.tunnel_helpers import EventLog, make_tunnel, remote_target

from labtunnel.core.events import TunnelState
from labtunnel.core.profiles.model import JumpHost
from labtunnel.core.ssh.hostkeys import HostKeyStore, host_entry_name
from labtunnel.core.tunnel.reconnect import ReconnectPolicy

pytestmark = pytest.mark.integration

#: retries at once, so 20 failed reconnects take seconds, not a minute
FAST_RETRIES = ReconnectPolicy(first_delay=0.05, fresh_max_delay=0.05, jitter=0.0)


def _wait_until(predicate, timeout: float) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return bool(predicate())


def _known_hosts(lab: LabServer, *places: tuple[str, int]) -> str:
    """The main sshd's keys (which its variants share) under each host:port."""
    return "".join(
        f"{host_entry_name(host, port)} {line}\n"
        for host, port in places
        for line in lab.host_public_keys.values()
    )


@pytest.fixture
def jump_and_target(lab_server: LabServer) -> Iterator[tuple[int, int]]:
    """A jump sshd of its own (so its sessions can be counted) and a target sshd behind
    it, reached from the jump at 127.0.0.1; the target is stopped by the test."""
    lab_server.require_password_auth()
    jump = lab_server.start_sshd_variant()
    target = lab_server.start_sshd_variant()
    try:
        yield jump, target
    finally:
        for port in (jump, target):
            with contextlib.suppress(KeyError):  # the test stopped it
                lab_server.stop_sshd_variant(port)


def _other_threads(before: set[threading.Thread]) -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t not in before and t.is_alive()]


# --- 1: a failed attempt through a jump host closes the jump session ---------------------


def test_failed_reconnects_through_a_jump_host_leave_no_session_and_no_thread(
    lab_server: LabServer,
    jump_and_target: tuple[int, int],
    echo_service: RemoteService,
    tmp_path: Path,
) -> None:
    """The GPU server reboots behind its gateway: every reconnect logs in to the jump
    host, which cannot reach the target. 20 such attempts must leave nothing behind."""
    jump_port, target_port = jump_and_target
    known = tmp_path / "known_hosts"
    known.write_text(
        _known_hosts(lab_server, (lab_server.host, jump_port), ("127.0.0.1", target_port))
    )
    log = EventLog()
    before = set(threading.enumerate())
    tunnel, _ = make_tunnel(
        lab_server,
        HostKeyStore(known),
        tmp_path,
        remote_target(*echo_service),
        log,
        policy=FAST_RETRIES,
        host="127.0.0.1",
        port=target_port,
        jump=JumpHost(host=lab_server.host, port=jump_port),
    )
    tunnel.start()
    try:
        log.wait_state(TunnelState.CONNECTED, 30)
        assert lab_server.sshd_sessions(jump_port), "the jump host carries the session"
        lab_server.stop_sshd_variant(target_port)  # the server behind the gateway is gone
        _, status = log.wait_for(
            lambda s: s.state is TunnelState.RECONNECTING and s.attempt >= 20, 120
        )
        assert type(status.error).__name__ == "JumpHostFailed"
    finally:
        tunnel.stop()
        assert tunnel.join(10)
    gone = _wait_until(lambda: not lab_server.sshd_sessions(jump_port), 5)
    left = lab_server.sshd_sessions(jump_port)
    assert gone, f"{len(left)} sshd processes still logged in on the jump host: {left}"
    assert _wait_until(lambda: not _other_threads(before), 5), [
        t.name for t in _other_threads(before)
    ]

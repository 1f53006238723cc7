"""Tunnels that keep working: reconnects after real faults on the real lab server."""

from __future__ import annotations

import contextlib
import hashlib
import threading
import time
from pathlib import Path

import pytest
from tests.harness import HttpService, LabServer
from tests.integration.tunnel_helpers import (
    EventLog,
    http_get,
    jupyter_target,
    make_tunnel,
    remote_target,
    wait_until_answers,
)

from labtunnel.core.events import TunnelState
from labtunnel.core.ssh.hostkeys import HostKeyStore
from labtunnel.core.tunnel.tunnel import Tunnel

pytestmark = pytest.mark.integration


def start_remote_tunnel(
    lab: LabServer, hostkeys: HostKeyStore, tmp_path: Path, service: HttpService, log: EventLog
) -> tuple[Tunnel, int]:
    lab.require_password_auth()
    tunnel, _ = make_tunnel(lab, hostkeys, tmp_path, remote_target(service.host, service.port), log)
    tunnel.start()
    _, status = log.wait_state(TunnelState.CONNECTED, 30)
    assert status.local_port
    return tunnel, status.local_port


def test_sshd_killed_and_restarted_same_url_recovers(
    lab_server: LabServer,
    trusted_hostkeys: HostKeyStore,
    tmp_path: Path,
    http_service: HttpService,
) -> None:
    log = EventLog()
    tunnel, port = start_remote_tunnel(lab_server, trusted_hostkeys, tmp_path, http_service, log)
    try:
        lab_server.kill_sshd()
        killed = time.monotonic()
        lost_at, _ = log.wait_state(TunnelState.RECONNECTING, 15, after=killed)
        time.sleep(3)
        lab_server.start_sshd()
        back = time.monotonic()
        recovered = wait_until_answers(port, http_service.url_path, 10)
        _, again = log.wait_state(TunnelState.CONNECTED, 10, after=back)
        assert again.local_port == port and again.was_connected
        _, body = http_get(port, http_service.url_path)
        assert hashlib.sha256(body).hexdigest() == http_service.sha256
    finally:
        tunnel.stop()
        assert tunnel.join(10)
    print(
        f"sshd kill: loss noticed {lost_at - killed:.1f} s, "
        f"answering {recovered:.1f} s after sshd was back"
    )


@pytest.mark.parametrize("fault", ["link_down", "drop_all"])
def test_dead_link_noticed_and_recovered(
    lab_server: LabServer,
    trusted_hostkeys: HostKeyStore,
    tmp_path: Path,
    http_service: HttpService,
    fault: str,
) -> None:
    lab_server.require_netns()
    log = EventLog()
    tunnel, port = start_remote_tunnel(lab_server, trusted_hostkeys, tmp_path, http_service, log)
    down, up = (
        (lab_server.link_down, lab_server.link_up)
        if fault == "link_down"
        else (lab_server.drop_all, lab_server.undrop)
    )
    try:
        down()
        cut = time.monotonic()
        noticed_at, _ = log.wait_state(TunnelState.RECONNECTING, 20, after=cut)
        noticed = noticed_at - cut
        time.sleep(max(0.0, 30 - (time.monotonic() - cut)))
        up()
        recovered = wait_until_answers(port, http_service.url_path, 15)
    finally:
        up()
        tunnel.stop()
        assert tunnel.join(10)
    print(
        f"{fault} 30 s: dead peer noticed after {noticed:.1f} s, "
        f"answering {recovered:.1f} s after the link was back"
    )
    assert noticed <= 15
    assert recovered <= 10


def test_jupyter_killed_is_reported_as_jupyter_down(
    lab_server: LabServer, trusted_hostkeys: HostKeyStore, tmp_path: Path
) -> None:
    lab_server.require_jupyter()
    lab_server.require_password_auth()
    log = EventLog()
    tunnel, _ = make_tunnel(lab_server, trusted_hostkeys, tmp_path, jupyter_target(lab_server), log)
    tunnel.start()
    try:
        _, connected = log.wait_state(TunnelState.CONNECTED, 90)
        assert connected.local_url and connected.local_port
        killed = time.monotonic()
        lab_server.ns_exec(["pkill", "-KILL", "-u", lab_server.user.name, "-f", "jupyter"])

        # an open JupyterLab tab polls the server every few seconds: a request that finds
        # Jupyter gone makes the tunnel look now instead of at its next check (60 s)
        port = connected.local_port

        def polls() -> None:
            while not log.states() or log.states()[-1] is not TunnelState.JUPYTER_DOWN:
                with contextlib.suppress(OSError):
                    http_get(port, "/api/status", timeout=2)
                if time.monotonic() - killed > 30:
                    return
                time.sleep(0.5)

        tab = threading.Thread(target=polls, daemon=True)
        tab.start()
        down_at, _ = log.wait_state(TunnelState.JUPYTER_DOWN, 30, after=killed)
        tab.join(5)
        assert TunnelState.RECONNECTING not in log.states()
        tunnel.start_jupyter_again()
        _, again = log.wait_state(TunnelState.CONNECTED, 90, after=down_at)
        assert again.local_port == connected.local_port
        token = (again.local_url or "").split("token=")[1]
        assert http_get(again.local_port, f"/api/status?token={token}")[0] == 200
    finally:
        tunnel.stop(stop_jupyter=True)
        assert tunnel.join(30)
    print(f"jupyter killed: reported as Jupyter down after {down_at - killed:.1f} s")

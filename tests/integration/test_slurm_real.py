"""Jupyter in a Slurm job on the real harness cluster, through the real login node.

Each test cleans up after itself through the cluster's reset (every job of the test users
cancelled, nodes up and idle) and by closing its tunnels.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.harness import LabServer
from tests.harness.slurm import SlurmCluster
from tests.integration.slurm_helpers import SlurmTunnels, slurm_target
from tests.integration.test_jupyter_real import execute, http_call
from tests.integration.tunnel_helpers import EventLog

from labtunnel.core import events
from labtunnel.core.errors import SlurmJobEnded, SlurmNotAvailable
from labtunnel.core.events import JupyterStopped, TunnelState
from labtunnel.core.jupyter.server import JupyterServer
from labtunnel.core.tunnel.manager import TunnelManager
from labtunnel.core.tunnel.reconnect import ReconnectPolicy
from labtunnel.core.tunnel.tunnel import Tunnel

pytestmark = pytest.mark.integration

FAST = ReconnectPolicy(health_interval=1.0, job_interval=2.0)


@pytest.fixture
def tunnels(slurm_cluster: SlurmCluster, tmp_path: Path) -> Iterator[SlurmTunnels]:
    made = SlurmTunnels(slurm_cluster, tmp_path, FAST)
    yield made


@pytest.fixture
def opened() -> Iterator[list[Tunnel]]:
    started: list[Tunnel] = []
    yield started
    for tunnel in started:
        tunnel.stop()
        assert tunnel.join(15), "tunnel thread did not end"


def server_of(tunnel: Tunnel) -> JupyterServer:
    server = tunnel._server
    assert server is not None
    return server


def test_connect_runs_jupyter_in_a_job_on_a_gpu_node(
    slurm_cluster: SlurmCluster, tunnels: SlurmTunnels, opened: list[Tunnel]
) -> None:
    profile = tunnels.profile("gpu lab", slurm_target(slurm_cluster, gpus=1, time_limit="30"))
    log = EventLog()
    tunnel = tunnels.tunnel(profile, log)
    opened.append(tunnel)
    started = time.monotonic()
    tunnel.start()
    _, connected = log.wait_state(TunnelState.CONNECTED, 60)
    print(f"click -> connected {time.monotonic() - started:.2f} s")
    job = connected.job
    assert job is not None and job.state == "RUNNING"
    assert job.node in ("node1", "node2") and job.gpu_count == 1 and job.gpu_ids == "0"
    assert job.ends_at is not None and 25 * 60 < job.ends_at - time.time() <= 30 * 60
    info = slurm_cluster.job(job.job_id)
    assert info is not None and info.state == "RUNNING" and info.name == "labtunnel-gpu-lab"
    port = connected.local_port
    assert port is not None and connected.local_url and "token=" in connected.local_url
    server = server_of(tunnel)
    assert http_call(port, "GET", "/api/status", None)[0] == 403
    assert http_call(port, "GET", "/api/status", server.token)[0] == 200
    out = execute(
        port,
        server,
        "import os, socket; (socket.gethostname(), os.environ.get('CUDA_VISIBLE_DEVICES'))",
    )
    assert out == repr((job.node, "0"))

    tunnel.stop(stop_jupyter=True)
    assert tunnel.join(30)
    stopped = [e for _, e in log.events if isinstance(e, JupyterStopped)]
    assert stopped and stopped[0].error is None
    assert slurm_cluster.wait_job(job.job_id, {"CANCELLED"}, timeout=30)
    deadline = time.monotonic() + 15
    while slurm_cluster.node_pids(job.node):
        assert time.monotonic() < deadline, "processes left on the node"
        time.sleep(0.1)


def test_disconnect_leaves_the_job_and_a_reconnect_finds_it(
    slurm_cluster: SlurmCluster, tunnels: SlurmTunnels, opened: list[Tunnel]
) -> None:
    profile = tunnels.profile("keep", slurm_target(slurm_cluster, time_limit="30"))
    first_log = EventLog()
    first = tunnels.tunnel(profile, first_log)
    first.start()
    _, connected = first_log.wait_state(TunnelState.CONNECTED, 60)
    assert connected.job is not None
    job_id, port = connected.job.job_id, connected.local_port
    token = server_of(first).token
    first.stop()
    assert first.join(15)
    assert slurm_cluster.job(job_id).state == "RUNNING"  # type: ignore[union-attr]

    second_log = EventLog()
    second = tunnels.tunnel(profile, second_log)
    opened.append(second)
    started = time.monotonic()
    second.start()
    _, again = second_log.wait_state(TunnelState.CONNECTED, 30)
    print(f"reconnect to a running job {time.monotonic() - started:.2f} s")
    assert again.job is not None and again.job.job_id == job_id
    assert again.local_port == port  # the same local port: a tab left open finds it again
    assert server_of(second).token == token
    assert len([j for j in slurm_cluster.jobs(slurm_cluster.user) if j.active]) == 1
    assert TunnelState.QUEUED not in second_log.states()


def test_pending_until_the_node_frees_then_running(
    slurm_cluster: SlurmCluster, tunnels: SlurmTunnels, opened: list[Tunnel]
) -> None:
    filler = slurm_cluster.fill("node1")
    profile = tunnels.profile("wait", slurm_target(slurm_cluster, gpus=2, time_limit="20"))
    log = EventLog()
    tunnel = tunnels.tunnel(profile, log)
    opened.append(tunnel)
    tunnel.start()
    _, queued = log.wait_for(
        lambda s: (
            s.state is TunnelState.QUEUED
            and s.job is not None
            and s.job.reason == "Resources"
            and s.job.expected_start is not None
        ),
        30,
    )
    assert queued.job is not None and queued.job.gpu_count == 2
    assert queued.job.expected_start is not None and queued.job.expected_start > time.time()
    slurm_cluster.login_exec(["scancel", str(filler)], check=True)
    _, connected = log.wait_state(TunnelState.CONNECTED, 60)
    assert connected.job is not None and connected.job.node == "node1"
    assert connected.job.gpu_ids == "0,1"


def test_cancel_while_queued_leaves_no_job(
    slurm_cluster: SlurmCluster, tunnels: SlurmTunnels, opened: list[Tunnel]
) -> None:
    slurm_cluster.fill("node1")
    profile = tunnels.profile("give up", slurm_target(slurm_cluster, gpus=2))
    log = EventLog()
    tunnel = tunnels.tunnel(profile, log)
    tunnel.start()
    _, queued = log.wait_state(TunnelState.QUEUED, 30)
    assert queued.job is not None
    started = time.monotonic()
    tunnel.stop(stop_jupyter=True)
    assert tunnel.join(30)
    print(f"cancel while queued: tunnel ended {time.monotonic() - started:.2f} s")
    assert slurm_cluster.wait_job(queued.job.job_id, {"CANCELLED"}).state == "CANCELLED"
    assert next(e for _, e in log.events if isinstance(e, JupyterStopped)).error is None
    mine = [j for j in slurm_cluster.jobs(slurm_cluster.user) if j.active]
    assert mine == []


def test_node_down_is_reported_and_no_new_job_is_submitted(
    slurm_cluster: SlurmCluster, tunnels: SlurmTunnels, opened: list[Tunnel]
) -> None:
    profile = tunnels.profile(
        "fragile", slurm_target(slurm_cluster, extra_options=("--nodelist=node2",))
    )
    log = EventLog()
    tunnel = tunnels.tunnel(profile, log)
    opened.append(tunnel)
    tunnel.start()
    _, connected = log.wait_state(TunnelState.CONNECTED, 60)
    assert connected.job is not None and connected.job.node == "node2"
    port = connected.local_port
    slurm_cluster.set_node_down("node2")
    _, ended = log.wait_state(TunnelState.JOB_ENDED, 30)
    assert isinstance(ended.error, SlurmJobEnded)
    assert ended.error.reason == "node_failure" and ended.error.job_id == connected.job.job_id
    time.sleep(3)  # several health checks: still no second job
    assert [j for j in slurm_cluster.jobs(slurm_cluster.user) if j.active] == []
    # the ended job's Jupyter files (its token is in them) are gone; its log stays
    info = slurm_cluster.job(connected.job.job_id)
    assert info is not None
    nonce = info.fields["Comment"].rsplit(":", 1)[1]
    base = Path(slurm_cluster.user.home) / ".local/share/labtunnel/slurm"
    assert not (base / f"job-{nonce}").exists() and (base / f"job-{nonce}.log").exists()
    # "Start a new job": a fresh one, on the same local port
    slurm_cluster.resume_node("node2")
    started = time.monotonic()
    tunnel.start_jupyter_again()
    first_job = connected.job.job_id
    _, again = log.wait_for(
        lambda s: (
            s.state is TunnelState.CONNECTED and s.job is not None and s.job.job_id != first_job
        ),
        60,
        after=started,
    )
    assert again.local_port == port and port is not None
    assert json.loads(http_call(port, "GET", "/api/status", server_of(tunnel).token)[2])


def test_a_test_connection_reads_the_partitions_for_the_editor(
    slurm_cluster: SlurmCluster, tunnels: SlurmTunnels, lab_server: LabServer
) -> None:
    log = EventLog()
    manager = TunnelManager(tunnels.deps, log)
    try:
        profile = tunnels.profile("parts", slurm_target(slurm_cluster))
        manager.test_connection(profile)
        result = wait_result(log, profile.id)
        assert result.ok and result.partitions == ("gpu", "short")  # "urgent" is hidden
        assert result.default_partition == "gpu" and result.slurm_error is None
        # the plain lab server logs in fine, but has no cluster behind it
        plain = tunnels.profile(
            "plain", slurm_target(slurm_cluster), host=lab_server.host, port=lab_server.port
        )
        for line in lab_server.host_public_keys.values():
            key_type, blob = line.split()[:2]
            tunnels.deps.hostkeys.trust(lab_server.host, lab_server.port, key_type, blob)
        manager.test_connection(plain)
        result = wait_result(log, plain.id)
        assert result.ok and result.partitions == ()
        assert isinstance(result.slurm_error, SlurmNotAvailable)
    finally:
        assert manager.close(10)


def wait_result(log: EventLog, profile_id: str, timeout: float = 30) -> events.TestResult:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for _, event in log.events:
            if isinstance(event, events.TestResult) and event.profile_id == profile_id:
                return event
        time.sleep(0.05)
    raise AssertionError("no test result")


def test_the_glance_shows_the_jobs_node_not_the_login_node(
    slurm_cluster: SlurmCluster, tunnels: SlurmTunnels
) -> None:
    log = EventLog()
    manager = TunnelManager(tunnels.deps, log)
    try:
        profile = tunnels.profile("glance", slurm_target(slurm_cluster, gpus=1))
        manager.connect(profile.id)
        log.wait_state(TunnelState.CONNECTED, 60)
        manager.refresh_stats(profile.id)
        deadline = time.monotonic() + 30
        stats = None
        while stats is None:
            assert time.monotonic() < deadline, "no stats"
            found = [e for _, e in log.events if isinstance(e, events.StatsEvent)]
            stats = found[-1] if found else None
            time.sleep(0.05)
        assert stats.error is None, stats.error
        assert stats.stats.hostname in ("node1", "node2")
        assert stats.kernels is not None and stats.kernels.kernels == ()
    finally:
        assert manager.close(15)

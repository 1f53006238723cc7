"""The Slurm harness itself: a real cluster, checked with Slurm's own commands and paramiko."""

from __future__ import annotations

import base64
import errno
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import paramiko
import pytest
from tests.harness import _proc, lab, netns, users
from tests.harness.slurm import SlurmCluster
from tests.harness.slurm.cluster import reap_stale

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.integration

# A job that serves one line ("<hostname> <CUDA_VISIBLE_DEVICES>") on the node's cluster
# address, on a port it picks, and writes that port to ~/smoke-<jobid>.port.
SERVICE_JOB = """#!/bin/sh
exec /usr/bin/python3 -c '
import os, socket
sock = socket.socket()
sock.bind((socket.gethostbyname(socket.gethostname()), 0))
sock.listen(8)
path = os.path.expanduser("~/smoke-%s.port" % os.environ["SLURM_JOB_ID"])
with open(path + ".tmp", "w") as f:
    f.write(str(sock.getsockname()[1]))
os.rename(path + ".tmp", path)
line = ("%s %s\\n" % (socket.gethostname(), os.environ.get("CUDA_VISIBLE_DEVICES"))).encode()
while True:
    conn, _ = sock.accept()
    conn.sendall(line)
    conn.close()
'
"""


def ssh_to_login(cluster: SlurmCluster) -> paramiko.SSHClient:
    client = paramiko.SSHClient()
    client.set_missing_host_key_policy(paramiko.RejectPolicy())
    for line in cluster.host_public_keys.values():
        key_type, blob = line.split()[:2]
        key = paramiko.PKey.from_type_string(key_type, base64.b64decode(blob))
        client.get_host_keys().add(cluster.login_host, key_type, key)
    client.connect(
        cluster.login_host,
        port=cluster.login_port,
        username=cluster.user.name,
        key_filename=str(cluster.keys.ed25519),
        look_for_keys=False,
        allow_agent=False,
        timeout=10,
    )
    return client


@pytest.fixture
def login(slurm_cluster: SlurmCluster) -> Iterator[paramiko.SSHClient]:
    client = ssh_to_login(slurm_cluster)
    yield client
    client.close()


def remote(client: paramiko.SSHClient, command: str) -> tuple[int, str, str]:
    _, stdout, stderr = client.exec_command(command, timeout=20)
    out = stdout.read().decode()
    return stdout.channel.recv_exit_status(), out, stderr.read().decode()


def wait_for_file(path: str, timeout: float = 20) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with open(path) as handle:
                return handle.read()
        except FileNotFoundError:
            time.sleep(0.05)
    raise AssertionError(f"{path} did not appear in {timeout} s")


def test_login_node_runs_slurm_commands_over_ssh(
    slurm_cluster: SlurmCluster, login: paramiko.SSHClient
) -> None:
    code, out, err = remote(login, "hostname; sinfo --noheader --format='%P %D %T'")
    assert code == 0, err
    lines = out.split("\n")
    assert lines[0] == "login"
    assert "gpu* 2 idle" in out
    assert "short 1 idle" in out


def test_job_runs_on_node_with_gpu_and_is_reached_through_the_login_node(
    slurm_cluster: SlurmCluster, login: paramiko.SSHClient
) -> None:
    user = slurm_cluster.user
    started = time.monotonic()
    job_id = slurm_cluster.submit(
        SERVICE_JOB, user, "--nodelist=node1", "--gres=gpu:1", "--time=5",
        "--job-name=lt-smoke", "--output=/dev/null",
    )  # fmt: skip
    info = slurm_cluster.wait_job(job_id, {"RUNNING"})
    running = time.monotonic() - started
    assert info.node_list == "node1"
    port = int(wait_for_file(f"{user.home}/smoke-{job_id}.port"))
    node1 = slurm_cluster.node("node1")

    # The client has no route to the compute node: only the login node gets there.
    with pytest.raises(OSError) as direct:
        socket.create_connection((node1.address, port), timeout=2)
    assert direct.value.errno in (errno.EHOSTUNREACH, errno.ENETUNREACH)

    transport = login.get_transport()
    assert transport is not None
    for target in ("node1", node1.address):  # by name (login's /etc/hosts) and by address
        channel = transport.open_channel("direct-tcpip", (target, port), ("127.0.0.1", 0))
        data = b""
        while not data.endswith(b"\n"):
            chunk = channel.recv(100)
            if not chunk:
                break
            data += chunk
        channel.close()
        assert data == b"node1 0\n"
    print(f"submit -> RUNNING {running:.2f} s")


def test_pending_while_the_node_is_full_then_running(slurm_cluster: SlurmCluster) -> None:
    slurm_cluster.fill("node1")
    job_id = slurm_cluster.submit(
        "#!/bin/sh\nexec sleep 1000\n", slurm_cluster.user, "--gres=gpu:2", "--time=5",
        "--output=/dev/null",
    )  # fmt: skip
    deadline = time.monotonic() + 15
    info = slurm_cluster.wait_job(job_id, {"PENDING"})
    while info.reason != "Resources" or info.fields.get("StartTime") in (None, "Unknown"):
        assert time.monotonic() < deadline, info
        time.sleep(0.2)
        refreshed = slurm_cluster.job(job_id)
        assert refreshed is not None
        info = refreshed
    assert info.state == "PENDING"
    for job in slurm_cluster.jobs(slurm_cluster.other_user):
        slurm_cluster.login_exec(["scancel", str(job.job_id)], check=True)
    assert slurm_cluster.wait_job(job_id, {"RUNNING"}).node_list == "node1"


def test_scancel_leaves_no_process_on_the_node(slurm_cluster: SlurmCluster) -> None:
    job_id = slurm_cluster.submit(
        "#!/bin/sh\nsleep 1000 &\nsleep 1000\n", slurm_cluster.user, "--nodelist=node2",
        "--output=/dev/null",
    )  # fmt: skip
    slurm_cluster.wait_job(job_id, {"RUNNING"})
    deadline = time.monotonic() + 10
    while len(slurm_cluster.node_pids("node2")) < 3:  # slurmstepd + script + 2 sleeps
        assert time.monotonic() < deadline
        time.sleep(0.05)
    slurm_cluster.login_exec(["scancel", str(job_id)], check=True)
    deadline = time.monotonic() + 15
    while slurm_cluster.node_pids("node2"):
        assert time.monotonic() < deadline, slurm_cluster.node_pids("node2")
        time.sleep(0.1)
    assert slurm_cluster.wait_job(job_id, {"CANCELLED"})


def test_node_set_down_ends_its_job_with_node_fail(slurm_cluster: SlurmCluster) -> None:
    job_id = slurm_cluster.submit(
        "#!/bin/sh\nexec sleep 1000\n", slurm_cluster.user, "--nodelist=node2", "--no-requeue",
        "--output=/dev/null",
    )  # fmt: skip
    slurm_cluster.wait_job(job_id, {"RUNNING"})
    slurm_cluster.set_node_down("node2")
    info = slurm_cluster.wait_job(job_id, {"NODE_FAIL"})
    assert info.reason == "NodeDown"


CHILD_SESSION = """
import sys, time
sys.path.insert(0, sys.argv[1])
from tests.harness import start_lab_server
from tests.harness.slurm import start_slurm_cluster
cluster = start_slurm_cluster(start_lab_server())
print(cluster._rt.workdir, cluster._rt.munged.pid, flush=True)
time.sleep(600)
"""


def test_a_dead_sessions_cluster_is_reaped_by_the_next(slurm_cluster: SlurmCluster) -> None:
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD_SESSION, str(ROOT)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert child.stdout is not None
        workdir_text, munged_pid = child.stdout.readline().split()
    finally:
        child.kill()
        child.wait()
    workdir = Path(workdir_text)
    guard_subnets = [
        line.split()[0] for line in (workdir / "guard-routes").read_text().splitlines()
    ]
    prefix = f"ltsl{child.pid}"
    assert any(name.startswith(prefix) for name in _netns_names())
    with netns.machine_lock():
        reap_stale(Path(tempfile.gettempdir()))
        netns.reap_stale()
        users.reap_stale()
        lab._reap_stale_dirs()
    assert not [name for name in _netns_names() if name.startswith(prefix)]
    assert not list(Path("/etc/netns").glob(f"{prefix}*"))
    assert not workdir.exists()
    assert not _proc.pid_alive(int(munged_pid))
    guards = subprocess.run(
        ["ip", "-o", "route", "show", "type", "unreachable"], capture_output=True, text=True
    ).stdout
    assert len(guard_subnets) == 2
    for subnet in guard_subnets:
        assert f" {subnet} " not in f" {guards} "
    assert slurm_cluster.node_state("node1") == "idle"  # the live session's cluster is intact


def _netns_names() -> list[str]:
    out = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout
    return [line.split()[0] for line in out.splitlines() if line.strip()]


def test_a_higher_tier_job_preempts(slurm_cluster: SlurmCluster) -> None:
    job_id = slurm_cluster.submit(
        "#!/bin/sh\nexec sleep 1000\n", slurm_cluster.user, "--nodelist=node2", "--no-requeue",
        "--output=/dev/null",
    )  # fmt: skip
    slurm_cluster.wait_job(job_id, {"RUNNING"})
    preemptor = slurm_cluster.preempt("node2")
    assert slurm_cluster.wait_job(job_id, {"PREEMPTED"}).state == "PREEMPTED"
    assert slurm_cluster.wait_job(preemptor, {"RUNNING"}).node_list == "node2"
    # hidden from users: the tray lists partitions from sinfo
    out = slurm_cluster.login_exec(["sinfo", "-h", "-o", "%P"], slurm_cluster.user).stdout
    assert "urgent" not in out

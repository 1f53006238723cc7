"""Jupyter in a Slurm job: the click against the cluster's own times, in the same run.

    sudo .venv/bin/python tests/benchmarks/bench_slurm.py [--rounds N] [--quick] [--json FILE]

Builds the test harness's lab server and Slurm cluster (root: network namespaces), then,
interleaved, ``--rounds`` times (medians reported):

- the cluster's own time, LabTunnel not involved: ``sbatch`` of a job that starts the same
  Jupyter on an idle node, split into sbatch -> the job running (its first line writes the
  time) and Jupyter's start there (-> its /api/status answers, polled from the login node);
- click -> answering for a new job: a LabTunnel tunnel for a ``--slurm`` profile starts
  (SSH login, find-or-submit, queue, Jupyter in the job, forward) until its local URL
  answers 200; goal: at most the cluster's own sum + 1.5 s;
- reconnect to a running job: a second tunnel for the same profile until it answers,
  against the same reconnect to Jupyter on a single server (the lab server); goal: at most
  the single-server figure.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Protocol

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(ROOT / "app")]

from tests.harness import LabServer, start_lab_server  # noqa: E402
from tests.harness.slurm import SlurmCluster, start_slurm_cluster  # noqa: E402
from tests.integration.slurm_helpers import SlurmTunnels, slurm_target  # noqa: E402
from tests.integration.tunnel_helpers import EventLog  # noqa: E402

from labtunnel.core.events import TunnelState  # noqa: E402
from labtunnel.core.profiles.model import HostProfile, JupyterSpec  # noqa: E402
from labtunnel.core.profiles.remembered import RememberedServers  # noqa: E402
from labtunnel.core.profiles.secrets import MemorySecretStore, SecretKind  # noqa: E402
from labtunnel.core.profiles.store import ProfileStore  # noqa: E402
from labtunnel.core.ssh.hostkeys import HostKeyStore, host_entry_name  # noqa: E402
from labtunnel.core.tunnel.reconnect import ReconnectPolicy  # noqa: E402
from labtunnel.core.tunnel.tunnel import Tunnel, TunnelDeps  # noqa: E402

GOAL_CLICK_EXTRA = 1.5

# The yardstick job: note when it starts running, then start Jupyter as a person would.
YARDSTICK_JOB = """#!/bin/sh
python3 -c 'import time; print(repr(time.time()))' > "$HOME/bench-started-$SLURM_JOB_ID"
exec {jupyter} lab --no-browser --ip={address} --port={port} --port-retries=0 \\
  --IdentityProvider.token=bench-token-not-secret --ServerApp.root_dir="$HOME" \\
  --ServerApp.runtime_dir="$HOME/.bench-runtime-$SLURM_JOB_ID"
"""

# Polls Jupyter from the login node: prints the time it first answers 200.
POLL = """
import http.client, sys, time
host, port = sys.argv[1], int(sys.argv[2])
deadline = time.time() + 120
while time.time() < deadline:
    try:
        conn = http.client.HTTPConnection(host, port, timeout=2)
        conn.request("GET", "/api/status", headers={
            "Host": "127.0.0.1", "Authorization": "token bench-token-not-secret"})
        if conn.getresponse().status == 200:
            print(repr(time.time()))
            sys.exit(0)
    except OSError:
        pass
    time.sleep(0.02)
sys.exit(1)
"""


def cluster_own_time(cluster: SlurmCluster, port: int) -> dict[str, float]:
    """sbatch -> running -> Jupyter answering, by hand, on node1."""
    node = cluster.node("node1")
    script = YARDSTICK_JOB.format(
        jupyter=shlex.quote(cluster.jupyter_bin), address=node.address, port=port
    )
    user = cluster.user
    poller = cluster_poll(cluster, node.address, port)
    submitted = time.time()
    job_id = cluster.submit(script, user, "--nodelist=node1", "--output=/dev/null", "--time=10")
    out, _ = poller.communicate(timeout=150)
    answered = float(out.strip())
    started = float(Path(f"{user.home}/bench-started-{job_id}").read_text())
    cluster.login_exec(["scancel", str(job_id)], check=True)
    cluster.wait_job(job_id, {"CANCELLED"})
    return {
        "sbatch_to_running_s": started - submitted,
        "jupyter_start_s": answered - started,
        "total_s": answered - submitted,
    }


def cluster_poll(cluster: SlurmCluster, address: str, port: int) -> subprocess.Popen[str]:
    return subprocess.Popen(
        cluster.login_argv(["/usr/bin/python3", "-c", POLL, address, str(port)]),
        stdout=subprocess.PIPE,
        text=True,
    )


class Tunnels(Protocol):
    def tunnel(self, profile: HostProfile, log: EventLog) -> Tunnel: ...


def click(tunnels: Tunnels, profile: HostProfile) -> tuple[float, Tunnel]:
    """Start a tunnel; seconds until CONNECTED, which the tunnel says only once its own
    request through the local forward was answered 200 with the token."""
    log = EventLog()
    tunnel = tunnels.tunnel(profile, log)
    started = time.monotonic()
    tunnel.start()
    log.wait_state(TunnelState.CONNECTED, 120)
    return time.monotonic() - started, tunnel


class SingleServer:
    """Tunnels to Jupyter on the lab server itself, the single-server yardstick."""

    def __init__(self, lab: LabServer, workdir: Path) -> None:
        self.store = ProfileStore(workdir / "single-profiles.json")
        self.store.load()
        secrets = MemorySecretStore()
        known = workdir / "single-known_hosts"
        name = host_entry_name(lab.host, lab.port)
        known.write_text("".join(f"{name} {line}\n" for line in lab.host_public_keys.values()))
        self.deps = TunnelDeps(
            store=self.store,
            secrets=secrets,
            hostkeys=HostKeyStore(known),
            remembered=RememberedServers(workdir / "single-state.json"),
        )
        self.profile = HostProfile("single", lab.host, lab.user.name, port=lab.port,
                                   target=JupyterSpec(env=lab.jupyter_venv))  # fmt: skip
        self.store.add(self.profile)
        secrets.set(self.profile.id, SecretKind.PASSWORD, lab.user.password)

    def tunnel(self, profile: HostProfile, log: EventLog) -> Tunnel:
        return Tunnel(self.store.get(profile.id), self.deps, log)


def single_server_reconnect(lab: LabServer, workdir: Path, rounds: int) -> list[float]:
    """Reconnect to a Jupyter already running on the lab server (measured the same way)."""
    single = SingleServer(lab, workdir)
    _, first = click(single, single.profile)  # the first connect starts Jupyter there
    first.stop()
    first.join(15)
    figures = []
    for _ in range(rounds):
        seconds, tunnel = click(single, single.profile)
        figures.append(seconds)
        tunnel.stop()
        tunnel.join(15)
    return figures


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="one round (CI smoke)")
    parser.add_argument("--json", type=Path, help="write the figures here too")
    args = parser.parse_args()
    rounds = 1 if args.quick else args.rounds
    if os.geteuid() != 0:
        print("bench_slurm.py: needs root (network namespaces, slurmd)", file=sys.stderr)
        return 2
    started = time.monotonic()
    lab = start_lab_server()
    try:
        cluster = start_slurm_cluster(lab)
        try:
            report = run(lab, cluster, rounds)
        finally:
            cluster.close()
    finally:
        lab.close()
    report["seconds"] = round(time.monotonic() - started, 1)
    print_report(report)
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))
    return 0


def run(lab: LabServer, cluster: SlurmCluster, rounds: int) -> dict[str, Any]:
    """The figures; the folder for the tunnels' profiles and host keys goes afterwards."""
    workdir = Path(tempfile.mkdtemp(prefix=f"labtunnel-bench-{os.getpid()}-"))
    try:
        os.chmod(workdir, 0o700)
        return _measure(lab, cluster, rounds, workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _measure(lab: LabServer, cluster: SlurmCluster, rounds: int, workdir: Path) -> dict[str, Any]:
    tunnels = SlurmTunnels(cluster, workdir, ReconnectPolicy())
    profile = tunnels.profile(
        "bench", slurm_target(cluster, time_limit="10", extra_options=("--nodelist=node1",))
    )
    # warm-up: the first job of a fresh cluster waits ~2 s for slurmctld's first pass, and
    # the first Jupyter start fills the page cache; neither is what a user meets daily
    cluster_own_time(cluster, 28888)
    own: list[dict[str, float]] = []
    clicks: list[float] = []
    reconnects: list[float] = []
    for index in range(rounds):
        own.append(cluster_own_time(cluster, 28889 + index))
        seconds, tunnel = click(tunnels, profile)
        clicks.append(seconds)
        tunnel.stop()
        assert tunnel.join(15)
        seconds, tunnel = click(tunnels, profile)  # the job still runs: found again
        reconnects.append(seconds)
        tunnel.stop(stop_jupyter=True)
        assert tunnel.join(30)
        cluster.cancel_all()
    single = single_server_reconnect(lab, workdir, rounds)
    own_total = median([o["total_s"] for o in own])
    return {
        "rounds": rounds,
        "cluster_sbatch_to_running_s": median([o["sbatch_to_running_s"] for o in own]),
        "cluster_jupyter_start_s": median([o["jupyter_start_s"] for o in own]),
        "cluster_total_s": own_total,
        "click_new_job_s": median(clicks),
        "click_goal_s": own_total + GOAL_CLICK_EXTRA,
        "reconnect_running_job_s": median(reconnects),
        "reconnect_single_server_s": median(single),
        "samples": {"own": own, "click": clicks, "reconnect": reconnects, "single": single},
        "machine": {
            "nproc": os.cpu_count(),
            "python": platform.python_version(),
            "kernel": platform.release(),
            "slurm": cluster.login_exec(["sinfo", "--version"]).stdout.strip(),
        },
    }


def print_report(report: dict[str, Any]) -> None:
    print(f"## Jupyter in a Slurm job ({report['rounds']} rounds, medians, seconds)")
    print(f"- cluster: sbatch -> running            {report['cluster_sbatch_to_running_s']:.2f}")
    print(f"- cluster: Jupyter start in the job     {report['cluster_jupyter_start_s']:.2f}")
    print(f"- cluster: total                        {report['cluster_total_s']:.2f}")
    print(
        f"- LabTunnel: click -> answering (new job) {report['click_new_job_s']:.2f}"
        f"  (goal <= {report['click_goal_s']:.2f})"
    )
    print(
        f"- LabTunnel: reconnect to running job   {report['reconnect_running_job_s']:.2f}"
        f"  (single server: {report['reconnect_single_server_s']:.2f})"
    )
    print(f"- whole run {report['seconds']} s; {report['machine']['slurm']}")


if __name__ == "__main__":
    sys.exit(main())

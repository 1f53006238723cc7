"""A real Slurm cluster: login node (slurmctld + sshd), compute nodes (slurmd), one munged."""

from __future__ import annotations

import atexit
import dataclasses
import os
import pwd
import re
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from tests.harness import _proc, netns, owner
from tests.harness.errors import HarnessError, HarnessUnavailable, Teardown
from tests.harness.keys import HostKeySet
from tests.harness.sshd import SSHD, Sshd, SshdSettings
from tests.harness.users import TestUser

from . import config, network
from .config import NODES, PARTITIONS, Layout, NodeSpec, PartitionSpec
from .daemons import MUNGED, SLURMCTLD, SLURMD, Daemon, munged_argv, slurmctld_argv, slurmd_argv
from .network import ClusterNetwork, NodeLink

if TYPE_CHECKING:
    from tests.harness.keys import ClientKeys
    from tests.harness.lab import LabServer

LOGIN_HOSTNAME = "login"
_BINARIES = (
    (SLURMCTLD, "slurmctld"),
    (SLURMD, "slurmd"),
    ("/usr/bin/sbatch", "slurm-client"),
    (MUNGED, "munge"),
    (SSHD, "openssh-server"),
)
# Job states in which a job still holds (or waits for) resources.
ACTIVE_STATES = frozenset(
    {"PENDING", "RUNNING", "CONFIGURING", "COMPLETING", "SUSPENDED", "REQUEUED", "RESIZING"}
)


@dataclass(frozen=True)
class ComputeNode:
    name: str  # hostname inside the node, and Slurm's NodeName
    address: str  # on the cluster bridge: reachable from the login node only
    netns: str
    cpus: int
    memory_mb: int
    gpus: int


@dataclass(frozen=True)
class JobInfo:
    """One job as ``scontrol show job`` tells it (the fields the tests need)."""

    job_id: int
    name: str
    user: str
    state: str  # "PENDING", "RUNNING", "TIMEOUT", "CANCELLED", "NODE_FAIL"...
    reason: str  # "None", "Resources", "Priority", "TimeLimit"...
    node_list: str  # "node1", or "(null)" / "" while pending
    partition: str
    time_limit: str
    fields: dict[str, str]

    @property
    def active(self) -> bool:
        return self.state in ACTIVE_STATES


@dataclass
class _Runtime:
    workdir: Path
    layout: Layout
    net: ClusterNetwork | None = None
    munged: Daemon | None = None
    slurmctld: Daemon | None = None
    slurmd: dict[str, Daemon] = field(default_factory=dict)
    sshd: Sshd | None = None
    closed: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)

    def close(self, keep_logs_in: Path | None = None) -> None:
        with self.lock:
            if self.closed:
                return
            self.closed = True
        atexit.unregister(self.close)
        teardown = Teardown("slurm cluster")
        if keep_logs_in is not None:
            teardown.attempt(_copy_logs, self.workdir, keep_logs_in)
        # slurmctld first: killing slurmscriptd under a live slurmctld makes it hang ~10 s.
        # slurmstepd ignores SIGTERM; munged takes ~2 s to leave on SIGTERM. SIGKILL all.
        if self.net is not None:
            first = [self.slurmctld.pid] if self.slurmctld and self.slurmctld.pid else []
            teardown.attempt(self.net.kill_all, first)
        for daemon in [self.slurmctld, *self.slurmd.values(), self.munged]:
            if daemon is not None:
                teardown.attempt(daemon.kill)
        if self.sshd is not None:
            teardown.attempt(self.sshd.kill)
        if self.net is not None:
            teardown.attempt(self.net.destroy)
        shutil.rmtree(self.workdir, ignore_errors=True)
        teardown.done()


def _copy_logs(workdir: Path, target: Path) -> None:
    target.mkdir(parents=True, exist_ok=True)
    for log in [*workdir.glob("*.log"), *(workdir / "log").glob("*")]:
        if log.is_file():
            shutil.copy(log, target / log.name)


@dataclass(frozen=True)
class SlurmCluster:
    """See tests/harness/slurm/__init__.py for the whole API."""

    cluster_name: str
    login_host: str  # the login node's public address: what the client connects to
    login_port: int
    login_hostname: str
    login_cluster_address: str
    host_key_fingerprints: dict[str, str]
    host_public_keys: dict[str, str]
    user: TestUser
    other_user: TestUser
    keys: ClientKeys
    nodes: tuple[ComputeNode, ...]
    partitions: tuple[PartitionSpec, ...]
    jupyter_venv: str
    jupyter_bin: str
    sshd_log: Path
    slurm_conf_text: str
    setup_seconds: float
    _rt: _Runtime = field(repr=False, compare=False)

    # --- running things -------------------------------------------------------------------

    def node(self, name: str) -> ComputeNode:
        for node in self.nodes:
            if node.name == name:
                return node
        raise KeyError(name)

    def _net(self) -> ClusterNetwork:
        assert self._rt.net is not None
        return self._rt.net

    def _as(self, argv: Sequence[str], user: TestUser | None) -> list[str]:
        if user is None:
            return list(argv)
        return [
            "setpriv", f"--reuid={user.uid}", f"--regid={user.gid}", "--init-groups",
            "--reset-env", "--", *argv,
        ]  # fmt: skip

    def login_argv(self, argv: Sequence[str], user: TestUser | None = None) -> list[str]:
        return self._net().exec_argv(
            self._net().login_netns, self.login_hostname, self._as(argv, user)
        )

    def node_argv(self, node: str, argv: Sequence[str], user: TestUser | None = None) -> list[str]:
        link = self.node(node)
        return self._net().exec_argv(link.netns, link.name, self._as(argv, user))

    def login_exec(
        self,
        argv: Sequence[str],
        user: TestUser | None = None,
        *,
        input: str | None = None,
        timeout: float = 30,
        check: bool = False,
    ) -> subprocess.CompletedProcess[str]:
        """Run ``argv`` on the login node (Slurm's commands work there), as root or ``user``."""
        return _run(self.login_argv(argv, user), input, timeout, check, user)

    def node_exec(
        self,
        node: str,
        argv: Sequence[str],
        user: TestUser | None = None,
        *,
        input: str | None = None,
        timeout: float = 30,
        check: bool = False,
    ) -> subprocess.CompletedProcess[str]:
        """Run ``argv`` on compute node ``node`` (its namespace and hostname)."""
        return _run(self.node_argv(node, argv, user), input, timeout, check, user)

    # --- jobs -----------------------------------------------------------------------------

    def submit(self, script: str, user: TestUser, *sbatch_args: str) -> int:
        """``sbatch --parsable ARGS`` with ``script`` on stdin, as ``user``; the job id."""
        result = self.login_exec(["sbatch", "--parsable", *sbatch_args], user, input=script)
        if result.returncode != 0:
            raise HarnessError(f"sbatch failed: {result.stderr.strip()}")
        return int(result.stdout.strip().split(";")[0])

    def fill(self, node: str, user: TestUser | None = None, *, minutes: int = 30) -> int:
        """Take every CPU and GPU of ``node`` with a sleeping job; the job id once RUNNING."""
        spec = self.node(node)
        job = self.submit(
            "#!/bin/sh\nexec sleep 100000\n",
            user or self.other_user,
            f"--nodelist={node}", "--exclusive", f"--gres=gpu:{spec.gpus}",
            f"--cpus-per-task={spec.cpus}", f"--time={minutes}", "--job-name=lt-filler",
            "--output=/dev/null",
        )  # fmt: skip
        self.wait_job(job, {"RUNNING"})
        return job

    def job(self, job_id: int) -> JobInfo | None:
        """The job as slurmctld knows it (ended jobs stay known for MinJobAge, 300 s)."""
        result = self.login_exec(["scontrol", "--oneliner", "show", "job", str(job_id)])
        if result.returncode != 0:
            return None
        return _parse_job(result.stdout)

    def jobs(self, user: TestUser | None = None) -> list[JobInfo]:
        result = self.login_exec(["scontrol", "--oneliner", "show", "job"], check=True)
        found = [
            info
            for line in result.stdout.splitlines()
            if line.startswith("JobId=") and (info := _parse_job(line)) is not None
        ]
        return [job for job in found if user is None or job.user == user.name]

    def wait_job(self, job_id: int, states: set[str], timeout: float = 30) -> JobInfo:
        deadline = time.monotonic() + timeout
        info = None
        while time.monotonic() < deadline:
            info = self.job(job_id)
            if info is not None and info.state in states:
                return info
            time.sleep(0.1)
        raise HarnessError(f"job {job_id} not in {sorted(states)} after {timeout} s: {info}")

    def cancel_all(self, timeout: float = 30) -> None:
        """scancel every job of the test users and wait until none holds a node any more."""
        for user in (self.user, self.other_user):
            self.login_exec(["scancel", "--user", user.name, "--full"])
        self.login_exec(["scancel", "--user", "root", "--full"])
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not [job for job in self.jobs() if job.active]:
                return
            time.sleep(0.1)
        raise HarnessError(f"jobs still active after scancel: {self.jobs()}")

    def node_pids(self, node: str) -> list[int]:
        """Processes on ``node`` other than slurmd itself (slurmstepd, the jobs' processes)."""
        daemon = self._rt.slurmd.get(node)
        keep = {daemon.pid} if daemon is not None and daemon.pid else set()
        result = _proc.run(["ip", "netns", "pids", self.node(node).netns], check=False)
        return [int(p) for p in result.stdout.split() if p.isdigit() and int(p) not in keep]

    def node_state(self, node: str) -> str:
        """slurmctld's view: "idle", "mixed", "allocated", "down", "down+not_responding"...
        (``scontrol``: sinfo's summary can lag behind a job's end)."""
        result = self.login_exec(["scontrol", "--oneliner", "show", "node", node])
        match = re.search(r"\bState=(\S+)", result.stdout)
        return match.group(1).lower() if match else ""

    def wait_node_state(self, node: str, states: set[str], timeout: float = 30) -> str:
        deadline = time.monotonic() + timeout
        state = ""
        while time.monotonic() < deadline:
            state = self.node_state(node)
            if state.split("+")[0] in states:
                return state
            time.sleep(0.1)
        jobs = self.login_exec(["squeue", "-h", "-t", "all", "-o", "%i %u %j %T %N"]).stdout
        shown = self.login_exec(["scontrol", "show", "node", node]).stdout
        raise HarnessError(
            f"{node} is {state!r}, not {sorted(states)} after {timeout} s; jobs:\n{jobs}{shown}"
        )

    # --- faults ---------------------------------------------------------------------------

    def preempt(self, node: str) -> int:
        """Root submits an exclusive job to the hidden high-priority partition on ``node``:
        Slurm cancels the jobs running there (state PREEMPTED). The preemptor's job id."""
        result = self.login_exec(
            ["sbatch", "--parsable", "--partition=urgent", f"--nodelist={node}", "--exclusive",
             "--job-name=lt-preemptor", "--output=/dev/null", "--time=5"],
            input="#!/bin/sh\nexec sleep 100000\n",
        )  # fmt: skip
        if result.returncode != 0:
            raise HarnessError(f"preempting sbatch failed: {result.stderr.strip()}")
        return int(result.stdout.strip().split(";")[0])

    def set_node_down(self, node: str, reason: str = "labtunnel test") -> None:
        """What an admin does to a failing node; its jobs end with NODE_FAIL."""
        self.login_exec(
            ["scontrol", "update", f"nodename={node}", "state=down", f"reason={reason}"],
            check=True,
        )

    def kill_slurmd(self, node: str) -> None:
        """SIGKILL the node's slurmd (its jobs keep running until Slurm gives the node up)."""
        self._rt.slurmd[node].kill()

    def start_slurmd(self, node: str) -> None:
        daemon = self._rt.slurmd[node]
        daemon.start()
        daemon.wait_until(lambda pid: _proc.listens_on(pid, config.SLURMD_PORT), "slurmd listening")

    def resume_node(self, node: str) -> None:
        if not self._rt.slurmd[node].running:
            self.start_slurmd(node)
        state = self.node_state(node)
        if any(flag in state for flag in ("down", "drain", "fail")):
            self.login_exec(["scontrol", "update", f"nodename={node}", "state=resume"], check=True)
        self.wait_node_state(node, {"idle", "mixed", "allocated"})

    def update_partition(self, partition: str, **settings: str) -> None:
        """``scontrol update partitionname=P Key=Value...``; undone by :meth:`reset`."""
        args = [f"{key}={value}" for key, value in settings.items()]
        self.login_exec(["scontrol", "update", f"partitionname={partition}", *args], check=True)

    def reset(self) -> None:
        """After each test: no job of the test users, every node up and idle, partitions
        as configured."""
        self.cancel_all()
        for spec in self.partitions:
            self.update_partition(spec.name, MaxTime=spec.max_time, State="UP")
        for node in self.nodes:
            self.resume_node(node.name)
            self.wait_node_state(node.name, {"idle"})

    def close(self, keep_logs_in: Path | None = None) -> None:
        self._rt.close(keep_logs_in)


def _run(
    argv: list[str], input: str | None, timeout: float, check: bool, user: TestUser | None
) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        argv,
        input=input,
        stdin=None if input is not None else subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=user.home if user else None,
    )
    if check and result.returncode != 0:
        raise HarnessError(f"{argv!r} exited {result.returncode}: {result.stderr.strip()}")
    return result


_KEY = r"\w+(?:[/:]\w+)*"
_FIELD = re.compile(rf"({_KEY})=(.*?)(?= {_KEY}=|$)")


def _parse_job(line: str) -> JobInfo | None:
    fields = {key: value.strip() for key, value in _FIELD.findall(line.strip())}
    if "JobId" not in fields:
        return None
    return JobInfo(
        job_id=int(fields["JobId"]),
        name=fields.get("JobName", ""),
        user=fields.get("UserId", "").split("(")[0],
        state=fields.get("JobState", ""),
        reason=fields.get("Reason", ""),
        node_list=fields.get("NodeList", ""),
        partition=fields.get("Partition", ""),
        time_limit=fields.get("TimeLimit", ""),
        fields=fields,
    )


# --- building -------------------------------------------------------------------------------


def start_slurm_cluster(lab: LabServer) -> SlurmCluster:
    """Build the cluster for ``lab``'s users and keys; HarnessUnavailable if this machine
    cannot (not root, no namespaces, Slurm or munge not installed)."""
    started = time.monotonic()
    if os.geteuid() != 0:
        raise HarnessUnavailable("a Slurm cluster needs root (namespaces, slurmd, munged)")
    if lab.netns is None or lab.other_user is None:
        raise HarnessUnavailable("a Slurm cluster needs network namespaces")
    for binary, package in _BINARIES:
        if not os.access(binary, os.X_OK):
            raise HarnessUnavailable(f"{package} is not installed ({binary})")
    pid = os.getpid()
    tmp = Path(tempfile.gettempdir())
    with netns.machine_lock():
        reap_stale(tmp)
    workdir = Path(tempfile.mkdtemp(prefix=f"labtunnel-slurm-{pid}-"))
    workdir.chmod(0o755)  # users' sbatch must reach the munge socket inside
    rt = _Runtime(workdir=workdir, layout=Layout(workdir))
    atexit.register(rt.close)
    try:
        return _build(rt, lab, pid, started)
    except BaseException:
        rt.close()
        raise


def _build(rt: _Runtime, lab: LabServer, pid: int, started: float) -> SlurmCluster:
    layout = rt.layout
    for directory in (layout.state_dir, layout.log_dir, layout.dev_dir, layout.spool_dir):
        directory.mkdir(mode=0o755)
    for node in NODES:
        (layout.spool_dir / node.name).mkdir(mode=0o755)
        for index in range(node.gpus):
            os.mknod(layout.gpu_device(node.name, index), 0o666 | 0o020000, os.makedev(1, 3))

    rt.net = net = ClusterNetwork.create(pid, [node.name for node in NODES], rt.workdir)
    cluster_name = f"lt{pid}"
    conf = config.slurm_conf(
        cluster_name,
        LOGIN_HOSTNAME,
        net.login_cluster_ip,
        {link.hostname: link.address for link in net.nodes},
        layout,
    )
    net.write_etc(
        {
            "hosts": net.hosts_file(LOGIN_HOSTNAME),
            "nsswitch.conf": config.NSSWITCH_CONF,
            "resolv.conf": config.RESOLV_CONF,
            "slurm/slurm.conf": conf,
            "slurm/gres.conf": config.gres_conf(layout),
            "slurm/cgroup.conf": config.CGROUP_CONF,
        }
    )

    _start_munged(rt)
    login = net.login_netns
    rt.slurmctld = Daemon(
        "slurmctld",
        net.exec_argv(login, LOGIN_HOSTNAME, slurmctld_argv()),
        layout.log_dir / "slurmctld.out",
    )
    rt.slurmctld.start()
    host_keys = HostKeySet.create(rt.workdir / "hostkeys", "login")
    assert lab.other_user is not None
    settings = SshdSettings("0.0.0.0", 22, host_keys, (lab.user.name, lab.other_user.name))
    rt.sshd = Sshd("login", settings, rt.workdir, net.exec_argv(login, LOGIN_HOSTNAME, []))
    rt.sshd.start()
    rt.slurmctld.wait_until(
        lambda p: _proc.listens_on(p, config.SLURMCTLD_PORT), "slurmctld listening"
    )
    for link in net.nodes:
        daemon = Daemon(
            f"slurmd-{link.hostname}",
            net.exec_argv(link.netns, link.hostname, slurmd_argv(link.hostname)),
            layout.log_dir / f"slurmd-{link.hostname}.out",
        )
        rt.slurmd[link.hostname] = daemon
        daemon.start()
    nodes = tuple(_compute_node(link, spec) for link, spec in zip(net.nodes, NODES, strict=True))
    cluster = SlurmCluster(
        cluster_name=cluster_name,
        login_host=net.login_public_ip,
        login_port=22,
        login_hostname=LOGIN_HOSTNAME,
        login_cluster_address=net.login_cluster_ip,
        host_key_fingerprints=dict(host_keys.fingerprints),
        host_public_keys=dict(host_keys.public_keys),
        user=lab.user,
        other_user=lab.other_user,
        keys=lab.keys,
        nodes=nodes,
        partitions=PARTITIONS,
        jupyter_venv=lab.jupyter_venv,
        jupyter_bin=lab.jupyter_bin,
        sshd_log=rt.sshd.log_path,
        slurm_conf_text=conf,
        setup_seconds=0.0,
        _rt=rt,
    )
    for link in net.nodes:
        rt.slurmd[link.hostname].wait_until(
            lambda p: _proc.listens_on(p, config.SLURMD_PORT), "slurmd listening"
        )
    for compute in nodes:
        _wait_registered(cluster, rt, compute.name)
    return _with_setup_time(cluster, time.monotonic() - started)


def _with_setup_time(cluster: SlurmCluster, seconds: float) -> SlurmCluster:
    return dataclasses.replace(cluster, setup_seconds=seconds)


def _compute_node(link: NodeLink, spec: NodeSpec) -> ComputeNode:
    return ComputeNode(
        link.hostname, link.address, link.netns, spec.cpus, spec.memory_mb, spec.gpus
    )


def _wait_registered(cluster: SlurmCluster, rt: _Runtime, node: str, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    state = ""
    while time.monotonic() < deadline:
        if not rt.slurmd[node].running:
            raise HarnessError(f"slurmd on {node} exited" + rt.slurmd[node].log_tail())
        state = cluster.node_state(node)
        if state == "idle":
            return
        time.sleep(0.05)
    raise HarnessError(
        f"{node} did not come up idle in {timeout} s (state {state!r})"
        + rt.slurmd[node].log_tail()
        + (rt.slurmctld.log_tail() if rt.slurmctld else "")
    )


def reap_stale(tmp_dir: Path) -> None:
    """Remove what the clusters of dead test sessions left: namespaces (and every process in
    them), /etc/netns dirs, munged, guard routes, workdirs. Call with the machine lock held."""
    verdicts: dict[int, bool] = {}

    def is_dead(pid: int) -> bool:
        if pid not in verdicts:
            verdicts[pid] = owner.is_dead(pid)
        return verdicts[pid]

    network.reap_stale(is_dead)
    for workdir in tmp_dir.glob("labtunnel-slurm-*-*"):
        match = re.fullmatch(r"labtunnel-slurm-(\d+)-\w+", workdir.name)
        if not match or not is_dead(int(match.group(1))):
            continue
        _kill_munged_of(Layout(workdir))
        network.remove_listed_guards(workdir)
        shutil.rmtree(workdir, ignore_errors=True)


def _kill_munged_of(layout: Layout) -> None:
    try:
        pid = int((layout.munge_dir / "munged.pid").read_text().split()[0])
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except (OSError, ValueError, IndexError):
        return
    # Only the munged that serves this very socket (a PID may have been reused since).
    if f"--socket={layout.munge_socket}".encode() in cmdline.split(b"\0"):
        _proc.kill_pids([pid])
        _proc.wait_gone([pid])


def _start_munged(rt: _Runtime) -> None:
    """One munged in the host namespace serves every node: its socket is a file path."""
    layout = rt.layout
    entry = pwd.getpwnam("munge")
    key_dir = layout.munge_key.parent
    for directory, mode in ((layout.munge_dir, 0o755), (key_dir, 0o700)):
        directory.mkdir(mode=mode)
        os.chown(directory, entry.pw_uid, entry.pw_gid)
    fd = os.open(layout.munge_key, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o400)
    with os.fdopen(fd, "wb") as handle:
        handle.write(os.urandom(1024))
    os.chown(layout.munge_key, entry.pw_uid, entry.pw_gid)
    rt.munged = Daemon(
        "munged",
        munged_argv(layout.munge_key, layout.munge_socket, layout.munge_dir, entry.pw_uid,
                    entry.pw_gid),
        layout.log_dir / "munged.out",
    )  # fmt: skip
    rt.munged.start()
    rt.munged.wait_until(lambda _pid: layout.munge_socket.exists(), "munge socket")


__all__ = ["ComputeNode", "JobInfo", "SlurmCluster", "start_slurm_cluster"]

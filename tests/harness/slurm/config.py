"""The cluster's Slurm configuration: slurm.conf, gres.conf (fake GPUs), cgroup.conf."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

SLURMCTLD_PORT = 6817
SLURMD_PORT = 6818


@dataclass(frozen=True)
class NodeSpec:
    name: str
    cpus: int
    memory_mb: int
    gpus: int


@dataclass(frozen=True)
class PartitionSpec:
    name: str
    nodes: tuple[str, ...]
    max_time: str  # Slurm's form: "1-00:00:00", "00:30:00"
    default: bool = False
    #: extra settings for the PartitionName line
    extra: str = ""


# node1 has two fake GPUs, node2 one. "gpu" (the default) spans both; "short" is node2 with a
# 30-minute limit, so a longer request is over the partition's limits. "urgent" (hidden, root
# only) has a higher priority tier: a job there preempts (cancels) the jobs in its way.
NODES = (NodeSpec("node1", 2, 2000, 2), NodeSpec("node2", 2, 2000, 1))
PARTITIONS = (
    PartitionSpec("gpu", ("node1", "node2"), "1-00:00:00", default=True),
    PartitionSpec("short", ("node2",), "00:30:00"),
    PartitionSpec(
        "urgent",
        ("node1", "node2"),
        "1-00:00:00",
        extra="PriorityTier=10 AllowGroups=root Hidden=YES",
    ),
)


@dataclass(frozen=True)
class Layout:
    """Where everything of one cluster lives (all under the session's workdir)."""

    workdir: Path

    @property
    def munge_dir(self) -> Path:
        return self.workdir / "munge"

    @property
    def munge_socket(self) -> Path:
        return self.munge_dir / "munge.socket.2"

    @property
    def munge_key(self) -> Path:
        return self.workdir / "munge-key" / "munge.key"

    @property
    def state_dir(self) -> Path:
        return self.workdir / "state"

    @property
    def spool_dir(self) -> Path:
        return self.workdir / "spool"

    @property
    def log_dir(self) -> Path:
        return self.workdir / "log"

    @property
    def dev_dir(self) -> Path:
        return self.workdir / "dev"

    def gpu_device(self, node: str, index: int) -> Path:
        return self.dev_dir / f"{node}-gpu{index}"


def slurm_conf(
    cluster_name: str,
    login_hostname: str,
    login_address: str,
    node_addresses: dict[str, str],
    layout: Layout,
) -> str:
    lines = [
        "# LabTunnel test harness: a real Slurm cluster in network namespaces",
        f"ClusterName={cluster_name}",
        f"SlurmctldHost={login_hostname}({login_address})",
        f"SlurmctldPort={SLURMCTLD_PORT}",
        f"SlurmdPort={SLURMD_PORT}",
        "SlurmUser=root",
        "AuthType=auth/munge",
        "CredType=cred/munge",
        f"AuthInfo=socket={layout.munge_socket}",
        f"StateSaveLocation={layout.state_dir}",
        f"SlurmdSpoolDir={layout.spool_dir}/%n",
        f"SlurmctldPidFile={layout.workdir}/slurmctld.pid",
        f"SlurmdPidFile={layout.workdir}/slurmd-%n.pid",
        f"SlurmctldLogFile={layout.log_dir}/slurmctld.log",
        f"SlurmdLogFile={layout.log_dir}/slurmd-%n.log",
        "SlurmctldDebug=info",
        "SlurmdDebug=info",
        "MailProg=/bin/true",
        # Nothing touches the machine's cgroups: slurmd gets an empty tmpfs there (see
        # cgroup.conf), processes are tracked through /proc, tasks are not bound.
        "ProctrackType=proctrack/linuxproc",
        "TaskPlugin=task/none",
        "SelectType=select/cons_tres",
        "SelectTypeParameters=CR_Core_Memory",
        "DefMemPerCPU=100",
        "JobAcctGatherType=jobacct_gather/none",
        "AccountingStorageType=accounting_storage/none",
        "JobCompType=jobcomp/none",
        "MpiDefault=none",
        "SwitchType=switch/none",
        "GresTypes=gpu",
        # As many admins set it: sbatch itself refuses a request over a partition's limits.
        "EnforcePartLimits=ALL",
        "ReturnToService=2",
        "SlurmctldTimeout=30",
        "SlurmdTimeout=20",
        "InactiveLimit=0",
        "MinJobAge=300",
        "KillWait=2",
        "Waittime=0",
        "SchedulerType=sched/backfill",
        "PreemptType=preempt/partition_prio",
        "PreemptMode=CANCEL",
        # Expected start times of pending jobs come from the backfill pass: run it often.
        "SchedulerParameters=bf_interval=2",
    ]
    for node in NODES:
        lines.append(
            f"NodeName={node.name} NodeAddr={node_addresses[node.name]} CPUs={node.cpus} "
            f"RealMemory={node.memory_mb} Gres=gpu:{node.gpus} State=UNKNOWN"
        )
    for part in PARTITIONS:
        lines.append(
            f"PartitionName={part.name} Nodes={','.join(part.nodes)} MaxTime={part.max_time} "
            f"Default={'YES' if part.default else 'NO'} State=UP {part.extra}".rstrip()
        )
    return "\n".join(lines) + "\n"


def gres_conf(layout: Layout) -> str:
    # File= lines are what makes Slurm hand out CUDA_VISIBLE_DEVICES; the files are dummy
    # character devices (like /dev/null). A Count= without File= leaves the node INVAL.
    lines = []
    for node in NODES:
        for index in range(node.gpus):
            lines.append(
                f"NodeName={node.name} Name=gpu File={layout.gpu_device(node.name, index)}"
            )
    return "\n".join(lines) + "\n"


CGROUP_CONF = "CgroupPlugin=cgroup/v1\nCgroupAutomount=no\n"
NSSWITCH_CONF = "passwd: files\ngroup: files\nshadow: files\nhosts: files\n"
RESOLV_CONF = "nameserver 127.0.0.1\n"

"""A real Slurm cluster in network namespaces, for LabTunnel's cluster tests.

Fixture ``slurm_cluster`` (session; tests/conftest.py) -> :class:`SlurmCluster`, built on
the ``lab_server``'s users and client keys (the same real Unix users: homes are shared by
every node, like NFS). Under ``LABTUNNEL_REQUIRE_HARNESS=1`` a missing piece fails the test.

Topology (names carry the pytest PID; see network.py)::

    client --veth-- login  (sshd :22, slurmctld; bridge "cluster0")
                      |-- node1  (slurmd; 2 CPUs, 2000 MB, 2 fake GPUs)
                      `-- node2  (slurmd; 2 CPUs, 2000 MB, 1 fake GPU)

- Each daemon runs in its own UTS namespace: ``hostname`` says ``login`` / ``node1``.
  /etc/hosts, nsswitch.conf, resolv.conf and /etc/slurm inside are the cluster's own
  (``/etc/netns/<ns>/``): ``sbatch``, ``squeue``, ``sinfo`` just work on the login node, for
  SSH sessions too, and no name lookup leaves the machine.
- The compute nodes are reachable only from the login node (the client has no route): a
  forward to ``node1:PORT`` must go through SSH to the login node.
- One ``munged`` (host namespace) serves all nodes through a socket file in the workdir.
- Fake GPUs: gres.conf ``File=`` lines on dummy character devices; ``--gres=gpu:1`` gets
  ``CUDA_VISIBLE_DEVICES=0``.
- Partitions: ``gpu`` (default; node1 + node2, MaxTime 1 day) and ``short`` (node2, MaxTime
  30 minutes). ``EnforcePartLimits=ALL``: sbatch refuses a request over a partition's limits.
  ``urgent`` is hidden and root-only, with a higher priority tier (``PreemptMode=CANCEL``):
  ``preempt(node)`` puts a job there, and the jobs in its way end PREEMPTED.
  No accounting (``sacct`` does not work); ended jobs stay in ``scontrol show job`` for
  MinJobAge (300 s). Job ids start at 1 for every session.
- The server-side Jupyter venv (``jupyter_venv``/``jupyter_bin``) is usable on every node.

Attributes: ``login_host`` / ``login_port`` (22) — where the client connects;
``login_hostname`` ("login"); ``host_public_keys`` / ``host_key_fingerprints`` of the login
sshd; ``user``, ``other_user``, ``keys`` (the lab server's); ``nodes`` (:class:`ComputeNode`:
``name``, ``address``, ``netns``, ``cpus``, ``memory_mb``, ``gpus``); ``partitions``;
``sshd_log``; ``setup_seconds``.

Methods:

- ``login_exec(argv, user=None, *, input=None, timeout=30, check=False)`` / ``node_exec(node,
  argv, ...)`` -> CompletedProcess[str]: run on the login node or a compute node, as root or
  as ``user`` (setpriv, clean environment, cwd = home).
- ``submit(script, user, *sbatch_args)`` -> job id (script on stdin); ``fill(node)`` takes a
  node whole with a sleeping job of ``other_user`` (returns once RUNNING).
- ``job(id)`` -> :class:`JobInfo` | None (``scontrol show job``: ``state``, ``reason``,
  ``node_list``, ``fields``...); ``jobs(user=None)``; ``wait_job(id, states, timeout)``.
- ``node_pids(node)``: processes on the node besides slurmd (slurmstepd, job processes).
- ``node_state(node)`` ("idle", "allocated", "down*"...), ``wait_node_state(...)``.
- Faults: ``set_node_down(node)`` (scontrol: the node's jobs end with NODE_FAIL),
  ``preempt(node)``,
  ``kill_slurmd(node)`` / ``start_slurmd(node)``, ``update_partition(name, MaxTime=...)``.
- ``reset()``: an autouse fixture calls it after each test that used the cluster: every job
  of the test users cancelled, nodes up and idle, partitions as configured.
- ``close()``: everything killed by PID (slurmctld first, then SIGKILL to whatever is left
  in the namespaces: slurmstepd ignores SIGTERM), namespaces, /etc/netns dirs, guard routes
  and the workdir removed. Leftovers of dead sessions are reaped at the next start.
"""

from __future__ import annotations

from .cluster import ComputeNode, JobInfo, SlurmCluster, start_slurm_cluster
from .config import PartitionSpec

__all__ = ["ComputeNode", "JobInfo", "PartitionSpec", "SlurmCluster", "start_slurm_cluster"]

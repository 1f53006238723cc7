"""The cluster's network: a login namespace on a veth from the host, compute namespaces behind it.

    host (pytest) --veth /30-- login [bridge cluster0, /28] --veth-- node1, node2 ...

The host reaches only the login node's public address; the compute nodes sit on a bridge
inside the login namespace, so the one way to a node is through the login node (SSH), as on
a real cluster. Neither namespace has a default route, and the host has ``unreachable``
guard routes for both subnets: nothing addressed to the cluster ever leaves this machine.

Each namespace gets ``/etc/netns/<name>/`` (``ip netns exec`` bind-mounts its entries over
/etc): a lab ``hosts``, ``nsswitch.conf`` (files only), ``resolv.conf`` (127.0.0.1, so no
DNS query leaves) and ``slurm/`` (the cluster's configuration). Names carry the pytest PID.
"""

from __future__ import annotations

import contextlib
import ipaddress
import re
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from tests.harness import _proc, netns
from tests.harness.errors import HarnessUnavailable

PREFIX = "ltsl"
ETC_NETNS = Path("/etc/netns")
PUBLIC_GUARD_METRIC = "9999"  # like the lab's: netns.reap_stale knows it while the veth lives
CLUSTER_GUARD_METRIC = "9998"  # no veth on the host: reaped from the session's workdir only
GUARDS_FILE = "guard-routes"


@dataclass(frozen=True)
class NodeLink:
    hostname: str
    netns: str
    address: str


@dataclass(frozen=True)
class ClusterNetwork:
    login_netns: str
    host_if: str
    public_subnet: ipaddress.IPv4Network
    host_ip: str  # the host's end of the login veth
    login_public_ip: str  # what the client connects to
    cluster_subnet: ipaddress.IPv4Network
    login_cluster_ip: str  # the login node on the cluster bridge (slurmctld listens here)
    nodes: tuple[NodeLink, ...]

    @property
    def all_netns(self) -> list[str]:
        return [self.login_netns, *(node.netns for node in self.nodes)]

    def guard_routes(self) -> list[tuple[str, str]]:
        return [
            (str(self.public_subnet), PUBLIC_GUARD_METRIC),
            (str(self.cluster_subnet), CLUSTER_GUARD_METRIC),
        ]

    def hosts_file(self, login_hostname: str) -> str:
        lines = ["127.0.0.1 localhost", f"{self.login_cluster_ip} {login_hostname}"]
        lines += [f"{node.address} {node.hostname}" for node in self.nodes]
        return "\n".join(lines) + "\n"

    def exec_argv(self, ns_name: str, hostname: str, argv: Sequence[str]) -> list[str]:
        """Run ``argv`` in ``ns_name`` with its own UTS namespace whose hostname is ``hostname``."""
        return [
            "ip", "netns", "exec", ns_name,
            "unshare", "--uts", "--",
            "sh", "-c", 'hostname "$0" && exec "$@"', hostname, *argv,
        ]  # fmt: skip

    @classmethod
    def create(cls, pid: int, node_names: Sequence[str], workdir: Path) -> ClusterNetwork:
        login = f"{PREFIX}{pid}l"
        with netns.machine_lock():
            public = netns.pick_subnet(pid, 30)
            cluster = netns.pick_subnet(pid + 1, 28, avoid=(public,))
            pub_hosts = [str(h) for h in public.hosts()]
            cl_hosts = [str(h) for h in cluster.hosts()]
            nodes = tuple(
                NodeLink(name, f"{PREFIX}{pid}n{i}", cl_hosts[9 + i])
                for i, name in enumerate(node_names, start=1)
            )
            net = cls(
                login, f"{login}h", public, pub_hosts[0], pub_hosts[1], cluster, cl_hosts[0], nodes
            )
            (workdir / GUARDS_FILE).write_text(
                "".join(f"{subnet} {metric}\n" for subnet, metric in net.guard_routes())
            )
            try:
                net._build()
            except BaseException:
                net._destroy_locked()
                raise
        return net

    def _build(self) -> None:
        probe = _proc.run(["ip", "netns", "add", self.login_netns], check=False)
        if probe.returncode != 0:
            raise HarnessUnavailable(f"ip netns add failed: {probe.stderr.strip()}")
        login = self.login_netns
        pub_len, cl_len = self.public_subnet.prefixlen, self.cluster_subnet.prefixlen
        commands = [
            ["ip", "link", "add", self.host_if, "type", "veth", "peer", "name", "pub0",
             "netns", login],
            ["ip", "addr", "add", f"{self.host_ip}/{pub_len}", "dev", self.host_if],
            ["ip", "link", "set", self.host_if, "up"],
            ["ip", "-n", login, "addr", "add", f"{self.login_public_ip}/{pub_len}", "dev", "pub0"],
            ["ip", "-n", login, "link", "set", "pub0", "up"],
            ["ip", "-n", login, "link", "set", "lo", "up"],
            ["ip", "-n", login, "link", "add", "cluster0", "type", "bridge"],
            ["ip", "-n", login, "addr", "add", f"{self.login_cluster_ip}/{cl_len}",
             "dev", "cluster0"],
            ["ip", "-n", login, "link", "set", "cluster0", "up"],
        ]  # fmt: skip
        for subnet, metric in self.guard_routes():
            commands.append(["ip", "route", "add", "unreachable", subnet, "metric", metric])
        for i, node in enumerate(self.nodes, start=1):
            commands += [
                ["ip", "netns", "add", node.netns],
                ["ip", "-n", login, "link", "add", f"port{i}", "type", "veth", "peer", "name",
                 "eth0", "netns", node.netns],
                ["ip", "-n", login, "link", "set", f"port{i}", "master", "cluster0"],
                ["ip", "-n", login, "link", "set", f"port{i}", "up"],
                ["ip", "-n", node.netns, "addr", "add", f"{node.address}/{cl_len}", "dev", "eth0"],
                ["ip", "-n", node.netns, "link", "set", "eth0", "up"],
                ["ip", "-n", node.netns, "link", "set", "lo", "up"],
            ]  # fmt: skip
        for argv in commands:
            _proc.run(argv)

    def write_etc(self, files: dict[str, str]) -> None:
        """Write ``/etc/netns/<ns>/<relative path>`` for every namespace of the cluster."""
        for ns_name in self.all_netns:
            for relative, content in files.items():
                path = ETC_NETNS / ns_name / relative
                path.parent.mkdir(mode=0o755, parents=True, exist_ok=True)
                path.write_text(content)
                path.chmod(0o644)

    def kill_all(self, first: Sequence[int] = ()) -> None:
        """SIGKILL ``first`` (e.g. slurmctld), then every process left in the namespaces."""
        _proc.kill_pids(first)
        _proc.wait_gone(first, timeout=5)
        for _ in range(3):
            pids = [pid for name in self.all_netns for pid in _netns_pids(name)]
            if not pids:
                return
            _proc.kill_pids(pids)
            _proc.wait_gone(pids, timeout=5)

    def destroy(self) -> None:
        with netns.machine_lock():
            self._destroy_locked()

    def _destroy_locked(self) -> None:
        self.kill_all()
        _proc.run(["ip", "link", "del", self.host_if], check=False)
        for name in self.all_netns:
            _proc.run(["ip", "netns", "del", name], check=False)
            shutil.rmtree(ETC_NETNS / name, ignore_errors=True)
        for subnet, metric in self.guard_routes():
            _del_guard(subnet, metric)


def _netns_pids(name: str) -> list[int]:
    result = _proc.run(["ip", "netns", "pids", name], check=False)
    return [int(p) for p in result.stdout.split() if p.isdigit()]


def _del_guard(subnet: str, metric: str) -> None:
    _proc.run(["ip", "route", "del", "unreachable", subnet, "metric", metric], check=False)


def reap_stale(is_dead: Callable[[int], bool]) -> None:
    """Remove the namespaces and /etc/netns dirs of dead sessions' clusters.

    Call with the machine lock held."""
    pattern = re.compile(rf"{PREFIX}(\d+)(?:l|n\d+)")
    listing = _proc.run(["ip", "netns", "list"], check=False).stdout
    for line in listing.splitlines():
        match = pattern.fullmatch(line.split()[0]) if line.strip() else None
        if match and is_dead(int(match.group(1))):
            pids = _netns_pids(match.group(0))
            _proc.kill_pids(pids)
            _proc.wait_gone(pids, timeout=5)
            _proc.run(["ip", "link", "del", f"{match.group(0)}h"], check=False)
            _proc.run(["ip", "netns", "del", match.group(0)], check=False)
    if ETC_NETNS.is_dir():
        for path in ETC_NETNS.iterdir():
            match = pattern.fullmatch(path.name)
            if match and is_dead(int(match.group(1))):
                shutil.rmtree(path, ignore_errors=True)


def remove_listed_guards(workdir: Path) -> None:
    """Delete the guard routes a (dead) session recorded in its workdir."""
    with contextlib.suppress(OSError):
        for line in (workdir / GUARDS_FILE).read_text().splitlines():
            subnet, metric = line.split()
            _del_guard(subnet, metric)

"""A network namespace standing in for the lab server, joined to the host by a veth pair.

Names carry the pytest PID (``ltst<pid>``) and the /30 subnet is chosen under a machine-wide
lock among ranges no route uses yet, so several test sessions can run at once. A second,
``unreachable`` route for the subnet (metric 9999) is a guard: whatever state the veth is in,
packets for the namespace's address never follow the default route off this machine.
"""

from __future__ import annotations

import contextlib
import fcntl
import ipaddress
import os
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass

from . import _proc, owner
from .errors import HarnessError, HarnessUnavailable

PREFIX = "ltst"
_LOCK_PATH = "/run/lock/labtunnel-test-netns.lock"
_GUARD_METRIC = "9999"
_NFT_TABLE = "labtunnel_drop"


@contextlib.contextmanager
def machine_lock() -> Iterator[None]:
    fd = os.open(_LOCK_PATH, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def _routed_networks() -> list[ipaddress.IPv4Network]:
    out = _proc.run(["ip", "-4", "-o", "route", "show", "table", "all"]).stdout
    networks = []
    for line in out.splitlines():
        for token in line.split()[:2]:
            with contextlib.suppress(ValueError):
                networks.append(ipaddress.IPv4Network(token, strict=False))
                break
    return networks


def pick_subnet(
    seed: int, prefixlen: int = 30, avoid: tuple[ipaddress.IPv4Network, ...] = ()
) -> ipaddress.IPv4Network:
    """A /``prefixlen`` in 10.200.0.0-10.249.255.255 that no route (and nothing in ``avoid``)
    overlaps. Call with :func:`machine_lock` held, and route it before releasing the lock."""
    used = [*_routed_networks(), *avoid]
    rng = random.Random(seed)
    step = 1 << (32 - prefixlen)
    for _ in range(5000):
        candidate = ipaddress.IPv4Network(
            f"10.{rng.randrange(200, 250)}.{rng.randrange(256)}.{rng.randrange(256 // step) * step}"
            f"/{prefixlen}"
        )
        if not any(candidate.overlaps(net) for net in used if net.prefixlen > 0):
            return candidate
    raise HarnessError(f"no free /{prefixlen} subnet in 10.200.0.0-10.249.255.255")


def _pick_subnet(seed: int) -> ipaddress.IPv4Network:
    return pick_subnet(seed)


@dataclass(frozen=True)
class Namespace:
    name: str
    host_if: str
    ns_if: str
    subnet: ipaddress.IPv4Network
    host_ip: str  # the root namespace's end of the veth
    ns_ip: str  # the lab server's address

    def exec_argv(self, argv: list[str]) -> list[str]:
        return ["ip", "netns", "exec", self.name, *argv]

    @classmethod
    def create(cls, owner_pid: int) -> Namespace:
        name = f"{PREFIX}{owner_pid}"
        with machine_lock():
            subnet = _pick_subnet(owner_pid)
            hosts = list(subnet.hosts())
            ns = cls(name, f"{name}h", f"{name}n", subnet, str(hosts[0]), str(hosts[1]))
            try:
                ns._build()
            except BaseException:
                ns._destroy_locked()
                raise
        return ns

    def _build(self) -> None:
        probe = _proc.run(["ip", "netns", "add", self.name], check=False)
        if probe.returncode != 0:
            raise HarnessUnavailable(f"ip netns add failed: {probe.stderr.strip()}")
        plen = str(self.subnet.prefixlen)
        commands = [
            ["ip", "link", "add", self.host_if, "type", "veth", "peer", "name", self.ns_if],
            ["ip", "link", "set", self.ns_if, "netns", self.name],
            ["ip", "addr", "add", f"{self.host_ip}/{plen}", "dev", self.host_if],
            ["ip", "link", "set", self.host_if, "up"],
            ["ip", "route", "add", "unreachable", str(self.subnet), "metric", _GUARD_METRIC],
            ["ip", "-n", self.name, "addr", "add", f"{self.ns_ip}/{plen}", "dev", self.ns_if],
            ["ip", "-n", self.name, "link", "set", self.ns_if, "up"],
            ["ip", "-n", self.name, "link", "set", "lo", "up"],
        ]
        for argv in commands:
            _proc.run(argv)

    def destroy(self) -> None:
        with machine_lock():
            self._destroy_locked()

    def _destroy_locked(self) -> None:
        _kill_namespace_pids(self.name)
        _proc.run(["ip", "link", "del", self.host_if], check=False)
        _proc.run(["ip", "netns", "del", self.name], check=False)
        _proc.run(
            ["ip", "route", "del", "unreachable", str(self.subnet), "metric", _GUARD_METRIC],
            check=False,
        )

    # --- faults ---------------------------------------------------------------------------

    def link_down(self) -> None:
        """Take the namespace's end down: packets to it are dropped, nothing is refused."""
        _proc.run(["ip", "-n", self.name, "link", "set", self.ns_if, "down"])

    def link_up(self) -> None:
        _proc.run(["ip", "-n", self.name, "link", "set", self.ns_if, "up"])

    def drop_all(self) -> None:
        """nftables inside the namespace silently drops every packet except on its loopback."""
        rules = (
            f"table inet {_NFT_TABLE} {{\n"
            "  chain input { type filter hook input priority -300; policy drop;"
            ' iifname "lo" accept; }\n'
            "  chain output { type filter hook output priority -300; policy drop;"
            ' oifname "lo" accept; }\n'
            "}\n"
        )
        _proc.run(self.exec_argv(["nft", "-f", "-"]), input=rules)

    def undrop(self) -> None:
        _proc.run(self.exec_argv(["nft", "delete", "table", "inet", _NFT_TABLE]), check=False)


def _kill_namespace_pids(name: str) -> None:
    result = _proc.run(["ip", "netns", "pids", name], check=False)
    pids = [int(p) for p in result.stdout.split() if p.isdigit()]
    _proc.kill_pids(pids)
    _proc.wait_gone(pids, timeout=5)


def reap_stale() -> None:
    """Delete namespaces (and their guard routes) left by test sessions that died.

    Only ``ltst<pid>`` namespaces whose session is dead (see :mod:`owner`) are touched.
    Call with the machine lock held.
    """
    listing = _proc.run(["ip", "netns", "list"], check=False).stdout
    for line in listing.splitlines():
        match = re.fullmatch(rf"{PREFIX}(\d+)", line.split()[0]) if line.strip() else None
        if match and owner.is_dead(int(match.group(1))):
            _kill_namespace_pids(match.group(0))
            _proc.run(["ip", "link", "del", f"{match.group(0)}h"], check=False)
            _proc.run(["ip", "netns", "del", match.group(0)], check=False)
    # A guard route whose subnet has no veth address any more belongs to a dead session.
    kernel_routes = _proc.run(["ip", "-4", "-o", "route", "show", "proto", "kernel"], check=False)
    live = {line.split()[0] for line in kernel_routes.stdout.splitlines() if line.strip()}
    guards = _proc.run(["ip", "-4", "-o", "route", "show", "type", "unreachable"], check=False)
    for line in guards.stdout.splitlines():
        fields = line.split()
        if fields[2:4] != ["metric", _GUARD_METRIC] or fields[1] in live:
            continue
        octets = fields[1].split(".")
        if octets[0] == "10" and 200 <= int(octets[1]) < 250:
            _proc.run(
                ["ip", "route", "del", "unreachable", fields[1], "metric", _GUARD_METRIC],
                check=False,
            )

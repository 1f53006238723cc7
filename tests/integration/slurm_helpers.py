"""Tunnels to Jupyter in Slurm jobs on the harness cluster: profiles, trust, event logs."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from tests.harness.slurm import SlurmCluster
from tests.integration.tunnel_helpers import EventLog

from labtunnel.core.profiles.model import HostProfile, JupyterSpec
from labtunnel.core.profiles.remembered import RememberedServers
from labtunnel.core.profiles.secrets import MemorySecretStore, SecretKind
from labtunnel.core.profiles.slurm import SlurmJob
from labtunnel.core.profiles.store import ProfileStore
from labtunnel.core.ssh.hostkeys import HostKeyStore, host_entry_name
from labtunnel.core.tunnel.reconnect import ReconnectPolicy
from labtunnel.core.tunnel.tunnel import Tunnel, TunnelDeps


def login_known_hosts(cluster: SlurmCluster, path: Path) -> HostKeyStore:
    """A host key store that trusts the cluster's login node."""
    name = host_entry_name(cluster.login_host, cluster.login_port)
    path.write_text("".join(f"{name} {line}\n" for line in cluster.host_public_keys.values()))
    return HostKeyStore(path)


def slurm_target(cluster: SlurmCluster, **job: object) -> JupyterSpec:
    """Jupyter from the test venv, in a job on the cluster (``job``: SlurmJob fields)."""
    return JupyterSpec(env=cluster.jupyter_venv, slurm=SlurmJob(**job))  # type: ignore[arg-type]


class SlurmTunnels:
    """Profiles of one test in one store (so reconnects and second tunnels share state)."""

    def __init__(self, cluster: SlurmCluster, tmp_path: Path, policy: ReconnectPolicy) -> None:
        self.cluster = cluster
        self.store = ProfileStore(tmp_path / "profiles.json")
        self.store.load()
        self.secrets = MemorySecretStore()
        self.deps = TunnelDeps(
            store=self.store,
            secrets=self.secrets,
            hostkeys=login_known_hosts(cluster, tmp_path / "known_hosts"),
            remembered=RememberedServers(tmp_path / "state.json"),
            policy=policy,
        )

    def profile(self, name: str, target: JupyterSpec, **changes: object) -> HostProfile:
        profile = HostProfile(
            name,
            self.cluster.login_host,
            self.cluster.user.name,
            port=self.cluster.login_port,
            target=target,
        )
        profile = replace(profile, **changes)  # type: ignore[arg-type]
        self.store.add(profile)
        self.secrets.set(profile.id, SecretKind.PASSWORD, self.cluster.user.password)
        return profile

    def tunnel(self, profile: HostProfile, log: EventLog) -> Tunnel:
        return Tunnel(self.store.get(profile.id), self.deps, log)

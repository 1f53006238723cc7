"""The long-lived parts of the app, built once from the paths and shared by front ends."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

from labtunnel.core.platform.paths import AppPaths, default_paths
from labtunnel.core.profiles.remembered import RememberedServers
from labtunnel.core.profiles.secrets import SERVICE_NAME, KeyringSecretStore, SecretStore
from labtunnel.core.profiles.store import ProfileStore
from labtunnel.core.ssh.hostkeys import HostKeyStore

if TYPE_CHECKING:  # imported where used: `labtunnel connect` needs neither key setup
    # nor the profile lifecycle, and the tunnel only once it connects
    from labtunnel.core.profiles.lifecycle import ProfileLifecycle
    from labtunnel.core.ssh.auth import Prompter
    from labtunnel.core.ssh.keysetup import KeySetup
    from labtunnel.core.tunnel.tunnel import TunnelDeps

KEYRING_SERVICE_ENV = "LABTUNNEL_KEYRING_SERVICE"


@dataclass
class AppContext:
    paths: AppPaths
    store: ProfileStore
    secrets: SecretStore
    hostkeys: HostKeyStore
    remembered: RememberedServers

    @property
    def profiles(self) -> ProfileLifecycle:
        """Add, change and remove profiles together with their secrets and state."""
        from labtunnel.core.profiles.lifecycle import ProfileLifecycle

        return ProfileLifecycle(
            self.store, self.secrets, self.remembered, keys_dir=self.paths.keys_dir
        )

    @classmethod
    def create(
        cls, paths: AppPaths | None = None, secrets: SecretStore | None = None
    ) -> AppContext:
        paths = paths or default_paths()
        paths.ensure()
        service = os.environ.get(KEYRING_SERVICE_ENV) or SERVICE_NAME
        return cls(
            paths=paths,
            store=ProfileStore(paths.profiles_file),
            secrets=secrets if secrets is not None else KeyringSecretStore(service),
            hostkeys=HostKeyStore.with_user_known_hosts(paths.known_hosts_file),
            remembered=RememberedServers(paths.state_file),
        )

    def key_setup(self, prompter: Prompter | None = None) -> KeySetup:
        """Switching profiles from their password to a key (and back)."""
        from labtunnel.core.ssh.keysetup import KeySetup

        return KeySetup(
            self.profiles, self.secrets, self.hostkeys, self.paths.keys_dir, prompter=prompter
        )

    def tunnel_deps(self, prompter: Prompter | None = None) -> TunnelDeps:
        from labtunnel.core.tunnel.tunnel import TunnelDeps

        return TunnelDeps(
            store=self.store,
            secrets=self.secrets,
            hostkeys=self.hostkeys,
            remembered=self.remembered,
            prompter=prompter,
        )

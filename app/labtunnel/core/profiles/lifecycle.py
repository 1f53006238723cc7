"""The one place a profile is created, changed or removed together with what belongs to
it: its secrets in the keyring and what LabTunnel remembers about its server.

The rule, kept here and nowhere else: no half-made profile and no orphaned secret.
Secrets are written first (a keyring that fails leaves no profile behind); when saving
the profile then fails, the secrets are put back as they were. Secrets and remembered
state are keyed by the profile's id, so a rename keeps them.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from labtunnel.core.errors import LabTunnelError, SecretStoreUnavailable
from labtunnel.core.logs import register_secret
from labtunnel.core.profiles.model import HostProfile
from labtunnel.core.profiles.remembered import RememberedServers
from labtunnel.core.profiles.secrets import SecretKind, SecretStore, delete_all
from labtunnel.core.profiles.store import ProfileStore

log = logging.getLogger(__name__)

Secrets = Mapping[SecretKind, str]


@dataclass(frozen=True)
class NewProfile:
    """A profile to add and the secrets to keep for it."""

    profile: HostProfile
    secrets: Secrets = field(default_factory=dict)


class ProfileLifecycle:
    def __init__(
        self,
        store: ProfileStore,
        secrets: SecretStore,
        remembered: RememberedServers,
        keys_dir: Path | None = None,
    ) -> None:
        self._store = store
        self._secrets = secrets
        self._remembered = remembered
        #: where "use a key" puts the keys it makes: one of a removed profile goes with it
        self._keys_dir = keys_dir

    @property
    def store(self) -> ProfileStore:
        return self._store

    def add(
        self, profile: HostProfile, secrets: Secrets | None = None, *, check_files: bool = True
    ) -> HostProfile:
        """Save a new profile with its secrets, all or nothing."""
        self.add_all([NewProfile(profile, dict(secrets or {}))], check_files=check_files)
        return profile

    def add_all(self, new: Sequence[NewProfile], *, check_files: bool = True) -> None:
        """Save several new profiles (a lab file's server and its jump host), all or none."""
        added: list[HostProfile] = []
        try:
            for item in new:
                self._write_secrets(item.profile.id, item.secrets)
            for item in new:
                self._store.add(item.profile, check_files=check_files)
                added.append(item.profile)
        except Exception:
            # best effort: the original error is the one worth reporting
            with contextlib.suppress(LabTunnelError):
                for profile in reversed(added):
                    self._store.remove(profile.id)
            for item in new:
                self._delete_secrets(item.profile.id)
            raise

    def update(
        self, profile: HostProfile, secrets: Secrets | None = None, *, check_files: bool = True
    ) -> HostProfile:
        """Save changes to a stored profile (a rename too) and the secrets given; when
        saving fails, the secrets it had are put back."""
        secrets = dict(secrets or {})
        before = {kind: self._secrets.get(profile.id, kind) for kind in secrets}
        try:
            self._write_secrets(profile.id, secrets)
            return self._store.update(profile, check_files=check_files)
        except Exception:
            self._restore_secrets(profile.id, before)
            raise

    def rename(self, profile_id: str, name: str) -> HostProfile:
        """A new name; secrets and remembered state stay (they are keyed by the id)."""
        profile = self._store.get(profile_id)
        return self._store.update(profile.with_changes(name=name.strip()), check_files=False)

    def has_secret(self, profile_id: str, kind: SecretKind) -> bool:
        return self._secrets.get(profile_id, kind) is not None

    def set_secret(self, profile_id: str, kind: SecretKind, value: str) -> None:
        self._store.get(profile_id)  # no secret for a profile that does not exist
        self._write_secrets(profile_id, {kind: value})

    def remove(self, profile_id: str) -> HostProfile:
        """Delete a profile, its secrets and what was remembered about its server, all or
        nothing: a locked keyring leaves the profile as it is. Without any keyring there
        can be no secrets, and the profile is removed."""
        profile = self._store.get(profile_id)
        try:
            before = {kind: self._secrets.get(profile.id, kind) for kind in SecretKind}
            delete_all(self._secrets, profile.id)
        except SecretStoreUnavailable as exc:
            log.warning("no keyring, so no secrets to remove for %s: %s", profile.name, exc)
            before = {}
        try:
            self._store.remove(profile.id)
        except Exception:
            self._restore_secrets(profile.id, before)
            raise
        self._remembered.forget_profile(profile.id)
        self._delete_own_key(profile)
        return profile

    def _delete_own_key(self, profile: HostProfile) -> None:
        """A private key LabTunnel made for this profile is of no use to anyone else."""
        if self._keys_dir is None or not profile.key_path.strip():
            return
        key = Path(profile.key_path).expanduser()
        if key.parent.resolve() != self._keys_dir.resolve():
            return  # the user's own key: theirs to keep
        for item in (key, key.with_name(key.name + ".pub")):
            with contextlib.suppress(OSError):
                item.unlink()

    # --- secrets ------------------------------------------------------------------------

    def _write_secrets(self, profile_id: str, secrets: Secrets) -> None:
        for kind, value in secrets.items():
            register_secret(value)
            self._secrets.set(profile_id, kind, value)

    def _delete_secrets(self, profile_id: str) -> None:
        try:
            delete_all(self._secrets, profile_id)
        except LabTunnelError as exc:
            log.warning("could not remove the secrets of an unsaved profile: %s", exc)

    def _restore_secrets(self, profile_id: str, before: Mapping[SecretKind, str | None]) -> None:
        for kind, value in before.items():
            try:
                if value is None:
                    self._secrets.delete(profile_id, kind)
                else:
                    self._secrets.set(profile_id, kind, value)
            except LabTunnelError as exc:
                log.warning("could not restore the %s of %s: %s", kind.value, profile_id, exc)

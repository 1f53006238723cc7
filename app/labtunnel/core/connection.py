"""From a profile (and the keyring) to the hops of an SSH connection."""

from __future__ import annotations

import logging
from collections.abc import Callable

from labtunnel.core.auth import Credentials
from labtunnel.core.errors import (
    FieldProblem,
    ProfileInvalid,
    SecretMissing,
    SecretStoreLocked,
    SecretStoreUnavailable,
)
from labtunnel.core.logs import register_secret
from labtunnel.core.profiles import AuthMethod, HostProfile
from labtunnel.core.secrets import SecretKind, SecretStore
from labtunnel.core.ssh import SshEndpoint

log = logging.getLogger(__name__)

ProfileLookup = Callable[[str], HostProfile]
Hop = tuple[SshEndpoint, Credentials]


def endpoint_for(profile: HostProfile) -> SshEndpoint:
    return SshEndpoint(
        host=profile.host.strip(),
        port=profile.port,
        username=profile.username.strip(),
        auth=profile.auth,
        key_path=profile.key_path,
        pinned_fingerprints=profile.pinned_fingerprints,
        connect_timeout=float(profile.connect_timeout),
        keepalive_interval=float(profile.keepalive_interval),
        keepalive_count_max=profile.keepalive_count_max,
    )


def credentials_for(
    profile: HostProfile,
    secrets: SecretStore,
    password: str | None = None,
    passphrase: str | None = None,
) -> Credentials:
    """The secrets this profile's auth method needs. Explicit values (a "Test
    connection" before saving) win over the keyring."""
    if profile.auth is AuthMethod.PASSWORD:
        password = (
            password if password is not None else secrets.get(profile.id, SecretKind.PASSWORD)
        )
        if password is None:
            raise SecretMissing(profile.name, SecretKind.PASSWORD.value)
        register_secret(password)
        return Credentials(password=password)
    if profile.auth is AuthMethod.KEY:
        # optional here: a key without passphrase must work without any keyring;
        # a password may still be asked for after the key (two-factor setups)
        if passphrase is None:
            passphrase = _optional(secrets, profile.id, SecretKind.PASSPHRASE)
        if password is None:
            password = _optional(secrets, profile.id, SecretKind.PASSWORD)
        register_secret(passphrase)
        register_secret(password)
        return Credentials(password=password, passphrase=passphrase)
    return Credentials()


def _optional(secrets: SecretStore, profile_id: str, kind: SecretKind) -> str | None:
    try:
        return secrets.get(profile_id, kind)
    except (SecretStoreUnavailable, SecretStoreLocked) as error:
        log.warning("keyring not usable (%s); going on without a stored %s", error, kind.value)
        return None


def hops_for(
    profile: HostProfile,
    secrets: SecretStore,
    lookup: ProfileLookup,
    password: str | None = None,
    passphrase: str | None = None,
    _seen: frozenset[str] = frozenset(),
) -> list[Hop]:
    """[jump hop,] target hop. A jump given as user@host:port logs in the same way
    as the profile itself; a jump naming another profile uses that profile."""
    target = (endpoint_for(profile), credentials_for(profile, secrets, password, passphrase))
    jump = profile.jump
    if jump is None:
        return [target]
    if jump.profile_id:
        seen = _seen | {profile.id}
        if jump.profile_id in seen:
            raise ProfileInvalid([FieldProblem("jump", "cycle", profile.name)])
        jump_profile = lookup(jump.profile_id)
        return [*hops_for(jump_profile, secrets, lookup, _seen=seen), target]
    jump_endpoint = SshEndpoint(
        host=jump.host.strip(),
        port=jump.port,
        username=(jump.username or profile.username).strip(),
        auth=profile.auth,
        key_path=profile.key_path,
        connect_timeout=float(profile.connect_timeout),
        keepalive_interval=float(profile.keepalive_interval),
        keepalive_count_max=profile.keepalive_count_max,
    )
    return [(jump_endpoint, target[1]), target]

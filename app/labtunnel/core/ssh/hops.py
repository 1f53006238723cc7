"""Jump-host chains: from a profile (and the keyring) to the hops of an SSH connection,
and opening them in order."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable

import paramiko

from labtunnel.core.errors import (
    ConnectCancelled,
    FieldProblem,
    JumpHostFailed,
    LabTunnelError,
    ProblemCode,
    ProfileInvalid,
    SecretMissing,
    SecretStoreLocked,
    SecretStoreUnavailable,
)
from labtunnel.core.events import StepCallback
from labtunnel.core.logs import register_secret
from labtunnel.core.profiles.model import AuthMethod, HostProfile
from labtunnel.core.profiles.secrets import SecretKind, SecretStore
from labtunnel.core.ssh.auth import AgentFactory, Credentials, Prompter
from labtunnel.core.ssh.cancel import CancelToken
from labtunnel.core.ssh.hostkeys import HostKeyStore
from labtunnel.core.ssh.session import SshEndpoint, SshSession

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
        # fetched only if the login needs them: the passphrase for an encrypted key, the
        # password for a second factor; a key without passphrase works without a keyring
        register_secret(passphrase)
        register_secret(password)
        return Credentials(
            password=password, passphrase=passphrase, fetch=_fetcher(secrets, profile.id)
        )
    return Credentials()


def _fetcher(secrets: SecretStore, profile_id: str) -> Callable[[str], str | None]:
    @functools.cache
    def fetch(kind: str) -> str | None:
        value = _optional(secrets, profile_id, SecretKind(kind))
        register_secret(value)
        return value

    return fetch


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
            raise ProfileInvalid([FieldProblem("jump", ProblemCode.CYCLE, profile.name)])
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


def open_chain(
    hops: list[tuple[SshEndpoint, Credentials]],
    hostkeys: HostKeyStore,
    *,
    prompter: Prompter | None = None,
    on_step: StepCallback | None = None,
    agent_factory: AgentFactory = paramiko.Agent,
    cancel: CancelToken | None = None,
    ask_nothing: bool = False,
) -> SshSession:
    """Open the sessions of a jump chain in order; the last one is returned and
    owns (and closes) the ones before it. Failures of a jump hop are wrapped in
    JumpHostFailed. Whatever fails (and however: a stop, a bug), the hops already
    open are closed: a reconnect loop must not pile up logged-in jump sessions.
    ``cancel`` stops the whole chain at once (ConnectCancelled); ``ask_nothing``: see
    SshSession.open."""
    session: SshSession | None = None
    target = hops[-1][0]
    try:
        for index, (endpoint, credentials) in enumerate(hops):
            is_jump = index < len(hops) - 1
            try:
                session = SshSession.open(
                    endpoint,
                    credentials,
                    hostkeys,
                    prompter=prompter,
                    via=session,
                    on_step=on_step,
                    agent_factory=agent_factory,
                    cancel=cancel,
                    ask_nothing=ask_nothing,
                )
            except (JumpHostFailed, ConnectCancelled):
                raise
            except LabTunnelError as exc:
                if is_jump:
                    raise JumpHostFailed(endpoint.host, target.host, exc) from None
                raise
    except BaseException:
        if session is not None:
            session.close()  # closes the hops before it too
        raise
    assert session is not None
    return session

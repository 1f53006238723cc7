"""From password to key in one action, and back.

:meth:`KeySetup.use_key` makes an ed25519 key (or takes one the user has), adds its public
half to ``~/.ssh/authorized_keys`` over the password session - on the server and on a jump
host given as an address, which logs in the way the profile does - proves that the key
alone logs in on a second connection, and only then switches the profile to it. Every bad
outcome undoes what was done, so the password login stays exactly as it was: a server that
takes no keys is asked before anything changes; one that refuses the key after all has
the line taken off again, with the reason (StrictModes and which path, a server that wants
the password as well). :meth:`KeySetup.remove_key` takes exactly LabTunnel's line off and
goes back to the password, once the password is seen to work.

The private key lives in the config folder (``keys/``, mode 0600), encrypted when the user
chose a passphrase, which then goes to the keyring like any other.
"""

from __future__ import annotations

import contextlib
import logging
import re
import socket
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from enum import Enum
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from labtunnel.core.errors import (
    AuthFailed,
    AuthMethodNotAllowed,
    JumpHostFailed,
    KeyAction,
    KeyLoginNotAllowed,
    KeyNotAccepted,
    KeyNotEnough,
    KeyPassphraseNeeded,
    KeySetupNotApplicable,
    LabTunnelError,
    OneTimeCodeCancelled,
    PasswordLoginFailed,
    ProfileFileUnwritable,
    SecretMissing,
)
from labtunnel.core.logs import register_secret
from labtunnel.core.platform.atomic import atomic_write_text
from labtunnel.core.profiles.lifecycle import ProfileLifecycle
from labtunnel.core.profiles.model import AuthMethod, HostProfile
from labtunnel.core.profiles.secrets import SecretKind, SecretStore
from labtunnel.core.ssh import authorized_keys
from labtunnel.core.ssh.auth import Credentials, Prompter
from labtunnel.core.ssh.cancel import CancelToken
from labtunnel.core.ssh.hops import Hop, hops_for, open_chain
from labtunnel.core.ssh.hostkeys import HostKeyStore
from labtunnel.core.ssh.keys import load_private_key
from labtunnel.core.ssh.session import SshEndpoint, SshSession

log = logging.getLogger(__name__)

SessionOpener = Callable[..., SshSession]


class KeyStep(str, Enum):
    """What :class:`KeySetup` is doing now (for a progress line)."""

    SIGNING_IN = "signing_in"  # with the password
    CHECKING = "checking"  # does the server take keys at all?
    ADDING = "adding"
    TESTING = "testing"  # a second login with the key alone
    SAVING = "saving"
    REMOVING = "removing"


StepCallback = Callable[[KeyStep], None]


@dataclass(frozen=True)
class KeyPair:
    """A key and its public line; ``pem`` is set for a key made here (not yet written)."""

    path: Path
    key_type: str
    key_base64: str
    comment: str
    pem: str | None = field(default=None, repr=False)
    passphrase: str | None = field(default=None, repr=False)

    @property
    def public_line(self) -> str:
        return f"{self.key_type} {self.key_base64} {self.comment}"


def key_comment(hostname: str | None = None) -> str:
    """``LabTunnel key from <this computer's name>``: no user name, nothing secret."""
    name = re.sub(r"[^A-Za-z0-9._-]", "", hostname if hostname is not None else _hostname())
    return f"{authorized_keys.COMMENT_TAG} from {name[:64] or 'this-computer'}"


def _hostname() -> str:
    try:
        return socket.gethostname()
    except OSError:
        return ""


def generate_key(path: Path, comment: str, passphrase: str | None = None) -> KeyPair:
    """A new ed25519 key in OpenSSH format (bcrypt-encrypted with a passphrase), in memory."""
    key = Ed25519PrivateKey.generate()
    encryption: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(passphrase.encode("utf-8"))
        if passphrase
        else serialization.NoEncryption()
    )
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.OpenSSH, encryption
    ).decode("ascii")
    public = key.public_key().public_bytes(
        serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH
    )
    key_type, key_base64 = public.decode("ascii").split()[:2]
    return KeyPair(path, key_type, key_base64, comment, pem, passphrase or None)


def existing_key(path: Path, passphrase: str | None, comment: str) -> KeyPair:
    """The user's own private key file. Raises the KeyFileError subclasses (missing,
    unreadable, unsupported, passphrase needed or wrong)."""
    try:
        key = load_private_key(str(path), None)
        passphrase = None  # not encrypted: nothing for the keyring
    except KeyPassphraseNeeded:
        key = load_private_key(str(path), passphrase)
    return KeyPair(path, key.get_name(), key.get_base64(), comment, None, passphrase or None)


def public_key_of(path: Path, passphrase: str | None) -> tuple[str, str]:
    """(type, base64) of a key: from ``PATH.pub`` when it is there (no passphrase needed),
    else from the private key."""
    with contextlib.suppress(OSError, UnicodeDecodeError, ValueError):
        words = path.with_name(path.name + ".pub").read_text(encoding="utf-8").split()
        if len(words) >= 2 and words[0].startswith(("ssh-", "ecdsa-")):
            return words[0], words[1]
    key = load_private_key(str(path), passphrase)
    return key.get_name(), key.get_base64()


def write_key(pair: KeyPair) -> None:
    """The private key (0600) and ``.pub`` (0644) of a key made here, each atomically."""
    assert pair.pem is not None
    pair.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        atomic_write_text(pair.path, pair.pem, mode=0o600)
        pub = pair.path.with_name(pair.path.name + ".pub")
        atomic_write_text(pub, pair.public_line + "\n", mode=0o644)
    except OSError as exc:
        delete_key_files(pair.path)
        raise ProfileFileUnwritable(str(pair.path), exc.strerror or str(exc)) from None


def delete_key_files(path: Path) -> None:
    for item in (path, path.with_name(path.name + ".pub")):
        with contextlib.suppress(FileNotFoundError):
            item.unlink()
    with contextlib.suppress(OSError):
        path.parent.rmdir()  # only when empty


@dataclass(frozen=True)
class KeySetupResult:
    profile: HostProfile
    key_path: str
    generated: bool
    #: hosts whose authorized_keys got the line, and hosts that had the key already
    added_on: tuple[str, ...]
    already_on: tuple[str, ...]
    #: the server still asks for a one-time code after the key (LabTunnel asks as before)
    asks_code: bool
    #: a password is still saved for the profile (no longer needed: offer to delete it)
    password_saved: bool = False


@dataclass(frozen=True)
class KeyRemovalResult:
    profile: HostProfile
    #: host -> how many of LabTunnel's lines for this key were taken off
    removed: dict[str, int]
    #: the key file was LabTunnel's own and is gone now
    key_file_deleted: bool


class _WatchingPrompter:
    """During the key test: a password prompt means the key is not enough (no answer),
    anything else (a one-time code) goes to the person as usual."""

    def __init__(self, prompter: Prompter | None) -> None:
        self._prompter = prompter
        self.asked_password = False
        self.asked_code = False

    def ask(
        self,
        host: str,
        title: str,
        instructions: str,
        prompts: Sequence[tuple[str, bool]],
        cancel: CancelToken | None = None,
    ) -> Sequence[str] | None:
        if any(not echo and "password" in text.lower() for text, echo in prompts):
            self.asked_password = True
            return None
        self.asked_code = True
        if self._prompter is None:
            return None
        return self._prompter.ask(host, title, instructions, prompts, cancel)


@dataclass
class _Installed:
    """One host the key went onto, with the session to take it off again."""

    endpoint: SshEndpoint
    session: SshSession
    report: authorized_keys.Report


class KeySetup:
    """Blocking: run it in a worker thread. Collaborators come in, as for tunnels."""

    def __init__(
        self,
        profiles: ProfileLifecycle,
        secrets: SecretStore,
        hostkeys: HostKeyStore,
        keys_dir: Path,
        *,
        prompter: Prompter | None = None,
        open_session: SessionOpener = open_chain,
        hostname: str | None = None,
    ) -> None:
        self._profiles = profiles
        self._store = profiles.store
        self._secrets = secrets
        self._hostkeys = hostkeys
        self.keys_dir = keys_dir
        self._prompter = prompter
        self._open_session = open_session
        self._comment = key_comment(hostname)

    def key_path_for(self, profile: HostProfile) -> Path:
        slug = re.sub(r"[^a-z0-9]+", "-", profile.name.lower()).strip("-")[:30] or "server"
        return self.keys_dir / f"{slug}-{profile.id[:8]}_ed25519"

    # --- password -> key ----------------------------------------------------------------

    def use_key(
        self,
        profile_id: str,
        *,
        existing: Path | None = None,
        passphrase: str | None = None,
        password: str | None = None,
        on_step: StepCallback | None = None,
    ) -> KeySetupResult:
        """Switch a password profile to a key; see the module docstring. ``passphrase``
        encrypts a new key, or unlocks ``existing``; ``password`` is used instead of the
        stored one (and not stored). Raises LabTunnelError; then nothing is changed."""
        step = on_step or (lambda _step: None)
        profile = self._store.get(profile_id)
        if profile.auth is not AuthMethod.PASSWORD:
            raise KeySetupNotApplicable(profile.name, profile.auth.value, KeyAction.USE_KEY)
        register_secret(passphrase)
        register_secret(password)
        if existing is not None:
            pair = existing_key(existing.expanduser(), passphrase, self._comment)
        else:
            pair = generate_key(self.key_path_for(profile), self._comment, passphrase)
        step(KeyStep.SIGNING_IN)
        hops = hops_for(profile, self._secrets, self._store.get, password=password)
        session = self._open_session(hops, self._hostkeys, prompter=self._prompter)
        installed: list[_Installed] = []
        wrote_key = False
        try:
            places = self._places(profile, hops, session)
            step(KeyStep.CHECKING)
            for endpoint, _session, via in places:
                self._check_key_login(endpoint, via)
            step(KeyStep.ADDING)
            reports = []
            for endpoint, runner_session, _via in places:
                report = authorized_keys.install(
                    runner_session, endpoint.host, pair.key_base64, pair.public_line
                )
                reports.append(report)
                if report.added:
                    installed.append(_Installed(endpoint, runner_session, report))
            if pair.pem is not None:
                write_key(pair)
                wrote_key = True
            step(KeyStep.TESTING)
            switched = profile.with_changes(auth=AuthMethod.KEY, key_path=str(pair.path))
            asks_code = self._prove(hops, len(places), pair, reports)
            step(KeyStep.SAVING)
            secrets = {SecretKind.PASSPHRASE: pair.passphrase} if pair.passphrase else {}
            saved = self._profiles.update(switched, secrets)
        except BaseException:
            self._undo(installed, pair.key_base64)
            if wrote_key:
                delete_key_files(pair.path)
            raise
        finally:
            session.close()
        log.info("%s now signs in with the key %s", profile.name, pair.path)
        try:
            password_saved = self._secrets.get(profile.id, SecretKind.PASSWORD) is not None
        except LabTunnelError:
            password_saved = False
        return KeySetupResult(
            profile=saved,
            key_path=str(pair.path),
            generated=pair.pem is not None,
            added_on=tuple(r.host for r in reports if r.added),
            already_on=tuple(r.host for r in reports if not r.added),
            asks_code=asks_code,
            password_saved=password_saved,
        )

    def forget_password(self, profile_id: str) -> None:
        """After :meth:`use_key`: the stored password is no longer needed."""
        profile = self._store.get(profile_id)
        if profile.auth is not AuthMethod.KEY:
            raise KeySetupNotApplicable(profile.name, profile.auth.value, KeyAction.FORGET_PASSWORD)
        self._secrets.delete(profile.id, SecretKind.PASSWORD)

    @staticmethod
    def _places(
        profile: HostProfile, hops: list[Hop], session: SshSession
    ) -> list[tuple[SshEndpoint, SshSession, SshSession | None]]:
        """Where the key goes: (endpoint, its logged-in session, the session to reach it
        through). A jump host given as an address logs in like the profile, so it needs
        the key too; a jump host that is a profile of its own keeps its own login."""
        target = hops[-1][0]
        places = [(target, session, session.via)]
        jump = profile.jump
        if jump is not None and not jump.profile_id and session.via is not None:
            places.append((hops[0][0], session.via, None))
        return places

    def _check_key_login(self, endpoint: SshEndpoint, via: SshSession | None) -> None:
        offered = SshSession.offered_auth_methods(endpoint, self._hostkeys, via=via)
        if "publickey" not in offered:
            raise KeyLoginNotAllowed(endpoint.host, offered)

    def _prove(
        self, hops: list[Hop], ours: int, pair: KeyPair, reports: list[authorized_keys.Report]
    ) -> bool:
        """A second login with the key alone (no password to fall back on) on the last
        ``ours`` hops, the places the key went to. True when the server asked for a
        one-time code after the key."""
        key_only = Credentials(password=None, passphrase=pair.passphrase)
        first_ours = len(hops) - ours
        proving: list[Hop] = []
        for index, (endpoint, credentials) in enumerate(hops):
            if index >= first_ours:
                endpoint = replace(endpoint, auth=AuthMethod.KEY, key_path=str(pair.path))
                credentials = key_only
            proving.append((endpoint, credentials))
        watcher = _WatchingPrompter(self._prompter)
        try:
            self._open_session(proving, self._hostkeys, prompter=watcher).close()
        except LabTunnelError as error:
            raise _explain(error, reports, watcher) from None
        return watcher.asked_code

    def _undo(self, installed: list[_Installed], key_base64: str) -> None:
        for place in reversed(installed):
            try:
                authorized_keys.remove(
                    place.session,
                    place.endpoint.host,
                    key_base64,
                    undo=place.report,
                )
            except Exception:
                log.exception("could not take the new key off %s again", place.endpoint.host)

    # --- key -> password ----------------------------------------------------------------

    def remove_key(
        self,
        profile_id: str,
        *,
        password: str | None = None,
        on_step: StepCallback | None = None,
    ) -> KeyRemovalResult:
        """Take LabTunnel's line for the profile's key off the server (and an address
        jump host) and sign in with the password again. The password (given, or the
        stored one) must log in first: otherwise the key stays (PasswordLoginFailed)."""
        step = on_step or (lambda _step: None)
        profile = self._store.get(profile_id)
        if profile.auth is not AuthMethod.KEY:
            raise KeySetupNotApplicable(profile.name, profile.auth.value, KeyAction.REMOVE_KEY)
        key_path = Path(profile.key_path).expanduser()
        passphrase = self._secrets.get(profile.id, SecretKind.PASSPHRASE)
        _key_type, key_base64 = public_key_of(key_path, passphrase)
        if password is None:
            password = self._secrets.get(profile.id, SecretKind.PASSWORD)
            if password is None:
                raise SecretMissing(profile.name, SecretKind.PASSWORD.value)
        register_secret(password)
        with_password = profile.with_changes(auth=AuthMethod.PASSWORD, key_path="")
        step(KeyStep.SIGNING_IN)
        hops = hops_for(with_password, self._secrets, self._store.get, password=password)
        try:
            session = self._open_session(hops, self._hostkeys, prompter=self._prompter)
        except (AuthFailed, AuthMethodNotAllowed, OneTimeCodeCancelled) as error:
            raise PasswordLoginFailed(profile.host, error) from None
        except JumpHostFailed as error:
            if isinstance(error.cause, (AuthFailed, AuthMethodNotAllowed)):
                raise PasswordLoginFailed(error.jump_host, error.cause) from None
            raise
        removed: dict[str, int] = {}
        try:
            step(KeyStep.REMOVING)
            for endpoint, runner_session, _via in self._places(profile, hops, session):
                report = authorized_keys.remove(runner_session, endpoint.host, key_base64)
                removed[endpoint.host] = removed.get(endpoint.host, 0) + report.removed
            step(KeyStep.SAVING)
            saved = self._profiles.update(with_password, {SecretKind.PASSWORD: password})
        finally:
            session.close()
        try:
            self._secrets.delete(profile.id, SecretKind.PASSPHRASE)
        except LabTunnelError as exc:
            log.warning("the passphrase of %s stays in the keyring: %s", profile.name, exc)
        ours = key_path.parent.resolve() == self.keys_dir.resolve()
        if ours:
            delete_key_files(key_path)
        log.info(
            "%s signs in with its password again (key lines removed: %s)", profile.name, removed
        )
        return KeyRemovalResult(saved, removed, ours)


def _explain(
    error: LabTunnelError, reports: list[authorized_keys.Report], watcher: _WatchingPrompter
) -> LabTunnelError:
    """Why the key alone did not log in, in the terms of what was done."""
    host = _host_of(error)
    cause = error.cause if isinstance(error, JumpHostFailed) else error
    if isinstance(cause, OneTimeCodeCancelled) and watcher.asked_password:
        return KeyNotEnough(host, ("password",))
    if isinstance(cause, AuthMethodNotAllowed):
        # publickey was offered before anything changed: the server took the key and
        # wants something else now (AuthenticationMethods publickey,password)
        return KeyNotEnough(host, cause.allowed)
    if isinstance(cause, AuthFailed):
        report = next((r for r in reports if r.host == host), None)
        if report is not None:
            problem = report.strict_modes_problem()
            if problem is not None:
                return problem
            return KeyNotAccepted(host, report.path)
    return error


def _host_of(error: LabTunnelError) -> str:
    if isinstance(error, JumpHostFailed):
        return error.jump_host
    host = getattr(error, "host", "")
    return host if isinstance(host, str) else ""

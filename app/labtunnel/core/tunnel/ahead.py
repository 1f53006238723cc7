"""Logging in ahead of the click: the tray's menu opened, so a connect is likely.

The tray calls :meth:`LoginsAhead.prepare` when its menu (or a server's submenu) opens.
For a profile whose login needs nobody, a worker thread connects, logs in and, for a
Jupyter on the server itself, finds the user's running Jupyter (it never starts one).
The click's tunnel takes that session (:meth:`LoginsAhead.take`) and only forwards and
checks; the time between opening the menu and clicking pays for the rest. Without a
click within ``keep_for`` seconds the session is closed.

Nothing here may ask the person anything, or count against them on the server:

- only key files that open without a passphrase, on every hop: no keyring (its unlock
  prompt), no agent (a key added with ``ssh-add -c`` asks to confirm every use), no
  password;
- an unknown or changed host key ends the attempt: the click asks, as it always does;
- a server that wants more after the key (a second factor) gets no answer
  (SecondFactorNeeded: an empty answer would count as a failed login there).

A profile whose attempt ended for such a reason is not prepared again while it stays as
it is; after a network problem, not for RETRY_AFTER seconds. ``LABTUNNEL_LOGIN_AHEAD=0``
switches all of it off (the benchmark measures the click both ways).
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from labtunnel.core.errors import (
    AuthFailed,
    AuthMethodNotAllowed,
    HostKeyChanged,
    HostKeyUnknown,
    KeyFileError,
    LabTunnelError,
    SecretMissing,
)
from labtunnel.core.jupyter.manager import JupyterManager
from labtunnel.core.jupyter.server import JupyterServer
from labtunnel.core.profiles.model import AuthMethod, HostProfile, JupyterSpec
from labtunnel.core.profiles.remembered import RememberedServers
from labtunnel.core.profiles.secrets import SecretKind
from labtunnel.core.ssh.auth import SecondFactorNeeded
from labtunnel.core.ssh.cancel import CancelToken
from labtunnel.core.ssh.hops import Hop, ProfileLookup, hops_for, open_chain
from labtunnel.core.ssh.hostkeys import HostKeyStore
from labtunnel.core.ssh.keys import load_private_key
from labtunnel.core.ssh.session import SshEndpoint, SshSession

log = logging.getLogger(__name__)

#: a login made ahead waits this long for its click
KEEP_FOR = 15.0
#: after a network problem, the next menu opening tries again this much later
RETRY_AFTER = 30.0
ENABLE_ENV = "LABTUNNEL_LOGIN_AHEAD"

#: the attempt would have needed the person (or a change of the profile)
_NEEDS_SOMEONE = (
    AuthFailed,
    AuthMethodNotAllowed,
    HostKeyChanged,
    HostKeyUnknown,
    KeyFileError,
    SecretMissing,
    SecondFactorNeeded,
)


@dataclass(frozen=True)
class Prepared:
    """A logged-in session, and what was found on it."""

    session: SshSession
    #: the hops it went through, to tell whether it is still the one a tunnel wants
    endpoints: tuple[SshEndpoint, ...]
    #: the user's running Jupyter (None: not looked for, or none runs)
    server: JupyterServer | None
    #: what looking for it found worth telling, for the tunnel to tell
    warnings: tuple[LabTunnelError, ...] = ()


class _NotAlone(Exception):
    """The profile's login needs something from the person (or the keyring)."""


class _NoSecrets:
    """A SecretStore with nothing in it: a login ahead never reads the keyring."""

    def get(self, profile_id: str, kind: SecretKind) -> str | None:
        return None

    def set(self, profile_id: str, kind: SecretKind, value: str) -> None:
        raise _NotAlone("a login ahead stores nothing")

    def delete(self, profile_id: str, kind: SecretKind) -> None:
        raise _NotAlone("a login ahead deletes nothing")


@dataclass(eq=False)
class _Attempt:
    profile: HostProfile
    deadline: float
    cancel: CancelToken = field(default_factory=CancelToken)
    done: threading.Event = field(default_factory=threading.Event)
    wake: threading.Event = field(default_factory=threading.Event)
    result: Prepared | None = None
    #: a tunnel took it: the waiting thread must not close its session
    taken: bool = False
    #: expired or dropped: nobody may take it any more
    over: bool = False


SessionOpener = Callable[..., SshSession]


class LoginsAhead:
    """Logins made ahead of clicks, at most one per profile. Thread-safe; every method
    but :meth:`take` returns at once."""

    def __init__(
        self,
        hostkeys: HostKeyStore,
        lookup: ProfileLookup,
        remembered: RememberedServers | None,
        *,
        open_session: SessionOpener = open_chain,
        keep_for: float = KEEP_FOR,
        clock: Callable[[], float] = time.monotonic,
        enabled: bool | None = None,
    ) -> None:
        self._hostkeys = hostkeys
        self._lookup = lookup
        self._remembered = remembered
        self._open_session = open_session
        self._keep_for = keep_for
        self._clock = clock
        self.enabled = os.environ.get(ENABLE_ENV) != "0" if enabled is None else enabled
        self._lock = threading.Lock()
        self._attempts: dict[str, _Attempt] = {}
        #: profile id -> (the profile as it was, not before when): attempts not to repeat
        self._skip: dict[str, tuple[HostProfile, float]] = {}
        self._threads: list[threading.Thread] = []
        self._closed = False

    def prepare(self, profile: HostProfile) -> bool:
        """Log ``profile`` in now, if its login needs nobody (decided on a worker thread:
        the key file is read there). True when a login is under way or ready."""
        if not self.enabled:
            return False
        with self._lock:
            if self._closed:
                return False
            now = self._clock()
            attempt = self._attempts.get(profile.id)
            if attempt is not None and attempt.profile == profile and not attempt.over:
                attempt.deadline = now + self._keep_for  # the menu opened again
                return True
            skipped = self._skip.get(profile.id)
            if skipped is not None and skipped[0] == profile and now < skipped[1]:
                return False
            if attempt is not None:
                self._drop(attempt)
            attempt = _Attempt(profile, now + self._keep_for)
            self._attempts[profile.id] = attempt
            thread = threading.Thread(
                target=self._run, args=(attempt,), name=f"ahead-{profile.name[:12]}", daemon=True
            )
            self._threads = [t for t in self._threads if t.is_alive()] + [thread]
        thread.start()
        return True

    def take(self, profile: HostProfile, hops: list[Hop], cancel: CancelToken) -> Prepared | None:
        """The session logged in ahead for ``profile`` through ``hops``, now the caller's
        to use and close; waits for one still logging in. None when there is none (or it
        is for an older version of the profile, or failed): then log in as usual."""
        with self._lock:
            attempt = self._attempts.pop(profile.id, None)
            if attempt is None or attempt.over:
                return None
            attempt.taken = True
        attempt.wake.set()
        forget = cancel.on_cancel(attempt.cancel.cancel)
        try:
            attempt.done.wait()  # bounded: the login's and the command's own timeouts
        finally:
            forget()
        prepared = attempt.result
        if prepared is None:
            return None
        wanted = tuple(endpoint for endpoint, _credentials in hops)
        if attempt.profile != profile or prepared.endpoints != wanted:
            prepared.session.close()
            return None
        if not prepared.session.is_alive():
            prepared.session.close()
            return None
        return prepared

    def close(self, timeout: float = 5.0) -> None:
        """Close every session not taken, and stop the logins under way."""
        with self._lock:
            self._closed = True
            for attempt in list(self._attempts.values()):
                self._drop(attempt)
            threads = list(self._threads)
        deadline = time.monotonic() + timeout
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))

    # --- the worker -------------------------------------------------------------------

    def _drop(self, attempt: _Attempt) -> None:
        """(lock held) Nobody takes it now; its thread closes what it opened."""
        attempt.over = True
        if self._attempts.get(attempt.profile.id) is attempt:
            del self._attempts[attempt.profile.id]
        attempt.cancel.cancel()
        attempt.wake.set()

    def _run(self, attempt: _Attempt) -> None:
        profile = attempt.profile
        started = self._clock()
        try:
            prepared: Prepared | None = self._log_in(attempt)
        except (LabTunnelError, SecondFactorNeeded, _NotAlone) as error:
            prepared = None
            self._remember_failure(profile, error)
        except Exception:
            prepared = None
            log.exception("%s: logging in ahead failed", profile.name)
            self._remember_failure(profile, None)
        with self._lock:
            attempt.result = prepared
            if prepared is None and self._attempts.get(profile.id) is attempt:
                del self._attempts[profile.id]
        attempt.done.set()
        if prepared is None:
            return
        log.info(
            "%s: logged in ahead in %.0f ms%s",
            profile.name,
            (self._clock() - started) * 1000,
            "" if prepared.server is None else f", Jupyter port {prepared.server.port}",
        )
        while True:
            with self._lock:
                if attempt.taken:
                    return  # the tunnel's now
                remaining = attempt.deadline - self._clock()
                if remaining <= 0 or attempt.over:
                    self._drop(attempt)
                    break
            attempt.wake.wait(remaining)
            attempt.wake.clear()
        log.info("%s: no click came; closing the login made ahead", profile.name)
        prepared.session.close()

    def _log_in(self, attempt: _Attempt) -> Prepared:
        profile = attempt.profile
        hops = hops_for(profile, _NoSecrets(), self._lookup)
        for endpoint, _credentials in hops:
            if endpoint.auth is not AuthMethod.KEY:
                raise _NotAlone(endpoint.auth.value)
            load_private_key(endpoint.key_path, None)  # KeyPassphraseNeeded: not alone
        session = self._open_session(
            hops, self._hostkeys, prompter=None, cancel=attempt.cancel, ask_nothing=True
        )
        # a click that is stopped, or close(), ends the search below at once too
        forget = attempt.cancel.on_cancel(session.abort)
        try:
            server = None
            warnings: list[LabTunnelError] = []
            target = profile.target
            if isinstance(target, JupyterSpec) and target.slurm is None:
                manager = JupyterManager(
                    session,
                    target,
                    remembered=self._remembered,
                    profile_id=profile.id,
                    on_warning=warnings.append,
                )
                server = manager.find()  # never starts one: nobody asked for it yet
            endpoints = tuple(endpoint for endpoint, _ in hops)
            return Prepared(session, endpoints, server, tuple(warnings))
        except BaseException:
            session.close()
            raise
        finally:
            forget()

    def _remember_failure(self, profile: HostProfile, error: Exception | None) -> None:
        needs_someone = isinstance(error, (*_NEEDS_SOMEONE, _NotAlone))
        log.info(
            "%s: not logged in ahead (%s)%s",
            profile.name,
            type(error).__name__ if error is not None else "error",
            "; not again while the profile stays as it is" if needs_someone else "",
        )
        until = float("inf") if needs_someone else self._clock() + RETRY_AFTER
        with self._lock:
            self._skip[profile.id] = (profile, until)

"""The real OS keyring (gnome-keyring over D-Bus, unlocked by tests/run_all.sh).

gnome-keyring (42.1 here, and upstream still) aborts now and then when a D-Bus client
goes away while another one starts talking to it: an assertion in GDBus's property
dispatch after gkd_secret_service_get_pkcs11_session found no record of the caller
(seen in cores from the suite: ``invoke_get_property_in_idle_cb: assertion failed:
(error != NULL)``). ``keyring`` opens and closes a connection for every call, so a suite
that stores and reads many secrets meets it: about once in 500 calls in a tight loop,
never with connections kept open. What the harness does about it:

- its own work (the probe, the clean-up) goes over one connection, so it adds no churn;
- when the daemon is found dead (the bus then starts a fresh, locked one), it starts a
  new unlocked one in run_all.sh's throwaway keyring folder (and only there) and says so
  in a warning, so one crash costs at most the test it hit, not every later one.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import subprocess
import warnings
from collections.abc import Iterator
from pathlib import Path

import keyring
import keyring.backend
import keyring.errors
from keyring.backends import SecretService, chainer

from .errors import unavailable

#: set by tests/run_all.sh: the keyring folder of its private session, which may be
#: thrown away and made anew (never set for a real user's keyring)
THROWAWAY_KEYRINGS_ENV = "LABTUNNEL_TEST_KEYRINGS_DIR"


class KeyringRestarted(UserWarning):
    """gnome-keyring-daemon had died and was started again."""


def _secret_service_in(backend: keyring.backend.KeyringBackend) -> bool:
    if isinstance(backend, SecretService.Keyring):
        return True
    return (
        isinstance(backend, chainer.ChainerBackend)
        and bool(backend.backends)
        and isinstance(backend.backends[0], SecretService.Keyring)
    )


def _round_trip(service: str) -> None:
    """Store, read back and delete an item over one connection; raises on any failure."""
    import secretstorage

    with contextlib.closing(secretstorage.dbus_init()) as connection:
        collection = secretstorage.get_default_collection(connection)
        if collection.is_locked():
            raise secretstorage.exceptions.LockedException("the default collection is locked")
        attributes = {"service": service, "username": "probe"}
        item = collection.create_item("LabTunnel test probe", attributes, b"probe-value")
        try:
            if item.get_secret() != b"probe-value":
                raise secretstorage.exceptions.SecretStorageException("read back wrong")
        finally:
            item.delete()


def _delete_service_items(service: str) -> None:
    import secretstorage

    with contextlib.closing(secretstorage.dbus_init()) as connection:
        for item in secretstorage.search_items(connection, {"service": service}):
            item.delete()


def _restart_daemon(reason: BaseException) -> bool:
    """A new unlocked gnome-keyring-daemon with a fresh login keyring, in run_all.sh's
    throwaway folder only; False where that is not ours to do."""
    folder = os.environ.get(THROWAWAY_KEYRINGS_ENV)
    daemon = shutil.which("gnome-keyring-daemon")
    if not folder or daemon is None:
        return False
    # the old login keyring's password lived only in run_all.sh's pipe: start afresh
    shutil.rmtree(folder, ignore_errors=True)
    Path(folder).mkdir(mode=0o700, parents=True, exist_ok=True)
    started = subprocess.run(
        [daemon, "--replace", "--unlock", "--components=secrets"],
        input=secrets.token_urlsafe(24),
        capture_output=True,
        text=True,
        timeout=30,
    )
    warnings.warn(
        KeyringRestarted(
            f"gnome-keyring-daemon was gone ({reason!r}; see tests/harness/keyring_env.py): "
            f"started a new one (exit {started.returncode})"
        ),
        stacklevel=3,
    )
    return started.returncode == 0


def _usable(service: str) -> None:
    """The Secret Service answers, or is made to once; else the test is unavailable."""
    try:
        _round_trip(service)
        return
    except Exception as exc:
        failure: BaseException = exc
    if _restart_daemon(failure):
        try:
            _round_trip(service)
            return
        except Exception as exc:
            failure = exc
    unavailable(f"the Secret Service keyring is not usable: {failure!r}")


@contextlib.contextmanager
def real_keyring_service() -> Iterator[str]:
    """Yield a fresh service name on the real Secret Service keyring; delete its items after.

    keyring.get_keyring() is the Secret Service backend for the duration (a unit test that
    swapped in an in-memory keyring without restoring it cannot fool this fixture).
    """
    try:
        SecretService.Keyring.priority  # noqa: B018  (raises when no bus / no service)
    except Exception as exc:
        unavailable(f"no Secret Service keyring: {exc} (run inside tests/run_all.sh)")
    previous = keyring.get_keyring()
    if not _secret_service_in(previous):
        keyring.set_keyring(SecretService.Keyring())
    try:
        backend = keyring.get_keyring()
        if not _secret_service_in(backend):
            unavailable(f"keyring backend is {type(backend).__name__}, not SecretService")
        service = f"labtunnel-test-{os.getpid()}-{secrets.token_hex(4)}"
        _usable(service)
        try:
            yield service
        finally:
            try:
                _delete_service_items(service)
            except Exception as exc:
                # the daemon died during the test (which then failed on it): the next
                # test gets a working one
                _restart_daemon(exc)
    finally:
        keyring.set_keyring(previous)

"""The real OS keyring (gnome-keyring over D-Bus, unlocked by tests/run_all.sh)."""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterator

import keyring
import keyring.backend
import keyring.errors
from keyring.backends import SecretService, chainer

from .errors import unavailable


def _secret_service_in(backend: keyring.backend.KeyringBackend) -> bool:
    if isinstance(backend, SecretService.Keyring):
        return True
    return (
        isinstance(backend, chainer.ChainerBackend)
        and bool(backend.backends)
        and isinstance(backend.backends[0], SecretService.Keyring)
    )


def _delete_service_items(service: str) -> None:
    import secretstorage

    with contextlib.closing(secretstorage.dbus_init()) as connection:
        for item in secretstorage.search_items(connection, {"service": service}):
            item.delete()


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
        try:
            keyring.set_password(service, "probe", "probe-value")
            round_trip = keyring.get_password(service, "probe")
            keyring.delete_password(service, "probe")
        except keyring.errors.KeyringError as exc:
            unavailable(f"the Secret Service keyring is not usable: {exc!r}")
        if round_trip != "probe-value":
            unavailable("the Secret Service keyring did not return what was stored")
        try:
            yield service
        finally:
            _delete_service_items(service)
    finally:
        keyring.set_keyring(previous)

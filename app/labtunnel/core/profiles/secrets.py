"""Passwords and key passphrases, kept only in the OS keyring.

Entries are keyed by the profile's stable id, so renaming a profile keeps them.
An insecure backend (plaintext files, the null/fail backends) is refused, never
used as a silent fallback.
"""

from __future__ import annotations

import threading
from enum import Enum
from typing import Any, Protocol

from labtunnel.core.errors import SecretStoreLocked, SecretStoreUnavailable

SERVICE_NAME = "LabTunnel"


class SecretKind(str, Enum):
    PASSWORD = "password"
    PASSPHRASE = "passphrase"


class SecretStore(Protocol):
    def get(self, profile_id: str, kind: SecretKind) -> str | None: ...

    def set(self, profile_id: str, kind: SecretKind, value: str) -> None: ...

    def delete(self, profile_id: str, kind: SecretKind) -> None: ...


def delete_all(store: SecretStore, profile_id: str) -> None:
    for kind in SecretKind:
        store.delete(profile_id, kind)


_INSECURE_BACKENDS = ("PlaintextKeyring", "EncryptedKeyring", "fail.Keyring", "null.Keyring")


def _backend_name(backend: Any) -> str:
    cls = type(backend)
    return f"{cls.__module__}.{cls.__qualname__}"


def check_backend_is_secure(backend: Any) -> None:
    name = _backend_name(backend)
    priority = getattr(backend, "priority", 1)
    if any(name.endswith(bad) for bad in _INSECURE_BACKENDS) or (
        isinstance(priority, (int, float)) and priority <= 0
    ):
        raise SecretStoreUnavailable(name, "no secure OS keyring backend is available")
    # a chainer with nothing behind it is as good as none
    if name.endswith("chainer.ChainerBackend") and not getattr(backend, "backends", None):
        raise SecretStoreUnavailable(name, "no OS keyring backend is available")


class KeyringSecretStore:
    """Secrets in the OS keyring through ``keyring``; all failures become typed errors."""

    def __init__(self, service: str = SERVICE_NAME, backend: Any | None = None) -> None:
        self.service = service
        self._backend = backend
        self._checked = False
        self._lock = threading.Lock()

    @property
    def backend_name(self) -> str:
        return _backend_name(self._resolve())

    def _resolve(self) -> Any:
        with self._lock:
            if self._backend is None:
                # imported on first use (~15 ms with its plugin lookup): a key login
                # without passphrase never needs it
                import keyring

                self._backend = keyring.get_keyring()
            if not self._checked:
                check_backend_is_secure(self._backend)
                self._checked = True
            return self._backend

    @staticmethod
    def _entry(profile_id: str, kind: SecretKind) -> str:
        return f"{profile_id}:{kind.value}"

    def get(self, profile_id: str, kind: SecretKind) -> str | None:
        backend = self._resolve()
        try:
            value = backend.get_password(self.service, self._entry(profile_id, kind))
        except Exception as exc:
            raise _translate(exc, _backend_name(backend)) from None
        return value if isinstance(value, str) else None

    def set(self, profile_id: str, kind: SecretKind, value: str) -> None:
        backend = self._resolve()
        try:
            backend.set_password(self.service, self._entry(profile_id, kind), value)
        except Exception as exc:
            raise _translate(exc, _backend_name(backend)) from None

    def delete(self, profile_id: str, kind: SecretKind) -> None:
        import keyring.errors

        backend = self._resolve()
        try:
            backend.delete_password(self.service, self._entry(profile_id, kind))
        except keyring.errors.PasswordDeleteError:
            return  # nothing stored: deleting is idempotent
        except Exception as exc:
            raise _translate(exc, _backend_name(backend)) from None


def _translate(exc: Exception, backend: str) -> Exception:
    # ``from None`` at the call sites: backends may echo what they were given.
    import keyring.errors

    kind = type(exc).__name__
    if isinstance(exc, keyring.errors.KeyringLocked):
        return SecretStoreLocked("the keyring is locked")
    if isinstance(exc, keyring.errors.InitError):
        return SecretStoreLocked("the keyring could not be unlocked (prompt dismissed?)")
    if isinstance(exc, keyring.errors.NoKeyringError):
        return SecretStoreUnavailable(backend, "no keyring backend")
    return SecretStoreUnavailable(backend, f"keyring error ({kind})")


class MemorySecretStore:
    """In-memory store for unit tests and throwaway sessions."""

    def __init__(self) -> None:
        self._items: dict[tuple[str, SecretKind], str] = {}
        self._lock = threading.Lock()

    def get(self, profile_id: str, kind: SecretKind) -> str | None:
        with self._lock:
            return self._items.get((profile_id, kind))

    def set(self, profile_id: str, kind: SecretKind, value: str) -> None:
        with self._lock:
            self._items[(profile_id, kind)] = value

    def delete(self, profile_id: str, kind: SecretKind) -> None:
        with self._lock:
            self._items.pop((profile_id, kind), None)

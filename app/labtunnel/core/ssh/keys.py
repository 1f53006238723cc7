"""Loading private key files, with every failure mapped to one clear error."""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

import paramiko
from paramiko.pkey import UnknownKeyType

from labtunnel.core.errors import (
    KeyFileMissing,
    KeyFileUnreadable,
    KeyFileUnsupported,
    KeyPassphraseNeeded,
    KeyPassphraseWrong,
    KeyUnsupported,
)

_ENCRYPTED_HINTS = ("encrypted", "password-protected", "password was not given")


def load_private_key(path: str, passphrase: str | None) -> paramiko.PKey:
    """Load an ed25519, ECDSA or RSA key (OpenSSH or PEM format).

    Raises KeyFileMissing, KeyFileUnreadable, KeyFileUnsupported,
    KeyPassphraseNeeded or KeyPassphraseWrong; never echoes the passphrase.
    """
    key_path = Path(path).expanduser()
    try:
        head = key_path.read_bytes()[:64]
    except FileNotFoundError:
        raise KeyFileMissing(path) from None
    except IsADirectoryError:
        raise KeyFileUnreadable(path, "it is a folder") from None
    except OSError as exc:
        raise KeyFileUnreadable(path, exc.strerror or type(exc).__name__) from None
    if head.startswith(b"PuTTY-User-Key-File"):
        raise KeyFileUnsupported(path, KeyUnsupported.PUTTY_PPK)
    if head.startswith((b"ssh-", b"ecdsa-")) or b"PUBLIC KEY" in head:
        raise KeyFileUnsupported(path, KeyUnsupported.PUBLIC_KEY)
    try:
        return paramiko.PKey.from_path(key_path)
    except (TypeError, paramiko.PasswordRequiredException) as exc:
        if not any(hint in str(exc).lower() for hint in _ENCRYPTED_HINTS):
            raise KeyFileUnsupported(
                path, KeyUnsupported.UNKNOWN_FORMAT, type(exc).__name__
            ) from None
    except (ValueError, paramiko.SSHException, UnknownKeyType) as exc:
        raise KeyFileUnsupported(path, KeyUnsupported.UNKNOWN_FORMAT, type(exc).__name__) from None
    if not passphrase:
        raise KeyPassphraseNeeded(path)
    try:
        # paramiko >= 5 wants bytes here (a str raises TypeError); its stubs still say str
        secret = cast(Any, passphrase.encode("utf-8"))
        return paramiko.PKey.from_path(key_path, password=secret)
    except (TypeError, ValueError, paramiko.SSHException):
        raise KeyPassphraseWrong(path) from None

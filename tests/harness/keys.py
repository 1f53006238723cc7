"""SSH keys for the harness, made in-process with ``cryptography``.

No ``ssh-keygen -N PASSPHRASE``: passphrases never appear on a command line, even in tests.
"""

from __future__ import annotations

import base64
import hashlib
import os
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from cryptography.hazmat.primitives import serialization as ser
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from .errors import HarnessError

KeyType = Literal["ed25519", "ecdsa", "rsa"]
HOST_KEY_TYPES: tuple[KeyType, ...] = ("ed25519", "ecdsa", "rsa")

_PrivateKey = ed25519.Ed25519PrivateKey | ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey


def _generate(kind: KeyType) -> _PrivateKey:
    if kind == "ed25519":
        return ed25519.Ed25519PrivateKey.generate()
    if kind == "ecdsa":
        return ec.generate_private_key(ec.SECP256R1())
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def public_line(key: _PrivateKey, comment: str = "") -> str:
    """``ssh-ed25519 AAAA... comment``: the authorized_keys / known_hosts form."""
    line = key.public_key().public_bytes(ser.Encoding.OpenSSH, ser.PublicFormat.OpenSSH).decode()
    return f"{line} {comment}".rstrip()


def fingerprint(public_key_line: str) -> str:
    """OpenSSH's ``SHA256:...`` fingerprint of a public key line."""
    blob = base64.b64decode(public_key_line.split()[1])
    digest = base64.b64encode(hashlib.sha256(blob).digest()).decode().rstrip("=")
    return f"SHA256:{digest}"


def write_key(
    path: Path,
    kind: KeyType,
    *,
    passphrase: str | None = None,
    pem: bool = False,
    comment: str = "",
) -> str:
    """Write a private key at ``path`` (mode 600) and ``path.pub``; return the public line.

    OpenSSH format by default; ``pem=True`` writes the traditional PEM format
    (``BEGIN RSA PRIVATE KEY``, with ``Proc-Type: 4,ENCRYPTED`` when a passphrase is given).
    """
    key = _generate(kind)
    encryption: ser.KeySerializationEncryption = (
        ser.BestAvailableEncryption(passphrase.encode()) if passphrase else ser.NoEncryption()
    )
    fmt = ser.PrivateFormat.TraditionalOpenSSL if pem else ser.PrivateFormat.OpenSSH
    data = key.private_bytes(ser.Encoding.PEM, fmt, encryption)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    line = public_line(key, comment)
    path.with_name(path.name + ".pub").write_text(line + "\n")
    return line


@dataclass(frozen=True)
class HostKeySet:
    """One sshd's host keys: private key paths, public lines and fingerprints by type."""

    paths: dict[str, Path]
    public_keys: dict[str, str]
    fingerprints: dict[str, str]

    @classmethod
    def create(cls, directory: Path, prefix: str) -> HostKeySet:
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        paths: dict[str, Path] = {}
        public: dict[str, str] = {}
        for kind in HOST_KEY_TYPES:
            path = directory / f"{prefix}_host_{kind}_key"
            public[kind] = write_key(path, kind)
            paths[kind] = path
        return cls(paths, public, {k: fingerprint(v) for k, v in public.items()})

    def only(self, kinds: Sequence[str]) -> HostKeySet:
        """The same keys, only of these kinds ("ed25519", "ecdsa", "rsa")."""
        unknown = set(kinds) - set(self.paths)
        if unknown:
            raise HarnessError(f"no host keys of kind {sorted(unknown)}")
        return HostKeySet(
            {k: v for k, v in self.paths.items() if k in kinds},
            {k: v for k, v in self.public_keys.items() if k in kinds},
            {k: v for k, v in self.fingerprints.items() if k in kinds},
        )


@dataclass(frozen=True)
class ClientKeys:
    """The client's keys (a private temp dir); each ``X`` has its public key at ``X.pub``.

    All but ``unauthorized`` are in both test users' ``~/.ssh/authorized_keys``.
    """

    directory: Path
    ed25519: Path  # OpenSSH format, no passphrase
    ed25519_encrypted: Path  # OpenSSH format, ``ed25519_passphrase`` (non-ASCII on purpose)
    ed25519_passphrase: str = field(repr=False)
    rsa_pem_encrypted: Path  # PEM ("BEGIN RSA PRIVATE KEY"), AES-256-CBC, ``rsa_passphrase``
    rsa_passphrase: str = field(repr=False)
    ecdsa: Path  # nistp256, OpenSSH format, no passphrase
    unauthorized: Path  # ed25519, no passphrase, accepted by no server
    public_keys: dict[str, str]  # attribute name -> "ssh-... AAAA... comment"
    fingerprints: dict[str, str]  # attribute name -> "SHA256:..."

    @property
    def authorized_lines(self) -> list[str]:
        return [line for name, line in self.public_keys.items() if name != "unauthorized"]

    @classmethod
    def create(cls, directory: Path) -> ClientKeys:
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        ed_pass = f"pässphrase {secrets.token_hex(6)} ✓"
        rsa_pass = f"rsa-pem-{secrets.token_hex(8)}"
        specs: dict[str, tuple[KeyType, str | None, bool]] = {
            "ed25519": ("ed25519", None, False),
            "ed25519_encrypted": ("ed25519", ed_pass, False),
            "rsa_pem_encrypted": ("rsa", rsa_pass, True),
            "ecdsa": ("ecdsa", None, False),
            "unauthorized": ("ed25519", None, False),
        }
        public: dict[str, str] = {}
        for name, (kind, passphrase, pem) in specs.items():
            public[name] = write_key(
                directory / f"id_{name}", kind, passphrase=passphrase, pem=pem, comment=name
            )
        return cls(
            directory=directory,
            ed25519=directory / "id_ed25519",
            ed25519_encrypted=directory / "id_ed25519_encrypted",
            ed25519_passphrase=ed_pass,
            rsa_pem_encrypted=directory / "id_rsa_pem_encrypted",
            rsa_passphrase=rsa_pass,
            ecdsa=directory / "id_ecdsa",
            unauthorized=directory / "id_unauthorized",
            public_keys=public,
            fingerprints={name: fingerprint(line) for name, line in public.items()},
        )

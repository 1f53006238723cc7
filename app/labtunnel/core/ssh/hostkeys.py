"""Known host keys: LabTunnel's own file, the user's ~/.ssh/known_hosts (read-only),
and fingerprints pinned in a profile.

Nothing is ever accepted silently: an unknown key raises HostKeyUnknown for the
user to accept, a key other than the known or pinned one raises HostKeyChanged.
"""

from __future__ import annotations

import base64
import hashlib
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import paramiko

from labtunnel.core.errors import HostKeyChanged, HostKeyUnknown
from labtunnel.core.platform.atomic import atomic_write_text


def fingerprint(key: paramiko.PKey) -> str:
    """OpenSSH's SHA256 fingerprint: ``SHA256:`` + unpadded base64 of the key blob."""
    digest = hashlib.sha256(key.asbytes()).digest()
    return "SHA256:" + base64.b64encode(digest).decode("ascii").rstrip("=")


def host_entry_name(host: str, port: int) -> str:
    """The name OpenSSH writes in known_hosts: ``host`` for port 22, else ``[host]:port``."""
    return host if port == 22 else f"[{host}]:{port}"


@dataclass(frozen=True)
class KnownHostEntry:
    host: str
    key_type: str
    fingerprint: str
    source: str  # "labtunnel" or the path of the user's known_hosts


def _load(path: Path) -> paramiko.HostKeys:
    keys = paramiko.HostKeys()
    try:
        keys.load(str(path))
    except FileNotFoundError:
        pass
    except (OSError, UnicodeDecodeError):
        # an unreadable user file adds no trust; it must not stop LabTunnel
        return paramiko.HostKeys()
    return keys


class HostKeyStore:
    """Decides whether a server's key is trusted; remembers keys the user accepts."""

    def __init__(self, own_file: Path, user_files: Sequence[Path] = ()) -> None:
        self.own_file = own_file
        self.user_files = tuple(user_files)
        self._lock = threading.Lock()

    @classmethod
    def with_user_known_hosts(cls, own_file: Path) -> HostKeyStore:
        return cls(own_file, (Path.home() / ".ssh" / "known_hosts",))

    def _sources(self) -> list[tuple[str, paramiko.HostKeys]]:
        sources = [("labtunnel", _load(self.own_file))]
        sources += [(str(path), _load(path)) for path in self.user_files]
        return sources

    def known_key_types(self, host: str, port: int) -> list[str]:
        """Key types already trusted for this host, so the handshake can ask for them first."""
        name = host_entry_name(host, port)
        types: list[str] = []
        for _, keys in self._sources():
            for key_type in keys.lookup(name) or {}:
                if key_type not in types:
                    types.append(key_type)
        return types

    def verify(self, host: str, port: int, key: paramiko.PKey, pinned: Sequence[str] = ()) -> None:
        """Return if ``key`` is trusted for host:port; raise HostKeyChanged/HostKeyUnknown."""
        actual = fingerprint(key)
        key_type = key.get_name()
        if pinned:
            if actual in pinned:
                return
            raise HostKeyChanged(host, port, key_type, pinned, actual, "pinned")
        name = host_entry_name(host, port)
        for source, keys in self._sources():
            known = keys.lookup(name)
            if not known:
                continue
            same_type = known.get(key_type)
            if same_type is None:
                continue
            if same_type.asbytes() == key.asbytes():
                return
            raise HostKeyChanged(host, port, key_type, [fingerprint(same_type)], actual, source)
        raise HostKeyUnknown(host, port, key_type, actual, key.get_base64())

    def trust(self, host: str, port: int, key_type: str, key_base64: str) -> None:
        """Remember a key the user accepted. Refuses to replace a different known key."""
        key = paramiko.PKey.from_type_string(key_type, base64.b64decode(key_base64))
        name = host_entry_name(host, port)
        with self._lock:
            keys = _load(self.own_file)
            known = keys.lookup(name)
            existing = known.get(key_type) if known else None
            if existing is not None:
                if existing.asbytes() == key.asbytes():
                    return
                raise HostKeyChanged(
                    host, port, key_type, [fingerprint(existing)], fingerprint(key), "labtunnel"
                )
            keys.add(name, key_type, key)
            self._write(keys)

    def forget(self, host: str, port: int | None = None) -> int:
        """Drop LabTunnel's entries for host (any port when ``port`` is None); returns how many."""
        with self._lock:
            keys = _load(self.own_file)
            kept = paramiko.HostKeys()
            removed = 0
            wanted = {host_entry_name(host, port)} if port is not None else None
            for name, key_type, key in _all_keys(keys):
                if _matches(name, host, wanted):
                    removed += 1
                else:
                    kept.add(name, key_type, key)
            if removed:
                self._write(kept)
            return removed

    def entries(self) -> list[KnownHostEntry]:
        result: list[KnownHostEntry] = []
        for source, keys in self._sources():
            for name, key_type, key in _all_keys(keys):
                result.append(KnownHostEntry(name, key_type, fingerprint(key), source))
        return result

    def _write(self, keys: paramiko.HostKeys) -> None:
        lines = [
            f"{name} {key_type} {key.get_base64()}\n" for name, key_type, key in _all_keys(keys)
        ]
        atomic_write_text(self.own_file, "".join(lines))


def _all_keys(keys: paramiko.HostKeys) -> list[tuple[str, str, paramiko.PKey]]:
    return [(name, key_type, key) for name in keys for key_type, key in keys[name].items()]


def _matches(name: str, host: str, wanted: set[str] | None) -> bool:
    if wanted is not None:
        return name in wanted
    return name == host or (name.startswith(f"[{host}]:"))

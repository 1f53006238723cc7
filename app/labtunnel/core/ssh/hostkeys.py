"""Known host keys: LabTunnel's own file, the user's ~/.ssh/known_hosts (read-only),
and fingerprints pinned in a profile.

Nothing is ever accepted silently: an unknown key raises HostKeyUnknown for the
user to accept; a key other than the known one raises HostKeyChanged, and so does a
key of another type than the ones a host is known by (HostKeyTypeChanged: a downgrade).
A pin (a profile's, e.g. from a lab profile file) adds trust only where none exists: a
pinned key that differs from a key already trusted is refused (PinConflict).

The files are read line by line, like OpenSSH: a damaged line (bad bytes, cut short,
garbage) is skipped with a log line and the others keep counting. LabTunnel's own file
is never re-serialised from what could be parsed: trusting appends a line and
forgetting drops lines, every other byte stays as it was. When the own file cannot
be read at all, nothing can be checked, so connecting is refused (KnownHostsUnreadable).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import logging
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import paramiko
from paramiko.pkey import UnknownKeyType

from labtunnel.core.errors import (
    HostKeyChanged,
    HostKeyTypeChanged,
    HostKeyUnknown,
    KnownHostsUnreadable,
    PinConflict,
)
from labtunnel.core.platform.atomic import atomic_write_bytes

log = logging.getLogger(__name__)

OWN_SOURCE = "labtunnel"
#: the source of a changed key that differs from a fingerprint pinned in the profile
PINNED_SOURCE = "pinned"
#: the host key algorithms a key type of known_hosts is negotiated as (RSA keys sign
#: with SHA-2 today; paramiko >= 4 no longer offers SHA-1 "ssh-rsa" at all)
_ALGORITHMS = {"ssh-rsa": ("rsa-sha2-512", "rsa-sha2-256", "ssh-rsa")}


def fingerprint(key: paramiko.PKey) -> str:
    """OpenSSH's SHA256 fingerprint: ``SHA256:`` + unpadded base64 of the key blob."""
    digest = hashlib.sha256(key.asbytes()).digest()
    return "SHA256:" + base64.b64encode(digest).decode("ascii").rstrip("=")


def host_entry_name(host: str, port: int) -> str:
    """The name OpenSSH writes in known_hosts: ``host`` for port 22, else ``[host]:port``."""
    return host if port == 22 else f"[{host}]:{port}"


def algorithms_for(key_types: Sequence[str]) -> list[str]:
    """Host key algorithms to ask for first, for keys of these types."""
    found: list[str] = []
    for key_type in key_types:
        for algorithm in _ALGORITHMS.get(key_type, (key_type,)):
            if algorithm not in found:
                found.append(algorithm)
    return found


@dataclass(frozen=True)
class KnownHostEntry:
    host: str
    key_type: str
    fingerprint: str
    source: str  # OWN_SOURCE or the path of the user's known_hosts


# --- one known_hosts file, line by line -------------------------------------------------


@dataclass(frozen=True)
class _KnownKey:
    patterns: tuple[str, ...]
    key_type: str
    key: paramiko.PKey
    line: int  # index into the file's raw lines

    def matches(self, name: str) -> bool:
        return _matches(self.patterns, name)


@dataclass
class _KnownHostsFile:
    source: str
    lines: list[bytes] = field(default_factory=list)  # raw, each with its b"\n" if it had one
    keys: list[_KnownKey] = field(default_factory=list)
    skipped: int = 0

    @property
    def unreadable(self) -> bool:
        """Nothing in it could be read although something is there: it is not a
        known_hosts file any more (zeroed by a crash, overwritten)."""
        return self.skipped > 0 and not self.keys


def _parse(path: Path, source: str, data: bytes) -> _KnownHostsFile:
    parsed = _KnownHostsFile(source, data.splitlines(keepends=True))
    for index, raw in enumerate(parsed.lines):
        text = raw.decode("utf-8", "replace").strip()
        if not text or text.startswith("#"):
            continue
        try:
            key = _parse_line(text, index)
        except _BadLine as bad:
            parsed.skipped += 1
            log.warning("%s line %d: %s; line skipped", path, index + 1, bad.reason)
            continue
        if key is not None:
            parsed.keys.append(key)
    return parsed


class _BadLine(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


_KEY_TYPE = re.compile(r"^[a-z0-9@.-]+$")


def _parse_line(text: str, index: int) -> _KnownKey | None:
    """One ``[marker] patterns key-type base64 [comment]`` line; None for lines that are
    valid but give no trust here (certificate authorities, @revoked: see below)."""
    fields = text.split()
    marker = fields.pop(0) if fields[0].startswith("@") else ""
    if len(fields) < 3:
        raise _BadLine("not enough fields")
    patterns, key_type, blob_text = fields[:3]
    if not _KEY_TYPE.match(key_type):
        raise _BadLine("no key type")
    try:
        blob = base64.b64decode(blob_text, validate=True)
    except (binascii.Error, ValueError):
        raise _BadLine("damaged key (not base64)") from None
    if marker:
        # @cert-authority: we do not do certificates; @revoked lines never add trust
        # (a revoked key of a host is then refused as unknown or changed as usual)
        return None
    try:
        key = paramiko.PKey.from_type_string(key_type, blob)
    except UnknownKeyType:
        log.debug("known_hosts: key type %s is not supported; line ignored", key_type)
        return None
    except Exception:  # paramiko raises several kinds for a cut-short blob
        raise _BadLine("damaged key") from None
    if key.get_name() != key_type:
        raise _BadLine("key type does not match the key")
    names = tuple(p if p.startswith("|1|") else p.lower() for p in patterns.split(",") if p)
    return _KnownKey(names, key_type, key, index)


def _matches(patterns: Sequence[str], name: str) -> bool:
    """OpenSSH's host matching: a comma list of names, ``*``/``?`` wildcards, ``!``
    negation (a negated match wins) and hashed ``|1|salt|hash`` names."""
    name = name.lower()
    matched = False
    for pattern in patterns:
        if pattern.startswith("|1|"):
            matched = matched or _hashed_matches(pattern, name)
            continue
        negated = pattern.startswith("!")
        if negated:
            pattern = pattern[1:]
        if _wildcard(pattern).fullmatch(name):
            if negated:
                return False
            matched = True
    return matched


def _wildcard(pattern: str) -> re.Pattern[str]:
    return re.compile("".join({"*": ".*", "?": "."}.get(c, re.escape(c)) for c in pattern))


def _hashed_matches(pattern: str, name: str) -> bool:
    parts = pattern.split("|")
    if len(parts) != 4:
        return False
    try:
        salt = base64.b64decode(parts[2], validate=True)
        expected = base64.b64decode(parts[3], validate=True)
    except (binascii.Error, ValueError):
        return False
    actual = hmac.new(salt, name.encode("utf-8"), hashlib.sha1).digest()
    return hmac.compare_digest(actual, expected)


# --- the store ------------------------------------------------------------------------


class HostKeyStore:
    """Decides whether a server's key is trusted; remembers keys the user accepts."""

    def __init__(self, own_file: Path, user_files: Sequence[Path] = ()) -> None:
        self.own_file = own_file
        self.user_files = tuple(user_files)
        self._lock = threading.Lock()
        #: parsed files by path, with the stat they were parsed at (skips are logged once)
        self._cache: dict[Path, tuple[tuple[int, int, int], _KnownHostsFile]] = {}

    @classmethod
    def with_user_known_hosts(cls, own_file: Path) -> HostKeyStore:
        return cls(own_file, (Path.home() / ".ssh" / "known_hosts",))

    # --- reading --------------------------------------------------------------------

    def _read(self, path: Path, source: str, own: bool) -> _KnownHostsFile:
        try:
            stat = path.stat()
            signature = (stat.st_mtime_ns, stat.st_size, stat.st_ino)
            cached = self._cache.get(path)
            if cached is not None and cached[0] == signature:
                parsed = cached[1]
            else:
                parsed = _parse(path, source, path.read_bytes())
                self._cache[path] = (signature, parsed)
        except FileNotFoundError:
            return _KnownHostsFile(source)
        except OSError as exc:
            if own:
                raise KnownHostsUnreadable(str(path), exc.strerror or str(exc)) from None
            # an unreadable file of the user's adds no trust; it must not stop LabTunnel
            log.warning("%s cannot be read (%s); its keys are not used", path, exc)
            return _KnownHostsFile(source)
        if own and parsed.unreadable:
            raise KnownHostsUnreadable(str(path), damaged=True)
        return parsed

    def _own(self) -> _KnownHostsFile:
        return self._read(self.own_file, OWN_SOURCE, own=True)

    def _sources(self) -> list[_KnownHostsFile]:
        return [self._own(), *(self._read(p, str(p), own=False) for p in self.user_files)]

    def _known(self, host: str, port: int) -> list[tuple[str, _KnownKey]]:
        name = host_entry_name(host, port)
        return [(f.source, k) for f in self._sources() for k in f.keys if k.matches(name)]

    def known_key_types(self, host: str, port: int) -> list[str]:
        """Key types already trusted for this host, so the handshake can ask for them first."""
        return list(dict.fromkeys(k.key_type for _, k in self._known(host, port)))

    def known_fingerprints(self, host: str, port: int) -> tuple[str, ...]:
        """Fingerprints of the keys trusted for host:port, one per key type (LabTunnel's
        own file first)."""
        by_type: dict[str, str] = {}
        for _, known in self._known(host, port):
            by_type.setdefault(known.key_type, fingerprint(known.key))
        return tuple(by_type.values())

    # --- deciding -------------------------------------------------------------------

    def verify(self, host: str, port: int, key: paramiko.PKey, pinned: Sequence[str] = ()) -> None:
        """Return if ``key`` is trusted for host:port; raise HostKeyChanged (or one of
        its kinds), HostKeyUnknown or KnownHostsUnreadable."""
        actual = fingerprint(key)
        key_type = key.get_name()
        known = self._known(host, port)
        if any(k.key.asbytes() == key.asbytes() for _, k in known):
            if pinned and actual not in pinned:
                raise HostKeyChanged(host, port, key_type, pinned, actual, PINNED_SOURCE)
            return
        if pinned and actual not in pinned:
            raise HostKeyChanged(host, port, key_type, pinned, actual, PINNED_SOURCE)
        if not known:
            if pinned:
                return  # the pin is the only thing that says who this host is
            raise HostKeyUnknown(host, port, key_type, actual, key.get_base64())
        _refuse_other_key(host, port, key, known, pinned=bool(pinned))

    def trust(self, host: str, port: int, key_type: str, key_base64: str) -> None:
        """Remember a key the user accepted, appended to LabTunnel's own file. Refuses a
        key that differs from a known key of the same type (a key of another type is
        refused by :meth:`verify`, so it never reaches the user as a question)."""
        key = paramiko.PKey.from_type_string(key_type, base64.b64decode(key_base64))
        with self._lock:
            known = self._known(host, port)
            same = [source for source, k in known if k.key.asbytes() == key.asbytes()]
            if not same and any(k.key_type == key.get_name() for _, k in known):
                _refuse_other_key(host, port, key, known, pinned=False)
            if OWN_SOURCE in same:
                return
            own = self._own()
            data = b"".join(own.lines)
            if data and not data.endswith(b"\n"):
                data += b"\n"
            line = f"{host_entry_name(host, port)} {key_type} {key.get_base64()}\n"
            self._write(data + line.encode("ascii"))

    def forget(self, host: str, port: int | None = None) -> int:
        """Drop LabTunnel's entries for host (any port when ``port`` is None); returns how
        many. Lines of other hosts stay byte for byte, damaged ones included."""
        with self._lock:
            own = self._own()
            lines = list(own.lines)
            removed = 0
            for known in own.keys:
                kept = [p for p in known.patterns if not _forgets(p, host, port)]
                if len(kept) == len(known.patterns):
                    continue
                removed += 1
                if kept:
                    rest = f"{','.join(kept)} {known.key_type} {known.key.get_base64()}\n"
                    lines[known.line] = rest.encode("ascii")
                else:
                    lines[known.line] = b""
            if removed:
                self._write(b"".join(lines))
            return removed

    def entries(self) -> list[KnownHostEntry]:
        return [
            KnownHostEntry(pattern, k.key_type, fingerprint(k.key), f.source)
            for f in self._sources()
            for k in f.keys
            for pattern in k.patterns
        ]

    def _write(self, data: bytes) -> None:
        atomic_write_bytes(self.own_file, data)
        self._cache.pop(self.own_file, None)


def _refuse_other_key(
    host: str, port: int, key: paramiko.PKey, known: list[tuple[str, _KnownKey]], pinned: bool
) -> None:
    """``key`` is not among the ``known`` keys of the host: say how it differs."""
    actual, key_type = fingerprint(key), key.get_name()
    same_type = [(s, k) for s, k in known if k.key_type == key_type]
    others = same_type or known
    source = others[0][0]
    expected = list(dict.fromkeys(fingerprint(k.key) for _, k in others))
    if pinned:
        raise PinConflict(host, port, key_type, expected, actual, source)
    if same_type:
        raise HostKeyChanged(host, port, key_type, expected, actual, source)
    types = list(dict.fromkeys(k.key_type for _, k in known))
    raise HostKeyTypeChanged(host, port, key_type, types, expected, actual, source)


def _forgets(pattern: str, host: str, port: int | None) -> bool:
    host = host.lower()
    if pattern.startswith("|1|"):
        ports = [port] if port is not None else [22]
        return any(_hashed_matches(pattern, host_entry_name(host, p)) for p in ports)
    if port is not None:
        return pattern == host_entry_name(host, port)
    return pattern == host or pattern.startswith(f"[{host}]:")

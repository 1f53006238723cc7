"""Profiles from the user's OpenSSH client config (``~/.ssh/config``).

paramiko's SSHConfig answers "which options apply to host X". This module adds what it
leaves out: ``Include`` (globs, ``~``, relative paths taken from ~/.ssh as OpenSSH
does, the including block kept in force after the included file), the list of concrete
host aliases, and the mapping to LabTunnel profiles (HostName, User, Port, IdentityFile,
ProxyJump). Wildcard patterns are skipped: they hold defaults, not servers.

Only where to connect and which key file to use are read; never a secret. Reading
runs nothing and asks no DNS: ``Match exec`` blocks are ignored (paramiko would run
the command), as is ``CanonicalizeHostname``.
"""

from __future__ import annotations

import glob
import re
import shlex
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import paramiko

from labtunnel.core.errors import ProfileInvalid, SshConfigUnreadable
from labtunnel.core.profiles.lifecycle import ProfileLifecycle
from labtunnel.core.profiles.model import (
    AuthMethod,
    HostProfile,
    JumpHost,
    validate_profile,
)

MAX_INCLUDE_DEPTH = 16  # as OpenSSH's READCONF_MAX_DEPTH
DEFAULT_KEY_NAMES = ("id_ed25519", "id_ecdsa", "id_rsa")
_SETTING = re.compile(r"^\s*(\w+)(?:\s*=\s*|\s+)(.*?)\s*$")
_MATCH_CRITERIA = {"all", "canonical", "final", "host", "originalhost", "user", "localuser"}
#: a block paramiko never applies: the only pattern is negated and matches every name
_NEVER = "Host !*"


@dataclass(frozen=True)
class ConfigNote:
    """Something in the config that was left out. ``code``: ``include_cycle``,
    ``include_too_deep``, ``include_unreadable``, ``match_ignored``,
    ``canonicalize_ignored``; ``detail``: the file or the line."""

    code: str
    detail: str


@dataclass(frozen=True)
class SshHostEntry:
    """The options OpenSSH would use for ``alias``."""

    alias: str
    hostname: str
    port_text: str
    user: str
    identity_files: tuple[str, ...]
    proxy_jump: str
    proxy_command: str


@dataclass(frozen=True)
class SshConfig:
    """A config file with its includes resolved."""

    path: Path
    files: tuple[Path, ...]
    aliases: tuple[str, ...]
    patterns: tuple[str, ...]
    notes: tuple[ConfigNote, ...]
    parsed: paramiko.SSHConfig = field(repr=False, compare=False)

    def lookup(self, alias: str) -> SshHostEntry:
        options = self.parsed.lookup(alias)
        command = options.get("proxycommand")
        return SshHostEntry(
            alias=alias,
            hostname=str(options.get("hostname", alias)),
            port_text=str(options.get("port", "22")),
            user=str(options.get("user", "")),
            identity_files=tuple(f for f in options.get("identityfile", []) if f.lower() != "none"),
            proxy_jump=str(options.get("proxyjump", "")),
            proxy_command="" if command in (None, "none") else str(command),
        )


# --- reading --------------------------------------------------------------------------


def _words(text: str) -> list[str]:
    """Space-separated words, double quotes group (backslashes kept: Windows paths)."""
    return [quoted or bare for quoted, bare in re.findall(r'"([^"]*)"|(\S+)', text)]


def _expand_home(path: str, home: Path) -> str:
    if path == "~" or path.startswith(("~/", "~\\")):
        return str(home) + path[1:]
    return path.replace("%d", str(home))


class _Flattener:
    """Inlines ``Include``s into one text paramiko can parse."""

    def __init__(self, home: Path, ssh_dir: Path) -> None:
        self.home = home
        self.ssh_dir = ssh_dir
        self.lines: list[str] = []
        self.files: list[Path] = []
        self.notes: list[ConfigNote] = []

    def read(self, path: Path, inherited: str, stack: tuple[Path, ...]) -> None:
        resolved = path.resolve()
        if resolved in stack:
            self.notes.append(ConfigNote("include_cycle", str(path)))
            return
        if len(stack) > MAX_INCLUDE_DEPTH:
            self.notes.append(ConfigNote("include_too_deep", str(path)))
            return
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError as exc:
            if not stack:
                raise SshConfigUnreadable(str(path), exc.strerror or str(exc)) from exc
            self.notes.append(ConfigNote("include_unreadable", str(path)))
            return
        self.files.append(path)
        block = inherited
        for raw in text.splitlines():
            line = raw.strip()
            match = _SETTING.match(line)
            if not line or line.startswith("#") or match is None:
                self.lines.append(line)
                continue
            keyword, value = match.group(1).lower(), match.group(2)
            if keyword == "include":
                for pattern in _words(value):
                    for included in self._expand_include(pattern):
                        self.read(included, block, (*stack, resolved))
                # an included file may open blocks of its own; ours goes on after it
                self.lines.append(block)
            elif keyword == "match":
                block = self._match_line(line, value)
                self.lines.append(block)
            elif keyword == "host":
                block = line
                self.lines.append(line)
            elif keyword == "canonicalizehostname":
                self.notes.append(ConfigNote("canonicalize_ignored", line))
            elif keyword == "identityfile":
                self.lines.append(f'IdentityFile "{self._identity_path(value)}"')
            else:
                self.lines.append(line)

    def _match_line(self, line: str, value: str) -> str:
        if _match_criteria(value) <= _MATCH_CRITERIA:
            return line
        self.notes.append(ConfigNote("match_ignored", line))
        return _NEVER

    def _expand_include(self, pattern: str) -> list[Path]:
        expanded = Path(_expand_home(pattern, self.home))
        if not expanded.is_absolute():
            expanded = self.ssh_dir / expanded
        # Path.glob cannot take an absolute pattern with wildcards in folder names
        return [Path(p) for p in sorted(glob.glob(str(expanded)))]  # noqa: PTH207

    def _identity_path(self, value: str) -> str:
        path = _expand_home(value.strip().strip('"'), self.home)
        if path.lower() == "none" or Path(path).is_absolute():
            return path
        return str(self.ssh_dir / path)


def _match_criteria(value: str) -> set[str]:
    """The criteria of a ``Match`` line (``exec`` when it cannot be split)."""
    try:
        words = shlex.split(value)
    except ValueError:
        return {"exec"}
    criteria: set[str] = set()
    while words:
        criterion = words.pop(0).lstrip("!").lower()
        criteria.add(criterion)
        if criterion not in ("all", "canonical", "final") and words:
            words.pop(0)
    return criteria


def read_ssh_config(path: Path | None = None, home: Path | None = None) -> SshConfig:
    """Read ``path`` (default ``~/.ssh/config``) and everything it includes.

    Raises SshConfigUnreadable when the file itself cannot be read or parsed; included
    files that cannot be read become notes.
    """
    home = home if home is not None else Path.home()
    ssh_dir = home / ".ssh"
    path = path if path is not None else ssh_dir / "config"
    flattener = _Flattener(home, ssh_dir)
    flattener.read(path, "Host *", ())
    try:
        parsed = paramiko.SSHConfig.from_text("\n".join(flattener.lines))
    except paramiko.ssh_exception.ConfigParseError as exc:
        raise SshConfigUnreadable(str(path), str(exc)) from exc
    aliases, patterns = _host_names(flattener.lines)
    return SshConfig(
        path=path,
        files=tuple(flattener.files),
        aliases=aliases,
        patterns=patterns,
        notes=tuple(flattener.notes),
        parsed=parsed,
    )


def _host_names(lines: Iterable[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    aliases: dict[str, None] = {}
    patterns: dict[str, None] = {}
    for line in lines:
        match = _SETTING.match(line)
        if match is None or match.group(1).lower() != "host" or line == _NEVER:
            continue
        try:
            names = shlex.split(match.group(2))
        except ValueError:
            continue
        for name in names:
            if name.startswith("!"):
                continue  # an exception to a pattern, not a host
            if any(c in name for c in "*?"):
                patterns[name] = None
            else:
                aliases[name] = None
    patterns.pop("*", None)  # the implicit global block, not something the user wrote
    return tuple(aliases), tuple(patterns)


# --- from config to profiles ----------------------------------------------------------


@dataclass(frozen=True)
class SkippedHost:
    """A host not imported. ``reason``: ``wildcard``, ``not_found``, ``exists``,
    ``proxy_command``, ``multi_hop_jump``, ``bad_port``, ``bad_jump``, ``jump_loop``,
    ``invalid`` (``detail``: the failing fields)."""

    alias: str
    reason: str
    detail: str = ""


@dataclass(frozen=True)
class ImportNote:
    """Imported, with a remark. ``code``: ``identity_file_missing`` (``detail``: the
    path; the next IdentityFile that exists is used, else the password)."""

    alias: str
    code: str
    detail: str = ""


@dataclass(frozen=True)
class SshImportPlan:
    #: in the order to save them: a jump host before the profiles going through it
    profiles: tuple[HostProfile, ...]
    skipped: tuple[SkippedHost, ...]
    notes: tuple[ImportNote, ...]
    config_notes: tuple[ConfigNote, ...]


@dataclass
class _Candidate:
    entry: SshHostEntry
    port: int
    jump_user: str = ""
    jump_host: str = ""
    jump_port: int | None = None


def _parse_jump(spec: str) -> tuple[str, str, int | None]:
    """``[user@]host[:port]`` -> (user, host, port or None). Raises ValueError."""
    user, sep, rest = spec.strip().rpartition("@")
    rest = rest if sep else spec.strip()
    port: int | None = None
    if rest.startswith("["):
        host, _, tail = rest[1:].partition("]")
        if tail.startswith(":"):
            port = int(tail[1:])
    elif rest.count(":") == 1:
        host, port_text = rest.split(":")
        port = int(port_text)
    else:
        host = rest
    if not host or (port is not None and not 1 <= port <= 65535):
        raise ValueError(spec)
    return (user if sep else ""), host, port


def _parse_port(text: str) -> int | None:
    try:
        port = int(text)
    except ValueError:
        return None
    return port if 1 <= port <= 65535 else None


def _key_file(
    alias: str, entry: SshHostEntry, ssh_dir: Path, notes: list[ImportNote]
) -> str | None:
    """The first IdentityFile that exists; like OpenSSH, the default keys only when none
    is named; None when there is no key file (then the password is used)."""
    for candidate in entry.identity_files:
        if Path(candidate).is_file():
            return candidate
        notes.append(ImportNote(alias, "identity_file_missing", candidate))
    if entry.identity_files:
        return None
    for name in DEFAULT_KEY_NAMES:
        default = ssh_dir / name
        if default.is_file():
            return str(default)
    return None


def plan_ssh_import(
    config: SshConfig,
    existing: Sequence[HostProfile],
    *,
    default_user: str,
    only: Sequence[str] = (),
    ssh_dir: Path | None = None,
) -> SshImportPlan:
    """The profiles ``config`` gives (all concrete hosts, or those in ``only``) that are
    not already saved under the same name; nothing is saved. Every profile is a Jupyter
    profile with the login shell's Jupyter; a ProxyJump to a host that is imported too
    (or already saved with the same address) refers to that profile."""
    ssh_dir = ssh_dir if ssh_dir is not None else config.path.parent
    skipped: list[SkippedHost] = []
    notes: list[ImportNote] = []
    if only:
        wanted = list(dict.fromkeys(only))
        skipped += [SkippedHost(a, "not_found") for a in wanted if a not in config.aliases]
        aliases = [a for a in wanted if a in config.aliases]
    else:
        skipped += [SkippedHost(p, "wildcard") for p in config.patterns]
        aliases = list(config.aliases)
    taken = {p.name.strip().casefold(): p for p in existing}

    candidates: dict[str, _Candidate] = {}
    for alias in aliases:
        entry = config.lookup(alias)
        port = _parse_port(entry.port_text)
        jump = entry.proxy_jump.strip()
        if alias.casefold() in taken:
            skipped.append(SkippedHost(alias, "exists"))
        elif entry.proxy_command:
            skipped.append(SkippedHost(alias, "proxy_command", entry.proxy_command))
        elif port is None:
            skipped.append(SkippedHost(alias, "bad_port", entry.port_text))
        elif "," in jump:
            skipped.append(SkippedHost(alias, "multi_hop_jump", jump))
        else:
            candidate = _Candidate(entry, port)
            if jump and jump.lower() != "none":
                try:
                    candidate.jump_user, candidate.jump_host, candidate.jump_port = _parse_jump(
                        jump
                    )
                except ValueError:
                    skipped.append(SkippedHost(alias, "bad_jump", jump))
                    continue
            candidates[alias] = candidate

    for alias in _in_jump_loops(candidates):
        skipped.append(SkippedHost(alias, "jump_loop", candidates.pop(alias).entry.proxy_jump))

    profiles: dict[str, HostProfile] = {}
    for alias in _jump_hosts_first(candidates):
        candidate = candidates[alias]
        entry = candidate.entry
        user = entry.user or default_user
        key = _key_file(alias, entry, ssh_dir, notes)
        profile = HostProfile(
            name=alias,
            host=entry.hostname.strip(),
            port=candidate.port,
            username=user,
            auth=AuthMethod.KEY if key else AuthMethod.PASSWORD,
            key_path=key or "",
            jump=_jump_for(config, candidate, user, profiles, existing),
        )
        try:
            validate_profile(profile, [*existing, *profiles.values()])
        except ProfileInvalid as error:
            detail = ", ".join(f"{p.field}={p.code}" for p in error.problems)
            skipped.append(SkippedHost(alias, "invalid", detail))
            continue
        profiles[alias] = profile
    return SshImportPlan(tuple(profiles.values()), tuple(skipped), tuple(notes), config.notes)


def _in_jump_loops(candidates: dict[str, _Candidate]) -> list[str]:
    looping: list[str] = []
    for start in candidates:
        seen = [start]
        current = candidates[start].jump_host
        while current in candidates and current not in seen:
            seen.append(current)
            current = candidates[current].jump_host
        if current == start:
            looping.append(start)
    return looping


def _jump_hosts_first(candidates: dict[str, _Candidate]) -> list[str]:
    def depth(alias: str) -> int:
        count, current = 0, candidates[alias].jump_host
        while current in candidates and count <= len(candidates):
            count, current = count + 1, candidates[current].jump_host
        return count

    return sorted(candidates, key=depth)


def _jump_for(
    config: SshConfig,
    candidate: _Candidate,
    user: str,
    planned: dict[str, HostProfile],
    existing: Sequence[HostProfile],
) -> JumpHost | None:
    alias = candidate.jump_host
    if not alias:
        return None
    if alias in planned and not candidate.jump_user and candidate.jump_port is None:
        return JumpHost(profile_id=planned[alias].id)
    via = config.lookup(alias)
    host = via.hostname.strip()
    port = candidate.jump_port or _parse_port(via.port_text) or 22
    jump_user = candidate.jump_user or via.user or user
    for profile in existing:
        same_place = profile.host.strip().casefold() == host.casefold() and profile.port == port
        if profile.name.strip() == alias and same_place and profile.username == jump_user:
            return JumpHost(profile_id=profile.id)
    return JumpHost(host=host, port=port, username="" if jump_user == user else jump_user)


def apply_ssh_import(profiles: ProfileLifecycle, plan: SshImportPlan) -> list[HostProfile]:
    """Save the planned profiles in order. A failure stops there: the profiles saved
    before it are complete and stay (running the import again skips them)."""
    added = []
    for profile in plan.profiles:
        added.append(profiles.add(profile))
    return added

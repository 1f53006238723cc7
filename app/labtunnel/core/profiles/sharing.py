"""Shareable lab profiles: the small ``.labtunnel`` file a lab admin gives to students.

The file says where to connect (server, optional jump host, what to forward) and pins
the SHA256 fingerprints of both hosts' keys, so the first connection asks no host-key
question. It never holds a secret, and holds a user name only when the exporter asks.

Layout (UTF-8 JSON, at most :data:`MAX_FILE_BYTES`)::

    {"format": "labtunnel-lab-profile", "version": 1,
     "profile": {"name": ..., "server": {"host", "port", "host_key_fingerprints"[, "username"]},
                 "jump": null | {same as server}, "target": {"kind": "jupyter", "app", "env",
                 "workdir"[, "gpu"][, "slurm": {"partition", "gpus", "cpus", "memory",
                 "time_limit", "account", "qos", "extra_options"}]} | {"kind": "remote", "host",
                 "port"}},
     "sha256": hex digest of the canonical JSON of everything but "sha256"}

Version 2 adds ``"forwards": [{"name", "host", "port"}, ...]`` to ``profile``: the extra
forwards beside Jupyter (TensorBoard...). A file is written with the lowest version that
holds its content, so a profile without extra forwards still opens in LabTunnel releases
that read only version 1; those refuse a version 2 file as "too new".

Canonical JSON is sorted keys, no whitespace, UTF-8, no ASCII escaping: for the values
used here it equals RFC 8785, so other tools can produce the digest too. The digest
catches a file cut short or damaged, not an edit: it is no signature (whoever edits the
file recomputes it). Trust in the file comes from who handed it over, and is limited:
its pins never replace a key already trusted (PinConflict, core.ssh.hostkeys), and the
server's password goes to the jump host the file names only when the person agrees.

Importing gives the user's own profile: their user name, the pins set, and - when there
is a jump host - a second profile for it carrying its pins (a jump given as host:port
has no pins of its own), which the main profile goes through.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from labtunnel.core.errors import (
    FieldProblem,
    HostRole,
    ProblemCode,
    ShareDamage,
    ShareFileDamaged,
    ShareFileMalformed,
    ShareFileTooLarge,
    ShareFileTooNew,
    ShareFileUnreadable,
    ShareHostKeyUnknown,
    ShareUnsupportedProfile,
)
from labtunnel.core.platform.atomic import atomic_write_text
from labtunnel.core.profiles.lifecycle import NewProfile, ProfileLifecycle
from labtunnel.core.profiles.model import (
    MAX_FORWARD_NAME,
    MAX_FORWARDS,
    AuthMethod,
    GpuSetting,
    HostProfile,
    JumpHost,
    JupyterApp,
    JupyterSpec,
    NamedForward,
    RemoteForward,
    Target,
    forward_problems,
    forward_to_dict,
    is_valid_fingerprint,
    profile_problems,
    validate_profile,
)
from labtunnel.core.profiles.secrets import SecretKind
from labtunnel.core.profiles.slurm import SlurmJob, slurm_from_dict, slurm_problems, slurm_to_dict
from labtunnel.core.ssh.hostkeys import HostKeyStore

FORMAT_NAME = "labtunnel-lab-profile"
FORMAT_VERSION = 2
#: the version that added ``profile.forwards``
FORWARDS_VERSION = 2
FILE_SUFFIX = ".labtunnel"
MAX_FILE_BYTES = 64 * 1024
MAX_TEXT = 1024
MAX_NAME = 100
MAX_PINS = 16
MAX_SLURM_OPTIONS = 32

_DIGEST = re.compile(r"^[0-9a-f]{64}$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")

ProfileLookup = Callable[[str], HostProfile]


@dataclass(frozen=True)
class SharedHost:
    host: str
    port: int
    #: "SHA256:..." fingerprints the host must present (never empty in a valid file)
    fingerprints: tuple[str, ...]
    #: only when the exporter asked to include it
    username: str = ""


@dataclass(frozen=True)
class SharedProfile:
    name: str
    server: SharedHost
    target: Target
    jump: SharedHost | None = None
    #: extra forwards beside the target (version 2 files)
    forwards: tuple[NamedForward, ...] = ()


# --- export ---------------------------------------------------------------------------


def known_fingerprints(hostkeys: HostKeyStore, host: str, port: int) -> tuple[str, ...]:
    """Fingerprints of the keys ``hostkeys`` trusts for host:port, one per key type."""
    return hostkeys.known_fingerprints(host, port)


def _pins(
    profile_name: str,
    host: str,
    port: int,
    pinned: Sequence[str],
    hostkeys: HostKeyStore,
    role: HostRole,
) -> tuple[str, ...]:
    pins = tuple(pinned) or known_fingerprints(hostkeys, host, port)
    if not pins:
        raise ShareHostKeyUnknown(profile_name, host, port, role)
    return pins


def share_profile(
    profile: HostProfile,
    hostkeys: HostKeyStore,
    lookup: ProfileLookup,
    include_user: bool = False,
) -> SharedProfile:
    """What of ``profile`` goes into a lab profile file. Pins come from the profile, or
    else from the host keys LabTunnel trusts (so connect once before exporting).

    Raises ShareHostKeyUnknown, ShareUnsupportedProfile, ProfileNotFound.
    """
    host = profile.host.strip()
    server = SharedHost(
        host=host,
        port=profile.port,
        fingerprints=_pins(
            profile.name, host, profile.port, profile.pinned_fingerprints, hostkeys, HostRole.SERVER
        ),
        username=profile.username.strip() if include_user else "",
    )
    jump: SharedHost | None = None
    if profile.jump is not None:
        if profile.jump.profile_id:
            via = lookup(profile.jump.profile_id)
            if via.jump is not None:
                raise ShareUnsupportedProfile(profile.name, "jump_chain")
            jump_host, jump_port, jump_user = via.host.strip(), via.port, via.username
            jump_pins: Sequence[str] = via.pinned_fingerprints
        else:
            jump_host, jump_port = profile.jump.host.strip(), profile.jump.port
            jump_user, jump_pins = profile.jump.username, ()
        jump_user = jump_user.strip()
        jump = SharedHost(
            host=jump_host,
            port=jump_port,
            fingerprints=_pins(
                profile.name, jump_host, jump_port, jump_pins, hostkeys, HostRole.JUMP
            ),
            # the importer falls back to the main user name: only a different one is kept
            username=jump_user if include_user and jump_user != server.username else "",
        )
    return SharedProfile(
        name=profile.name.strip(),
        server=server,
        target=profile.target,
        jump=jump,
        forwards=profile.forwards,
    )


def canonical_json(value: Any) -> bytes:
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def content_digest(content: Mapping[str, Any]) -> str:
    return hashlib.sha256(canonical_json(content)).hexdigest()


def _host_dict(shared: SharedHost) -> dict[str, Any]:
    data: dict[str, Any] = {
        "host": shared.host,
        "port": shared.port,
        "host_key_fingerprints": list(shared.fingerprints),
    }
    if shared.username:
        data["username"] = shared.username
    return data


def _target_dict(target: Target) -> dict[str, Any]:
    if isinstance(target, RemoteForward):
        return {"kind": "remote", "host": target.host, "port": target.port}
    data: dict[str, Any] = {
        "kind": "jupyter",
        "app": target.app.value,
        "env": target.env,
        "workdir": target.workdir,
    }
    if target.gpu != GpuSetting():
        # only when set: files with the default stay readable by LabTunnels before "gpu"
        data["gpu"] = str(target.gpu)
    if target.slurm is not None:
        data["slurm"] = slurm_to_dict(target.slurm)
    return data


def format_version(shared: SharedProfile) -> int:
    """The lowest format version that holds ``shared``: older LabTunnels read it then."""
    return FORWARDS_VERSION if shared.forwards else 1


def to_document(shared: SharedProfile) -> dict[str, Any]:
    profile: dict[str, Any] = {
        "name": shared.name,
        "server": _host_dict(shared.server),
        "jump": _host_dict(shared.jump) if shared.jump is not None else None,
        "target": _target_dict(shared.target),
    }
    if shared.forwards:
        profile["forwards"] = [forward_to_dict(f) for f in shared.forwards]
    content: dict[str, Any] = {
        "format": FORMAT_NAME,
        "version": format_version(shared),
        "profile": profile,
    }
    return {**content, "sha256": content_digest(content)}


def dumps_shared(shared: SharedProfile) -> str:
    return json.dumps(to_document(shared), indent=2, ensure_ascii=False) + "\n"


def write_shared(path: Path, shared: SharedProfile) -> None:
    """Write the file atomically; it is meant to be handed on, so it is readable (0644)."""
    try:
        atomic_write_text(path, dumps_shared(shared), mode=0o644)
    except OSError as exc:
        raise ShareFileUnreadable(str(path), exc.strerror or str(exc)) from exc


# --- reading --------------------------------------------------------------------------


def read_shared(path: Path) -> SharedProfile:
    """Read and check a lab profile file. Raises ShareFileUnreadable, ShareFileTooLarge,
    ShareFileMalformed, ShareFileDamaged, ShareFileTooNew."""
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
            if len(data) > MAX_FILE_BYTES:
                handle.seek(0, 2)
                raise ShareFileTooLarge(str(path), handle.tell(), MAX_FILE_BYTES)
    except OSError as exc:
        raise ShareFileUnreadable(str(path), exc.strerror or str(exc)) from exc
    return loads_shared(data, str(path))


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _DuplicateKey(key)
        result[key] = value
    return result


class _DuplicateKey(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _reject_constant(name: str) -> Any:
    raise ValueError(f"not JSON: {name}")


def loads_shared(data: bytes, source: str = "") -> SharedProfile:
    """Parse and check the bytes of a lab profile file; ``source`` names it in errors."""
    if len(data) > MAX_FILE_BYTES:
        raise ShareFileTooLarge(source, len(data), MAX_FILE_BYTES)

    def malformed(field: str, code: ProblemCode, value: str = "") -> ShareFileMalformed:
        return ShareFileMalformed(source, [FieldProblem(field, code, value)])

    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise malformed("file", ProblemCode.NOT_TEXT) from None
    try:
        document = json.loads(
            text, object_pairs_hook=_no_duplicate_keys, parse_constant=_reject_constant
        )
    except _DuplicateKey as exc:
        raise malformed(exc.key, ProblemCode.DUPLICATE_KEY) from None
    except json.JSONDecodeError as exc:
        # the scanner reports an unterminated string only when it hits the end
        if exc.pos >= len(text.rstrip()) or exc.msg.startswith("Unterminated string"):
            raise ShareFileDamaged(source, ShareDamage.TRUNCATED) from None
        raise malformed(
            "file", ProblemCode.NOT_JSON, f"line {exc.lineno}, column {exc.colno}"
        ) from None
    except (ValueError, RecursionError):
        raise malformed("file", ProblemCode.NOT_JSON) from None
    if not isinstance(document, dict) or document.get("format") != FORMAT_NAME:
        raise malformed("format", ProblemCode.NOT_LABTUNNEL)
    version = document.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise malformed("version", ProblemCode.WRONG_TYPE, "integer")
    if version > FORMAT_VERSION:
        raise ShareFileTooNew(source, version, FORMAT_VERSION)
    digest = document.get("sha256")
    if digest is None:
        raise malformed("sha256", ProblemCode.REQUIRED)
    if not isinstance(digest, str) or not _DIGEST.match(digest):
        raise malformed("sha256", ProblemCode.BAD_DIGEST)
    content = {key: value for key, value in document.items() if key != "sha256"}
    if content_digest(content) != digest:
        raise ShareFileDamaged(source, ShareDamage.DIGEST_MISMATCH)
    checker = _Checker(version)
    checker.only_keys(content, "", ("format", "version", "profile"))
    profile = checker.mapping(content, "profile", "")
    shared = checker.profile(profile) if profile is not None else None
    if checker.problems or shared is None:
        raise ShareFileMalformed(source, checker.problems)
    return shared


class _Checker:
    """Field-by-field checks of the ``profile`` object; collects every problem."""

    def __init__(self, version: int = FORMAT_VERSION) -> None:
        self.problems: list[FieldProblem] = []
        self.version = version

    def add(self, field: str, code: ProblemCode, value: str = "") -> None:
        self.problems.append(FieldProblem(field, code, value))

    @staticmethod
    def _path(prefix: str, key: str) -> str:
        return f"{prefix}.{key}" if prefix else key

    def only_keys(self, data: Mapping[str, Any], prefix: str, allowed: Sequence[str]) -> None:
        for key in data:
            if key not in allowed:
                self.add(self._path(prefix, key), ProblemCode.UNKNOWN_FIELD)

    def mapping(
        self, data: Mapping[str, Any], key: str, prefix: str, nullable: bool = False
    ) -> Mapping[str, Any] | None:
        path = self._path(prefix, key)
        if key not in data:
            if not nullable:
                self.add(path, ProblemCode.REQUIRED)
            return None
        value = data[key]
        if value is None and nullable:
            return None
        if not isinstance(value, Mapping):
            self.add(path, ProblemCode.WRONG_TYPE, "object")
            return None
        return value

    def text(
        self,
        data: Mapping[str, Any],
        key: str,
        prefix: str,
        *,
        required: bool = True,
        limit: int = MAX_TEXT,
    ) -> str:
        path = self._path(prefix, key)
        if key not in data:
            if required:
                self.add(path, ProblemCode.REQUIRED)
            return ""
        value = data[key]
        if not isinstance(value, str):
            self.add(path, ProblemCode.WRONG_TYPE, "text")
            return ""
        if len(value) > limit:
            self.add(path, ProblemCode.TOO_LONG, str(limit))
            return ""
        if _CONTROL.search(value):
            self.add(path, ProblemCode.CONTROL_CHARS)
            return ""
        return value

    def port(self, data: Mapping[str, Any], key: str, prefix: str) -> int:
        path = self._path(prefix, key)
        value = data.get(key)
        if key not in data:
            self.add(path, ProblemCode.REQUIRED)
        elif not isinstance(value, int) or isinstance(value, bool):
            self.add(path, ProblemCode.WRONG_TYPE, "integer")
        elif not 1 <= value <= 65535:
            self.add(path, ProblemCode.PORT_OUT_OF_RANGE, str(value))
        else:
            return value
        return 0

    def host_name(self, data: Mapping[str, Any], key: str, prefix: str) -> str:
        """A server name or address, checked by the same rule as a profile's host."""
        present = isinstance(data.get(key), str)
        host = self.text(data, key, prefix, limit=255).strip()
        if not host:
            if present:
                self.add(self._path(prefix, key), ProblemCode.EMPTY)
            return ""
        probe = HostProfile(name="probe", host=host, username="probe")
        for problem in profile_problems(probe, check_files=False):
            if problem.field == "host":
                self.add(self._path(prefix, key), problem.code, problem.value)
        return host

    def username(self, data: Mapping[str, Any], prefix: str) -> str:
        username = self.text(data, "username", prefix, required=False, limit=255).strip()
        if any(c.isspace() for c in username):
            self.add(self._path(prefix, "username"), ProblemCode.BAD_USERNAME, username)
            return ""
        return username

    def fingerprints(self, data: Mapping[str, Any], prefix: str) -> tuple[str, ...]:
        path = self._path(prefix, "host_key_fingerprints")
        raw = data.get("host_key_fingerprints")
        if "host_key_fingerprints" not in data:
            self.add(path, ProblemCode.REQUIRED)
        elif not isinstance(raw, list) or not all(isinstance(p, str) for p in raw):
            self.add(path, ProblemCode.WRONG_TYPE, "list of fingerprints")
        elif not raw:
            # a file without pins would bring back the host-key question it exists to avoid
            self.add(path, ProblemCode.EMPTY)
        elif len(raw) > MAX_PINS:
            self.add(path, ProblemCode.TOO_MANY, str(MAX_PINS))
        else:
            bad = [p for p in raw if not is_valid_fingerprint(p)]
            for pin in bad:
                self.add(path, ProblemCode.BAD_FINGERPRINT, pin[:80])
            if not bad:
                return tuple(dict.fromkeys(raw))
        return ()

    def host(self, data: Mapping[str, Any], prefix: str) -> SharedHost:
        self.only_keys(data, prefix, ("host", "port", "host_key_fingerprints", "username"))
        return SharedHost(
            host=self.host_name(data, "host", prefix),
            port=self.port(data, "port", prefix),
            fingerprints=self.fingerprints(data, prefix),
            username=self.username(data, prefix),
        )

    def target(self, data: Mapping[str, Any]) -> Target | None:
        kind = self.text(data, "kind", "target")
        if kind == "jupyter":
            self.only_keys(data, "target", ("kind", "app", "env", "workdir", "gpu", "slurm"))
            app_text = self.text(data, "app", "target", required=False) or JupyterApp.LAB.value
            apps = [a.value for a in JupyterApp]
            if app_text not in apps:
                self.add("target.app", ProblemCode.BAD_CHOICE, ", ".join(apps))
                return None
            gpu_text = self.text(data, "gpu", "target", required=False, limit=40)
            try:
                gpu = GpuSetting.parse(gpu_text)
            except ValueError:
                self.add("target.gpu", ProblemCode.BAD_GPU, gpu_text)
                return None
            slurm_data = self.mapping(data, "slurm", "target", nullable=True)
            return JupyterSpec(
                app=JupyterApp(app_text),
                env=self.text(data, "env", "target", required=False).strip(),
                workdir=self.text(data, "workdir", "target", required=False).strip(),
                gpu=gpu,
                slurm=self.slurm(slurm_data) if slurm_data is not None else None,
            )
        if kind == "remote":
            self.only_keys(data, "target", ("kind", "host", "port"))
            return RemoteForward(
                self.host_name(data, "host", "target"), self.port(data, "port", "target")
            )
        if isinstance(data.get("kind"), str):
            self.add("target.kind", ProblemCode.BAD_CHOICE, "jupyter, remote")
        return None

    def slurm(self, data: Mapping[str, Any]) -> SlurmJob | None:
        prefix = "target.slurm"
        for key, value in data.items():
            if isinstance(value, str):
                self.text(data, key, prefix)  # length and control characters
        options = data.get("extra_options", [])
        if isinstance(options, list) and len(options) > MAX_SLURM_OPTIONS:
            self.add(f"{prefix}.extra_options", ProblemCode.TOO_MANY, str(MAX_SLURM_OPTIONS))
            return None
        for option in options if isinstance(options, list) else []:
            if isinstance(option, str) and (len(option) > MAX_TEXT or _CONTROL.search(option)):
                self.add(f"{prefix}.extra_options", ProblemCode.CONTROL_CHARS)
                return None
        try:
            job = slurm_from_dict(data)
        except ValueError as exc:
            self.add(prefix, ProblemCode.WRONG_TYPE, str(exc).removeprefix("field "))
            return None
        for problem in slurm_problems(job):
            self.add(
                f"{prefix}.{problem.field.removeprefix('slurm_')}", problem.code, problem.value
            )
        return job

    def forwards(self, data: Mapping[str, Any]) -> tuple[NamedForward, ...]:
        """``forwards.N.name`` etc. (N from 1); names unique, as in a profile."""
        if "forwards" not in data:
            return ()
        raw = data["forwards"]
        if not isinstance(raw, list) or not all(isinstance(item, Mapping) for item in raw):
            self.add("forwards", ProblemCode.WRONG_TYPE, "list of objects")
            return ()
        if len(raw) > MAX_FORWARDS:
            self.add("forwards", ProblemCode.TOO_MANY, str(MAX_FORWARDS))
            return ()
        forwards = []
        problems_before = len(self.problems)
        for number, item in enumerate(raw, start=1):
            prefix = f"forwards.{number}"
            self.only_keys(item, prefix, ("name", "host", "port"))
            name = self.text(item, "name", prefix, limit=MAX_FORWARD_NAME).strip()
            if not name and isinstance(item.get("name"), str):
                self.add(f"{prefix}.name", ProblemCode.EMPTY)
            host = self.host_name(item, "host", prefix)
            forwards.append(NamedForward(name, host, self.port(item, "port", prefix)))
        if len(self.problems) == problems_before:  # each one is fine: are they together?
            for problem in forward_problems(forwards):
                self.add("forwards", problem.code, problem.value)
        return tuple(forwards)

    def profile(self, data: Mapping[str, Any]) -> SharedProfile | None:
        """Paths inside ``profile`` leave out the ``profile.`` prefix: ``server.port``."""
        keys: tuple[str, ...] = ("name", "server", "jump", "target")
        if self.version >= FORWARDS_VERSION:
            keys += ("forwards",)
        self.only_keys(data, "", keys)
        name = self.text(data, "name", "", limit=MAX_NAME).strip()
        if not name and isinstance(data.get("name"), str):
            self.add("name", ProblemCode.EMPTY)
        server_data = self.mapping(data, "server", "")
        server = self.host(server_data, "server") if server_data is not None else None
        jump_data = self.mapping(data, "jump", "", nullable=True)
        jump = self.host(jump_data, "jump") if jump_data is not None else None
        target_data = self.mapping(data, "target", "")
        target = self.target(target_data) if target_data is not None else None
        forwards = self.forwards(data) if self.version >= FORWARDS_VERSION else ()
        if server is None or target is None:
            return None
        return SharedProfile(name=name, server=server, target=target, jump=jump, forwards=forwards)


# --- import ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportPlan:
    """What importing adds: ``profile`` (the user's own) and, when the file has a jump
    host, ``jump_profile`` (new, or an existing profile with the same host, user and
    pins that is reused: then ``jump_is_new`` is False)."""

    profile: HostProfile
    jump_profile: HostProfile | None = None
    jump_is_new: bool = False

    @property
    def new_profiles(self) -> list[HostProfile]:
        first = [self.jump_profile] if self.jump_profile is not None and self.jump_is_new else []
        return [*first, self.profile]


def _jump_profile_name(jump: SharedHost, taken: set[str]) -> str:
    base = jump.host if jump.port == 22 else f"{jump.host}:{jump.port}"
    name, number = base, 2
    while name.casefold() in taken:
        name, number = f"{base} ({number})", number + 1
    return name


def plan_import(
    shared: SharedProfile,
    existing: Sequence[HostProfile],
    username: str | None = None,
    *,
    name: str | None = None,
    jump_username: str | None = None,
    auth: AuthMethod = AuthMethod.PASSWORD,
    key_path: str = "",
    check_files: bool = True,
) -> ImportPlan:
    """The profiles a shared file becomes for this user; nothing is saved. The user name
    given wins over one in the file. Raises ProfileInvalid (e.g. no user name, a name
    already taken: pass ``name``)."""
    user = (username or "").strip() or shared.server.username
    jump_profile: HostProfile | None = None
    jump_is_new = False
    if shared.jump is not None:
        jump = shared.jump
        jump_user = (jump_username or "").strip() or jump.username or user
        reusable = [
            p
            for p in existing
            if p.host.strip().casefold() == jump.host.casefold()
            and p.port == jump.port
            and p.username == jump_user
            and p.jump is None
            and set(p.pinned_fingerprints) == set(jump.fingerprints)
        ]
        if reusable:
            jump_profile = reusable[0]
        else:
            jump_is_new = True
            taken = {p.name.strip().casefold() for p in existing}
            taken.add((name or shared.name).strip().casefold())
            jump_profile = HostProfile(
                name=_jump_profile_name(jump, taken),
                host=jump.host,
                port=jump.port,
                username=jump_user,
                auth=auth,
                key_path=key_path,
                pinned_fingerprints=jump.fingerprints,
            )
            validate_profile(jump_profile, existing, check_files)
    profile = HostProfile(
        name=(name or shared.name).strip(),
        host=shared.server.host,
        port=shared.server.port,
        username=user,
        auth=auth,
        key_path=key_path,
        jump=JumpHost(profile_id=jump_profile.id) if jump_profile is not None else None,
        target=shared.target,
        pinned_fingerprints=shared.server.fingerprints,
        forwards=shared.forwards,
    )
    others = [*existing, jump_profile] if jump_is_new and jump_profile else list(existing)
    validate_profile(profile, others, check_files)
    return ImportPlan(profile, jump_profile, jump_is_new)


def import_shared(
    lifecycle: ProfileLifecycle,
    shared: SharedProfile,
    username: str | None = None,
    *,
    password: str | None = None,
    jump_password: str | None = None,
    name: str | None = None,
    jump_username: str | None = None,
    auth: AuthMethod = AuthMethod.PASSWORD,
    key_path: str = "",
) -> ImportPlan:
    """Save the profiles of :func:`plan_import`, all or nothing, with ``password`` in the
    keyring for the server and ``jump_password`` for a new jump host. The file chose that
    jump host, so the server's password goes there only when the person agreed: the
    caller passes it as ``jump_password`` then."""
    plan = plan_import(
        shared,
        lifecycle.store.profiles(),
        username,
        name=name,
        jump_username=jump_username,
        auth=auth,
        key_path=key_path,
    )
    new = []
    for profile in plan.new_profiles:
        secret = jump_password if profile is plan.jump_profile else password
        new.append(NewProfile(profile, {SecretKind.PASSWORD: secret} if secret else {}))
    lifecycle.add_all(new)
    return plan

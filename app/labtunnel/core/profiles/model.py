"""Host profiles: what to connect to and what to forward. Frozen, validated, no secrets."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from enum import Enum
from pathlib import Path
from typing import Any

from labtunnel.core.errors import FieldProblem, ProblemCode, ProfileInvalid
from labtunnel.core.profiles.slurm import SlurmJob, slurm_from_dict, slurm_problems, slurm_to_dict

#: a dead link is noticed after interval x count seconds without a reply (14 s: issue 5
#: asks for 15 at most); probes every 7 s keep an idle tray app under one wake-up a second
DEFAULT_KEEPALIVE_INTERVAL = 7
DEFAULT_KEEPALIVE_COUNT = 2
#: connections one forward serves at once (any local program can connect to the port, and
#: each connection costs a channel on the server): a browser uses a handful, a busy
#: JupyterLab a few dozen
DEFAULT_MAX_CONNECTIONS = 1024
#: channel opens in flight at once (each waits for the server's answer)
DEFAULT_MAX_CHANNEL_OPENS = 32


def _new_id() -> str:
    import uuid  # here: with the platform module it loads, 2 ms of every start otherwise

    return uuid.uuid4().hex


class AuthMethod(str, Enum):
    PASSWORD = "password"
    KEY = "key"
    AGENT = "agent"


class JupyterApp(str, Enum):
    #: JupyterLab when the environment has it, else the Notebook app (the default)
    AUTO = "auto"
    LAB = "lab"
    NOTEBOOK = "notebook"


@dataclass(frozen=True)
class RemoteForward:
    """Forward a fixed ``host:port`` as seen from the server."""

    host: str
    port: int

    def __str__(self) -> str:
        return f"{self.host}:{self.port}"


class GpuMode(str, Enum):
    ANY = "any"  # the least-loaded GPU nvidia-smi shows, picked when Jupyter starts
    ALL = "all"
    NONE = "none"  # no GPU for the notebooks (CUDA_VISIBLE_DEVICES empty)
    FIXED = "fixed"  # the GPUs in ``indices``


@dataclass(frozen=True)
class GpuSetting:
    """Which GPUs a Jupyter that LabTunnel starts may use (its kernels inherit it).

    Written as text: ``any``, ``all``, ``none``, or GPU numbers (``1``, ``0,2``).
    """

    mode: GpuMode = GpuMode.ANY
    indices: tuple[int, ...] = ()

    def __str__(self) -> str:
        if self.mode is GpuMode.FIXED:
            return ",".join(str(i) for i in self.indices)
        return str(self.mode.value)

    @classmethod
    def parse(cls, text: str) -> GpuSetting:
        """``any``/``all``/``none``/``N[,N...]`` (also ``gpu 1``); raises ValueError."""
        value = text.strip().lower()
        if value.startswith("gpu"):
            value = value[3:].strip()
        if value in ("", GpuMode.ANY.value, "free", "auto"):
            return cls()
        if value in (GpuMode.ALL.value, GpuMode.NONE.value):
            return cls(GpuMode(value))
        parts = [p.strip() for p in value.split(",")]
        if not parts or not all(p.isdigit() and len(p) <= 3 for p in parts):
            raise ValueError(f"not a GPU setting: {text!r}")
        return cls(GpuMode.FIXED, tuple(dict.fromkeys(int(p) for p in parts)))


@dataclass(frozen=True)
class JupyterSpec:
    """Find or start the user's own Jupyter on the server and forward to it.

    ``env`` names where Jupyter lives: empty (what the user's terminal there finds, then
    the usual conda places), a conda environment name, a venv directory, or an absolute
    path to ``jupyter``. ``app`` "auto" starts JupyterLab when it is there, else Notebook.
    ``gpu`` applies when LabTunnel starts Jupyter (a running one keeps its GPUs).
    ``slurm`` says where it runs: None on the server itself, else in a Slurm job on a
    compute node of the cluster whose login node the profile connects to (``env`` and
    ``workdir`` then apply inside the job; Slurm hands out the GPUs there, not ``gpu``).
    """

    app: JupyterApp = JupyterApp.AUTO
    env: str = ""
    workdir: str = ""
    gpu: GpuSetting = field(default_factory=GpuSetting)
    slurm: SlurmJob | None = None


Target = RemoteForward | JupyterSpec

#: at most this many extra forwards per profile, and names up to this long
MAX_FORWARDS = 16
MAX_FORWARD_NAME = 40


@dataclass(frozen=True)
class NamedForward:
    """One more address to reach beside the main target (TensorBoard, a dashboard, an
    MLflow UI): ``host:port`` as seen from the server, shown in menus as ``name``. Its
    local port is picked once and remembered, so it stays the same across reconnects."""

    name: str
    host: str
    port: int

    @property
    def remote(self) -> str:
        return str(RemoteForward(self.host, self.port))


@dataclass(frozen=True)
class JumpHost:
    """Where to hop through first (ProxyJump).

    With ``profile_id`` set, the jump uses that profile's host, user, auth and
    secrets; otherwise it uses ``username@host:port`` with this profile's auth.
    """

    host: str = ""
    port: int = 22
    username: str = ""
    profile_id: str | None = None

    def __str__(self) -> str:
        if self.profile_id:
            return f"profile:{self.profile_id}"
        user = f"{self.username}@" if self.username else ""
        return f"{user}{self.host}:{self.port}"


@dataclass(frozen=True)
class HostProfile:
    name: str
    host: str
    username: str
    port: int = 22
    auth: AuthMethod = AuthMethod.PASSWORD
    key_path: str = ""
    jump: JumpHost | None = None
    target: Target = field(default_factory=JupyterSpec)
    local_port: int = 0
    keepalive_interval: int = DEFAULT_KEEPALIVE_INTERVAL
    keepalive_count_max: int = DEFAULT_KEEPALIVE_COUNT
    connect_timeout: int = 15
    max_connections: int = DEFAULT_MAX_CONNECTIONS
    max_channel_opens: int = DEFAULT_MAX_CHANNEL_OPENS
    #: SHA256 fingerprints ("SHA256:...") the host must present; empty = trust on first use
    pinned_fingerprints: tuple[str, ...] = ()
    #: extra named forwards on the same SSH session, beside Jupyter (or the remote target)
    forwards: tuple[NamedForward, ...] = ()
    id: str = field(default_factory=lambda: _new_id())

    def with_changes(self, **changes: Any) -> HostProfile:
        return replace(self, **changes)

    @property
    def is_jupyter(self) -> bool:
        return isinstance(self.target, JupyterSpec)


# --- parsing helpers used by the CLI and the import code ------------------------------

_HOSTNAME = re.compile(r"^[A-Za-z0-9_.\-]+$|^\[?[0-9A-Fa-f:.]+\]?$")
_FINGERPRINT = re.compile(r"^SHA256:[A-Za-z0-9+/]{43}=?$")


def parse_host_port(spec: str, default_port: int) -> tuple[str, int]:
    """``host``, ``host:port``, ``[v6]:port``. Raises ValueError on a bad port."""
    spec = spec.strip()
    if spec.startswith("["):
        host, _, rest = spec[1:].partition("]")
        port_text = rest[1:] if rest.startswith(":") else ""
    elif spec.count(":") == 1:
        host, port_text = spec.split(":")
    else:
        host, port_text = spec, ""
    port = int(port_text) if port_text else default_port
    return host, port


def parse_jump_spec(spec: str) -> JumpHost:
    """``[user@]host[:port]`` -> JumpHost. Raises ValueError."""
    user, sep, rest = spec.strip().rpartition("@")
    host, port = parse_host_port(rest if sep else spec, 22)
    return JumpHost(host=host, port=port, username=user if sep else "")


def is_valid_fingerprint(text: str) -> bool:
    return bool(_FINGERPRINT.match(text))


def parse_forward_spec(spec: str) -> NamedForward:
    """``NAME=HOST:PORT`` (the command line's ``--forward``). Raises ValueError."""
    name, sep, address = spec.partition("=")
    if not sep:
        raise ValueError("expected NAME=HOST:PORT")
    host, port = parse_host_port(address, 0)
    return NamedForward(name.strip(), host.strip(), port)


# --- validation -----------------------------------------------------------------------


def _port_problem(field_name: str, port: int, allow_zero: bool) -> FieldProblem | None:
    low = 0 if allow_zero else 1
    if not isinstance(port, int) or isinstance(port, bool) or not low <= port <= 65535:
        return FieldProblem(field_name, ProblemCode.PORT_OUT_OF_RANGE, str(port))
    return None


def _host_problem(field_name: str, host: str) -> FieldProblem | None:
    if not host.strip():
        return FieldProblem(field_name, ProblemCode.EMPTY)
    if not _HOSTNAME.match(host.strip()):
        return FieldProblem(field_name, ProblemCode.BAD_HOST, host)
    return None


def profile_problems(
    profile: HostProfile,
    others: Iterable[HostProfile] = (),
    check_files: bool = True,
) -> list[FieldProblem]:
    """Every problem with ``profile``, field by field. ``others`` are the other
    stored profiles (for duplicate names and jump references)."""
    problems: list[FieldProblem | None] = []
    others = [o for o in others if o.id != profile.id]
    if not profile.name.strip():
        problems.append(FieldProblem("name", ProblemCode.EMPTY))
    elif any(o.name.strip().casefold() == profile.name.strip().casefold() for o in others):
        problems.append(FieldProblem("name", ProblemCode.DUPLICATE, profile.name))
    problems.append(_host_problem("host", profile.host))
    problems.append(_port_problem("port", profile.port, allow_zero=False))
    if not profile.username.strip():
        problems.append(FieldProblem("username", ProblemCode.EMPTY))
    elif any(c.isspace() for c in profile.username):
        problems.append(FieldProblem("username", ProblemCode.BAD_USERNAME, profile.username))
    if profile.auth is AuthMethod.KEY:
        if not profile.key_path.strip():
            problems.append(FieldProblem("key_path", ProblemCode.EMPTY))
        elif check_files:
            key = Path(profile.key_path).expanduser()
            if not key.exists():
                problems.append(FieldProblem("key_path", ProblemCode.MISSING, profile.key_path))
            elif not key.is_file():
                problems.append(FieldProblem("key_path", ProblemCode.NOT_A_FILE, profile.key_path))
    if profile.jump is not None:
        if profile.jump.profile_id:
            if profile.jump.profile_id == profile.id:
                problems.append(FieldProblem("jump", ProblemCode.SELF_REFERENCE))
            elif not any(o.id == profile.jump.profile_id for o in others):
                problems.append(
                    FieldProblem("jump", ProblemCode.UNKNOWN_PROFILE, profile.jump.profile_id)
                )
        else:
            problems.append(_host_problem("jump", profile.jump.host))
            problems.append(_port_problem("jump", profile.jump.port, allow_zero=False))
    target = profile.target
    if isinstance(target, RemoteForward):
        problems.append(_host_problem("remote", target.host))
        problems.append(_port_problem("remote", target.port, allow_zero=False))
    elif target.gpu.mode is GpuMode.FIXED and not target.gpu.indices:
        problems.append(FieldProblem("gpu", ProblemCode.BAD_GPU, str(target.gpu)))
    if isinstance(target, JupyterSpec) and target.slurm is not None:
        problems += slurm_problems(target.slurm)
    problems.append(_port_problem("local_port", profile.local_port, allow_zero=True))
    if not 1 <= profile.keepalive_interval <= 3600:
        problems.append(
            FieldProblem(
                "keepalive_interval", ProblemCode.OUT_OF_RANGE, str(profile.keepalive_interval)
            )
        )
    if not 1 <= profile.keepalive_count_max <= 100:
        problems.append(
            FieldProblem(
                "keepalive_count_max", ProblemCode.OUT_OF_RANGE, str(profile.keepalive_count_max)
            )
        )
    if not 1 <= profile.connect_timeout <= 600:
        problems.append(
            FieldProblem("connect_timeout", ProblemCode.OUT_OF_RANGE, str(profile.connect_timeout))
        )
    if not 1 <= profile.max_connections <= 65535:
        problems.append(
            FieldProblem("max_connections", ProblemCode.OUT_OF_RANGE, str(profile.max_connections))
        )
    if not 1 <= profile.max_channel_opens <= 1024:
        problems.append(
            FieldProblem(
                "max_channel_opens", ProblemCode.OUT_OF_RANGE, str(profile.max_channel_opens)
            )
        )
    for fingerprint in profile.pinned_fingerprints:
        if not is_valid_fingerprint(fingerprint):
            problems.append(
                FieldProblem("pinned_fingerprints", ProblemCode.BAD_FINGERPRINT, fingerprint)
            )
    problems += forward_problems(profile.forwards)
    return [p for p in problems if p is not None]


_CONTROL_CHARS = re.compile(r"[\x00-\x1f\x7f]")


def forward_problems(forwards: Iterable[NamedForward]) -> list[FieldProblem]:
    """Problems of the extra forwards: ``forward_name`` and ``forward_remote`` fields
    (the value names the forward or the address), ``forwards`` for the list itself."""
    forwards = list(forwards)
    problems: list[FieldProblem | None] = []
    if len(forwards) > MAX_FORWARDS:
        problems.append(FieldProblem("forwards", ProblemCode.TOO_MANY, str(MAX_FORWARDS)))
    seen: set[str] = set()
    for forward in forwards:
        name = forward.name.strip()
        if not name:
            problems.append(FieldProblem("forward_name", ProblemCode.EMPTY))
        elif len(name) > MAX_FORWARD_NAME or _CONTROL_CHARS.search(name):
            problems.append(FieldProblem("forward_name", ProblemCode.BAD_FORWARD_NAME, name[:80]))
        elif name.casefold() in seen:
            problems.append(FieldProblem("forward_name", ProblemCode.DUPLICATE_FORWARD, name))
        seen.add(name.casefold())
        problems.append(_host_problem("forward_remote", forward.host))
        problems.append(_port_problem("forward_remote", forward.port, allow_zero=False))
    return [p for p in problems if p is not None]


def validate_profile(
    profile: HostProfile, others: Iterable[HostProfile] = (), check_files: bool = True
) -> HostProfile:
    problems = profile_problems(profile, others, check_files)
    if problems:
        raise ProfileInvalid(problems)
    return profile


# --- (de)serialisation: plain dicts, the store adds the envelope ----------------------


def profile_to_dict(profile: HostProfile) -> dict[str, Any]:
    target: dict[str, Any]
    if isinstance(profile.target, RemoteForward):
        target = {"kind": "remote", "host": profile.target.host, "port": profile.target.port}
    else:
        target = {
            "kind": "jupyter",
            "app": profile.target.app.value,
            "env": profile.target.env,
            "workdir": profile.target.workdir,
            "gpu": str(profile.target.gpu),
        }
        if profile.target.slurm is not None:
            target["slurm"] = slurm_to_dict(profile.target.slurm)
    jump: dict[str, Any] | None = None
    if profile.jump is not None:
        jump = {
            "host": profile.jump.host,
            "port": profile.jump.port,
            "username": profile.jump.username,
            "profile_id": profile.jump.profile_id,
        }
    return {
        "id": profile.id,
        "name": profile.name,
        "host": profile.host,
        "port": profile.port,
        "username": profile.username,
        "auth": profile.auth.value,
        "key_path": profile.key_path,
        "jump": jump,
        "target": target,
        "local_port": profile.local_port,
        "keepalive_interval": profile.keepalive_interval,
        "keepalive_count_max": profile.keepalive_count_max,
        "connect_timeout": profile.connect_timeout,
        "max_connections": profile.max_connections,
        "max_channel_opens": profile.max_channel_opens,
        "pinned_fingerprints": list(profile.pinned_fingerprints),
        "forwards": [forward_to_dict(f) for f in profile.forwards],
    }


def forward_to_dict(forward: NamedForward) -> dict[str, Any]:
    return {"name": forward.name, "host": forward.host, "port": forward.port}


_MISSING = object()


def _expect(
    data: Mapping[str, Any], key: str, kind: type | tuple[type, ...], default: Any = _MISSING
) -> Any:
    if key not in data:
        if default is _MISSING:
            raise ValueError(f"missing field {key!r}")
        return default
    value = data[key]
    kinds = kind if isinstance(kind, tuple) else (kind,)
    wrong_bool = isinstance(value, bool) and bool not in kinds
    if wrong_bool or not isinstance(value, kinds):
        names = " or ".join("null" if k is type(None) else k.__name__ for k in kinds)
        raise ValueError(f"field {key!r} must be {names}")
    return value


def profile_from_dict(data: Any) -> HostProfile:
    """Build a profile from stored data. Raises ValueError naming the bad field."""
    if not isinstance(data, Mapping):
        raise ValueError("a profile must be an object")
    target_data = _expect(data, "target", Mapping, {"kind": "jupyter"})
    kind = _expect(target_data, "kind", str)
    target: Target
    if kind == "remote":
        target = RemoteForward(_expect(target_data, "host", str), _expect(target_data, "port", int))
    elif kind == "jupyter":
        try:
            # files older than "auto" always name their app; one that names none meant lab
            app = JupyterApp(_expect(target_data, "app", str, "lab"))
        except ValueError as exc:
            raise ValueError("field 'app' must be 'auto', 'lab' or 'notebook'") from exc
        try:
            gpu = GpuSetting.parse(_expect(target_data, "gpu", str, "any"))
        except ValueError as exc:
            raise ValueError("field 'gpu' must be any, all, none or GPU numbers") from exc
        slurm_data = _expect(target_data, "slurm", (Mapping, type(None)), None)
        target = JupyterSpec(
            app=app,
            env=_expect(target_data, "env", str, ""),
            workdir=_expect(target_data, "workdir", str, ""),
            gpu=gpu,
            slurm=slurm_from_dict(slurm_data) if slurm_data is not None else None,
        )
    else:
        raise ValueError(f"unknown target kind {kind!r}")
    jump_data = _expect(data, "jump", (Mapping, type(None)), None)
    jump = None
    if jump_data is not None:
        profile_ref = _expect(jump_data, "profile_id", (str, type(None)), None)
        jump = JumpHost(
            host=_expect(jump_data, "host", str, ""),
            port=_expect(jump_data, "port", int, 22),
            username=_expect(jump_data, "username", str, ""),
            profile_id=profile_ref,
        )
    try:
        auth = AuthMethod(_expect(data, "auth", str, "password"))
    except ValueError as exc:
        raise ValueError("field 'auth' must be password, key or agent") from exc
    pins = _expect(data, "pinned_fingerprints", list, [])
    if not all(isinstance(p, str) for p in pins):
        raise ValueError("field 'pinned_fingerprints' must be a list of strings")
    forwards_data = _expect(data, "forwards", list, [])
    forwards = []
    for item in forwards_data:
        if not isinstance(item, Mapping):
            raise ValueError("field 'forwards' must be a list of objects")
        forwards.append(
            NamedForward(
                _expect(item, "name", str), _expect(item, "host", str), _expect(item, "port", int)
            )
        )
    profile_id = _expect(data, "id", str)
    if not profile_id:
        raise ValueError("field 'id' must not be empty")
    return HostProfile(
        id=profile_id,
        name=_expect(data, "name", str),
        host=_expect(data, "host", str),
        port=_expect(data, "port", int, 22),
        username=_expect(data, "username", str),
        auth=auth,
        key_path=_expect(data, "key_path", str, ""),
        jump=jump,
        target=target,
        local_port=_expect(data, "local_port", int, 0),
        keepalive_interval=_expect(data, "keepalive_interval", int, DEFAULT_KEEPALIVE_INTERVAL),
        keepalive_count_max=_expect(data, "keepalive_count_max", int, DEFAULT_KEEPALIVE_COUNT),
        connect_timeout=_expect(data, "connect_timeout", int, 15),
        max_connections=_expect(data, "max_connections", int, DEFAULT_MAX_CONNECTIONS),
        max_channel_opens=_expect(data, "max_channel_opens", int, DEFAULT_MAX_CHANNEL_OPENS),
        pinned_fingerprints=tuple(pins),
        forwards=tuple(forwards),
    )

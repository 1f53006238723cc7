"""Typed errors raised by the core.

Each error carries data (host, port, fingerprints...) and never a secret. The
text of ``str(error)`` is a short technical description for logs; sentences
meant for people are made from the data by :mod:`labtunnel.messages`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum


class LabTunnelError(Exception):
    """Base of every error the core raises on purpose."""

    #: Retrying the same thing cannot help (wrong password, changed host key...).
    permanent: bool = False


# --- configuration: profiles, store, secrets -------------------------------------------


class ProblemCode(str, Enum):
    """What is wrong with one field of a profile or of a lab profile file."""

    EMPTY = "empty"
    DUPLICATE = "duplicate"
    BAD_HOST = "bad_host"
    PORT_OUT_OF_RANGE = "port_out_of_range"
    MISSING = "missing"
    NOT_A_FILE = "not_a_file"
    BAD_USERNAME = "bad_username"
    SELF_REFERENCE = "self_reference"
    UNKNOWN_PROFILE = "unknown_profile"
    CYCLE = "cycle"
    OUT_OF_RANGE = "out_of_range"
    NOT_JUPYTER = "not_jupyter"
    BAD_FINGERPRINT = "bad_fingerprint"
    NOT_TEXT = "not_text"
    NOT_JSON = "not_json"
    NOT_LABTUNNEL = "not_labtunnel"
    REQUIRED = "required"
    WRONG_TYPE = "wrong_type"
    UNKNOWN_FIELD = "unknown_field"
    DUPLICATE_KEY = "duplicate_key"
    TOO_LONG = "too_long"
    TOO_MANY = "too_many"
    CONTROL_CHARS = "control_chars"
    BAD_CHOICE = "bad_choice"
    BAD_DIGEST = "bad_digest"
    BAD_GPU = "bad_gpu"
    BAD_SLURM_NAME = "bad_slurm_name"
    BAD_MEMORY = "bad_memory"
    BAD_TIME = "bad_time"
    BAD_OPTION = "bad_option"
    RESERVED_OPTION = "reserved_option"
    #: extra forwards (TensorBoard...): two with one name, a bad name, a bad NAME=HOST:PORT,
    #: and removing one that is not there
    DUPLICATE_FORWARD = "duplicate_forward"
    BAD_FORWARD_NAME = "bad_forward_name"
    BAD_FORWARD = "bad_forward"
    NO_SUCH_FORWARD = "no_such_forward"


@dataclass(frozen=True)
class FieldProblem:
    """One invalid field of a profile: ``code`` says what is wrong with it."""

    field: str
    code: ProblemCode
    value: str = ""

    def __post_init__(self) -> None:
        # a plain string with a known code's value is taken as that code
        object.__setattr__(self, "code", ProblemCode(self.code))


class ProfileInvalid(LabTunnelError):
    permanent = True

    def __init__(self, problems: Sequence[FieldProblem]) -> None:
        self.problems = tuple(problems)
        super().__init__(
            "invalid profile: " + ", ".join(f"{p.field}={p.code}" for p in self.problems)
        )


class ProfileNotFound(LabTunnelError):
    permanent = True

    def __init__(self, name: str) -> None:
        self.name = name
        super().__init__(f"no profile named {name!r}")


class ProfileStoreCorrupt(LabTunnelError):
    """The profile file cannot be read; it was kept untouched (and copied aside)."""

    permanent = True

    def __init__(self, path: str, detail: str, backup_path: str | None = None) -> None:
        self.path = path
        self.detail = detail
        self.backup_path = backup_path
        super().__init__(f"profile file {path} is unreadable: {detail}")


class ProfileStoreTooNew(LabTunnelError):
    permanent = True

    def __init__(self, path: str, found_version: int, supported_version: int) -> None:
        self.path = path
        self.found_version = found_version
        self.supported_version = supported_version
        super().__init__(
            f"profile file {path} has schema version {found_version}; "
            f"this LabTunnel reads up to {supported_version}"
        )


class ProfileStoreLocked(LabTunnelError):
    """Saving is refused because the file on disk was not loaded cleanly."""

    permanent = True

    def __init__(self, path: str) -> None:
        self.path = path
        super().__init__(f"refusing to overwrite {path}: it could not be loaded")


class ProfileFileUnwritable(LabTunnelError):
    permanent = True

    def __init__(self, path: str, detail: str) -> None:
        self.path = path
        self.detail = detail
        super().__init__(f"cannot write {path}: {detail}")


class SecretStoreUnavailable(LabTunnelError):
    """No usable OS keyring (no backend, or only an insecure plaintext one)."""

    permanent = True

    def __init__(self, backend: str, detail: str = "") -> None:
        self.backend = backend
        self.detail = detail
        super().__init__(f"no usable keyring (backend {backend}): {detail}".rstrip(": "))


class SecretStoreLocked(LabTunnelError):
    """The keyring is locked or the unlock prompt was dismissed."""

    permanent = True

    def __init__(self, detail: str = "") -> None:
        self.detail = detail
        super().__init__(f"keyring is locked: {detail}".rstrip(": "))


class SecretMissing(LabTunnelError):
    """A password or passphrase the profile needs is not in the keyring."""

    permanent = True

    def __init__(self, profile_name: str, kind: str) -> None:
        self.profile_name = profile_name
        self.kind = kind
        super().__init__(f"no {kind} stored for profile {profile_name!r}")


# --- reaching the host ----------------------------------------------------------------


class NetworkError(LabTunnelError):
    """Base for failures to reach the host; these are worth retrying."""

    def __init__(self, host: str, port: int, message: str) -> None:
        self.host = host
        self.port = port
        super().__init__(message)


class DnsFailure(NetworkError):
    def __init__(self, host: str, port: int) -> None:
        super().__init__(host, port, f"host name {host!r} could not be resolved")


class HostUnreachable(NetworkError):
    def __init__(self, host: str, port: int, detail: str = "") -> None:
        self.detail = detail
        super().__init__(host, port, f"{host}:{port} is unreachable {detail}".rstrip())


class ConnectionRefused(NetworkError):
    def __init__(self, host: str, port: int) -> None:
        super().__init__(host, port, f"{host}:{port} refused the connection")


class ConnectTimeout(NetworkError):
    def __init__(self, host: str, port: int, seconds: float) -> None:
        self.seconds = seconds
        super().__init__(host, port, f"no answer from {host}:{port} within {seconds:g} s")


class SessionLost(NetworkError):
    """An established session died (dead peer, reset, server closed it)."""

    def __init__(self, host: str, port: int, detail: str = "") -> None:
        self.detail = detail
        super().__init__(host, port, f"connection to {host}:{port} was lost {detail}".rstrip())


class HandshakeProblem(str, Enum):
    """A :class:`ProtocolError` LabTunnel can say more about than paramiko's words."""

    NO_SSH_BANNER = "no_ssh_banner"  # not an SSH server on that port
    CLOSED_DURING_HANDSHAKE = "closed_during_handshake"


class ProtocolError(NetworkError):
    """The peer does not speak SSH, or closed the session during the handshake;
    ``detail`` is a :class:`HandshakeProblem` or paramiko's words."""

    def __init__(self, host: str, port: int, detail: HandshakeProblem | str) -> None:
        self.detail = detail
        super().__init__(host, port, f"SSH handshake with {host}:{port} failed: {detail}")


class ConnectCancelled(NetworkError):
    """The connect was stopped while under way (the person disconnected or quit)."""

    permanent = True

    def __init__(self, host: str, port: int) -> None:
        super().__init__(host, port, f"connecting to {host}:{port} was stopped")


class JumpHostFailed(LabTunnelError):
    """Reaching the target through the jump host failed; ``cause`` says why."""

    def __init__(self, jump_host: str, target_host: str, cause: LabTunnelError) -> None:
        self.jump_host = jump_host
        self.target_host = target_host
        self.cause = cause
        self.permanent = cause.permanent
        super().__init__(f"via jump host {jump_host} to {target_host}: {cause}")


# --- host keys ------------------------------------------------------------------------


class HostKeyUnknown(LabTunnelError):
    """First connection to a host: the user must accept its key (or pin it)."""

    permanent = True

    def __init__(
        self, host: str, port: int, key_type: str, fingerprint: str, key_base64: str
    ) -> None:
        self.host = host
        self.port = port
        self.key_type = key_type
        self.fingerprint = fingerprint
        #: the public key itself, so the caller can trust exactly what was shown
        self.key_base64 = key_base64
        super().__init__(f"unknown {key_type} host key for {host}:{port}: {fingerprint}")


class HostKeyChanged(LabTunnelError):
    """The host presented a key other than the one trusted or pinned: refused."""

    permanent = True

    def __init__(
        self,
        host: str,
        port: int,
        key_type: str,
        expected_fingerprints: Sequence[str],
        actual_fingerprint: str,
        source: str,
    ) -> None:
        self.host = host
        self.port = port
        self.key_type = key_type
        self.expected_fingerprints = tuple(expected_fingerprints)
        self.actual_fingerprint = actual_fingerprint
        #: where the expected key came from: "pinned", "labtunnel", or a known_hosts path
        self.source = source
        super().__init__(
            f"host key for {host}:{port} changed: expected "
            f"{', '.join(self.expected_fingerprints)} ({source}), got {key_type} "
            f"{actual_fingerprint}"
        )


class HostKeyTypeChanged(HostKeyChanged):
    """A known host showed a key of a type it is not known by (known by ed25519, now
    RSA): a downgrade a man in the middle could use, so refused like a changed key."""

    def __init__(
        self,
        host: str,
        port: int,
        key_type: str,
        known_key_types: Sequence[str],
        expected_fingerprints: Sequence[str],
        actual_fingerprint: str,
        source: str,
    ) -> None:
        self.known_key_types = tuple(known_key_types)
        super().__init__(host, port, key_type, expected_fingerprints, actual_fingerprint, source)


class PinConflict(HostKeyChanged):
    """A profile pins the key the server showed (e.g. from a lab profile file), but
    another key of the host is already trusted: a pin never overrides trust."""


class KnownHostsUnreadable(LabTunnelError):
    """LabTunnel's own list of trusted host keys cannot be read (``detail``: the system's
    reason), or is ``damaged`` (not one line of it could be read): no key can be checked."""

    permanent = True

    def __init__(self, path: str, detail: str = "", damaged: bool = False) -> None:
        self.path = path
        self.detail = detail
        self.damaged = damaged
        super().__init__(f"known hosts file {path} is unreadable: {detail or 'damaged'}")


def unknown_host_key(error: BaseException) -> HostKeyUnknown | None:
    """The unknown host key behind ``error``, also when it is a jump host's."""
    while isinstance(error, JumpHostFailed):
        error = error.cause
    return error if isinstance(error, HostKeyUnknown) else None


# --- authentication -------------------------------------------------------------------


class AuthFailed(LabTunnelError):
    permanent = True

    def __init__(self, host: str, username: str, methods_tried: Sequence[str]) -> None:
        self.host = host
        self.username = username
        self.methods_tried = tuple(methods_tried)
        super().__init__(
            f"authentication as {username!r} on {host} failed "
            f"(tried: {', '.join(self.methods_tried) or 'nothing'})"
        )


class AuthMethodNotAllowed(LabTunnelError):
    permanent = True

    def __init__(self, host: str, method: str, allowed: Sequence[str]) -> None:
        self.host = host
        self.method = method
        self.allowed = tuple(allowed)
        super().__init__(
            f"{host} does not accept {method} login (it allows: {', '.join(self.allowed)})"
        )


class KeyFileError(LabTunnelError):
    permanent = True

    def __init__(self, path: str, message: str) -> None:
        self.path = path
        super().__init__(message)


class KeyFileMissing(KeyFileError):
    def __init__(self, path: str) -> None:
        super().__init__(path, f"key file {path} does not exist")


class KeyFileUnreadable(KeyFileError):
    def __init__(self, path: str, detail: str) -> None:
        self.detail = detail
        super().__init__(path, f"key file {path} cannot be read: {detail}")


class KeyUnsupported(str, Enum):
    PUBLIC_KEY = "public_key"
    PUTTY_PPK = "putty_ppk"
    #: none of the formats paramiko reads (``detail`` names what failed)
    UNKNOWN_FORMAT = "unknown_format"


class KeyFileUnsupported(KeyFileError):
    def __init__(self, path: str, kind: KeyUnsupported, detail: str = "") -> None:
        self.kind = kind = KeyUnsupported(kind)
        self.detail = detail
        super().__init__(
            path, f"key file {path} is not a supported private key: {detail or kind.value}"
        )


class KeyPassphraseNeeded(KeyFileError):
    def __init__(self, path: str) -> None:
        super().__init__(path, f"key file {path} is encrypted and no passphrase is stored")


class KeyPassphraseWrong(KeyFileError):
    def __init__(self, path: str) -> None:
        super().__init__(path, f"the stored passphrase does not decrypt key file {path}")


class AgentUnavailable(LabTunnelError):
    permanent = True

    def __init__(self, detail: str = "") -> None:
        self.detail = detail
        super().__init__(f"no SSH agent is running {detail}".rstrip())


class AgentHasNoKeys(LabTunnelError):
    permanent = True

    def __init__(self) -> None:
        super().__init__("the SSH agent holds no keys")


class OneTimeCodeCancelled(LabTunnelError):
    """The server asked for a one-time code and the user gave none."""

    permanent = True

    def __init__(self, host: str) -> None:
        self.host = host
        super().__init__(f"one-time code for {host} was not given")


class OneTimeCodeRefused(LabTunnelError):
    """The server asked for a one-time code, the user gave one, and the login failed."""

    permanent = True

    def __init__(self, host: str, username: str) -> None:
        self.host = host
        self.username = username
        super().__init__(f"the login as {username!r} on {host} failed after a one-time code")


# --- forwarding -----------------------------------------------------------------------


class LocalPortInUse(LabTunnelError):
    permanent = True

    def __init__(self, port: int, address: str = "127.0.0.1") -> None:
        self.port = port
        self.address = address
        super().__init__(f"local port {address}:{port} is already in use")


class LocalPortDenied(LabTunnelError):
    permanent = True

    def __init__(self, port: int, detail: str = "") -> None:
        self.port = port
        self.detail = detail
        super().__init__(f"not allowed to listen on local port {port} {detail}".rstrip())


class ForwardRefusal(str, Enum):
    #: forwarding is disabled on the server (permanent)
    PROHIBITED = "prohibited"
    #: nothing listens at the destination
    CONNECT_FAILED = "connect_failed"
    #: the channel opens but Jupyter does not answer through it
    NOT_ANSWERING = "not_answering"
    #: any other refusal
    REFUSED = "refused"


class ForwardingRefused(LabTunnelError):
    """The server refused to open a channel to the destination (``reason`` says how)."""

    def __init__(self, host: str, dest_host: str, dest_port: int, reason: ForwardRefusal) -> None:
        reason = ForwardRefusal(reason)
        self.permanent = reason is ForwardRefusal.PROHIBITED
        self.host = host
        self.dest_host = dest_host
        self.dest_port = dest_port
        self.reason = reason
        super().__init__(f"{host} refused to forward to {dest_host}:{dest_port} ({reason.value})")


class SocketRefusal(str, Enum):
    #: OpenSSH gives one answer for "forwarding to Unix sockets is off" and "nothing
    #: listens there / no permission"
    REFUSED = "refused"
    #: the SSH server has no such channel type (Dropbear)
    UNSUPPORTED = "unsupported"
    #: this paramiko cannot open one (the probe switched it off)
    CLIENT = "client"


class SocketForwardingRefused(LabTunnelError):
    """The server did not open a channel to a Unix socket on it (``reason`` says how)."""

    def __init__(self, host: str, path: str, reason: SocketRefusal) -> None:
        reason = SocketRefusal(reason)
        self.host = host
        self.path = path
        self.reason = reason
        super().__init__(
            f"{host} did not open a channel to the Unix socket {path} ({reason.value})"
        )


class RemoteCommandFailed(LabTunnelError):
    def __init__(self, command: str, exit_status: int, stderr_tail: str) -> None:
        self.command = command
        self.exit_status = exit_status
        self.stderr_tail = stderr_tail
        super().__init__(f"remote command {command!r} exited {exit_status}: {stderr_tail}")


class RemoteCommandTimeout(LabTunnelError):
    def __init__(self, command: str, seconds: float) -> None:
        self.command = command
        self.seconds = seconds
        super().__init__(f"remote command {command!r} gave no result within {seconds:g} s")


# --- Jupyter --------------------------------------------------------------------------


class JupyterMissing(str, Enum):
    """Why no usable ``jupyter`` was found (as the server-side scripts report it)."""

    NOT_ON_PATH = "not_on_path"
    ENV_MISSING = "env_missing"
    NOT_EXECUTABLE = "not_executable"
    CONDA_MISSING = "conda_missing"
    CONDA_ENV_MISSING = "conda_env_missing"
    ENV_HAS_NO_JUPYTER = "env_has_no_jupyter"
    JUPYTER_BROKEN = "jupyter_broken"


class JupyterNotFound(LabTunnelError):
    """No usable ``jupyter`` in the environment the profile names.

    ``reason`` says what is missing. ``search_path`` is the PATH the user's terminal
    has there; ``shell`` is their login shell and ``shell_mode`` how it could be
    started for that (``terminal``: interactive + login, ``login``, ``none``);
    ``candidates`` are ``jupyter`` executables found in usual places on the server (to
    suggest for the profile's environment); ``detail`` is the end of the failing
    command's output (jupyter_broken). ``job_id`` is set when it was looked for inside
    a Slurm job (``log_tail``: the job log's end).
    """

    permanent = True

    def __init__(
        self,
        command_tried: str,
        env: str,
        reason: JupyterMissing,
        search_path: str = "",
        candidates: Sequence[str] = (),
        detail: str = "",
        job_id: int | None = None,
        log_tail: str = "",
        shell: str = "",
        shell_mode: str = "",
    ) -> None:
        self.command_tried = command_tried
        self.env = env
        self.reason = reason = JupyterMissing(reason)
        self.search_path = search_path
        self.candidates = tuple(candidates)
        self.detail = detail
        self.job_id = job_id
        self.log_tail = log_tail
        self.shell = shell
        self.shell_mode = shell_mode
        super().__init__(f"jupyter not found ({reason.value}): tried {command_tried!r} env={env!r}")


class JupyterEnvUnsafe(LabTunnelError):
    """A warning, never raised: the Jupyter LabTunnel runs is outside the user's home,
    at ``path`` (or below it) that other users can change (a folder they may write to or
    own), so they decide what runs as this user. ``env`` is the profile's environment."""

    def __init__(self, path: str, env: str) -> None:
        self.path = path
        self.env = env
        super().__init__(f"jupyter environment {env!r}: {path} can be changed by other users")


class JupyterStartProblem(str, Enum):
    TIMEOUT = "timeout"
    EXITED = "exited"
    #: ``jupyter lab``/``notebook`` is not installed in that environment (``app``: which)
    APP_MISSING = "app_missing"
    WORKDIR_MISSING = "workdir_missing"
    NO_PYTHON = "no_python"
    #: LabTunnel's log folder on the server (``log_path``) is a symlink or not the user's
    LOG_DIR_UNSAFE = "log_dir_unsafe"
    LAUNCH_FAILED = "launch_failed"


class JupyterStartFailed(LabTunnelError):
    """Jupyter was launched but did not come up (``reason`` says how).

    ``log_tail`` is the end of its log on the server with tokens redacted.
    """

    def __init__(
        self,
        reason: JupyterStartProblem,
        log_tail: str = "",
        log_path: str = "",
        seconds: float | None = None,
        workdir: str = "",
        app: str = "",
    ) -> None:
        self.reason = reason = JupyterStartProblem(reason)
        self.log_tail = log_tail
        self.log_path = log_path
        self.seconds = seconds
        self.workdir = workdir
        self.app = app
        super().__init__(f"jupyter did not start ({reason.value}); log {log_path or '-'}")


class JupyterNotResponding(LabTunnelError):
    """Jupyter is listed (its process runs) but does not answer HTTP."""

    def __init__(self, host: str, port: int, detail: str = "") -> None:
        self.host = host
        self.port = port
        self.detail = detail
        super().__init__(f"jupyter at {host}:{port} does not answer {detail}".rstrip())


class JupyterNotRunning(LabTunnelError):
    """The server is no longer listed for this user (stopped, crashed, or not ours)."""

    def __init__(self, pid: int | None, port: int) -> None:
        self.pid = pid
        self.port = port
        super().__init__(f"no jupyter of this user with pid {pid} on port {port}")


class JupyterStopFailed(LabTunnelError):
    """Neither the REST shutdown nor signals stopped the server."""

    def __init__(self, pid: int | None, port: int, detail: str = "") -> None:
        self.pid = pid
        self.port = port
        self.detail = detail
        super().__init__(f"could not stop jupyter pid {pid} port {port} {detail}".rstrip())


# --- Slurm: Jupyter in a batch job on a cluster ---------------------------------------


class SlurmNotAvailable(LabTunnelError):
    """The server the profile logs in to has no Slurm commands (sbatch, squeue)."""

    permanent = True

    def __init__(self, host: str) -> None:
        self.host = host
        super().__init__(f"no sbatch/squeue on {host}")


class SlurmRefusal(str, Enum):
    """Why Slurm will not run a job: what sbatch said, or a pending reason that never clears."""

    UNKNOWN_PARTITION = "unknown_partition"
    TIME_LIMIT = "time_limit"
    RESOURCES = "resources"
    MEMORY = "memory"
    CPUS = "cpus"
    GPUS = "gpus"
    ACCOUNT = "account"
    QOS = "qos"
    POLICY = "policy"
    CONTROLLER = "controller"
    NEVER_RUNS = "never_runs"
    OTHER = "other"


class JobEnd(str, Enum):
    """Why a Slurm job ended, from its final state."""

    TIME_LIMIT = "time_limit"
    CANCELLED = "cancelled"
    PREEMPTED = "preempted"
    NODE_FAILURE = "node_failure"
    OUT_OF_MEMORY = "out_of_memory"
    FAILED = "failed"
    #: Jupyter itself exited (shut down from its own menu)
    FINISHED = "finished"
    UNKNOWN = "unknown"


class SlurmSubmitRefused(LabTunnelError):
    """sbatch refused the job, or Slurm holds it with a reason that can never clear
    (NEVER_RUNS: ``detail`` is that reason). ``detail`` is Slurm's own text; ``partitions``
    the cluster's partitions (for suggestions), ``job_id`` set when a pending job was
    cancelled because it could never start.
    """

    permanent = True

    def __init__(
        self,
        reason: SlurmRefusal,
        detail: str = "",
        partition: str = "",
        partitions: Sequence[str] = (),
        job_id: int | None = None,
    ) -> None:
        self.reason = reason = SlurmRefusal(reason)
        self.detail = detail
        self.partition = partition
        self.partitions = tuple(partitions)
        self.job_id = job_id
        super().__init__(f"sbatch refused the job ({reason.value}): {detail}")


class SlurmJobEnded(LabTunnelError):
    """The job that ran (or was to run) Jupyter is over; ``reason`` says why.
    ``at_start``: it ended before Jupyter answered (``log_tail`` then says why).
    """

    permanent = True

    def __init__(
        self,
        job_id: int,
        reason: JobEnd,
        state: str = "",
        node: str = "",
        log_tail: str = "",
        at_start: bool = False,
    ) -> None:
        self.job_id = job_id
        self.reason = reason = JobEnd(reason)
        self.state = state
        self.node = node
        self.log_tail = log_tail
        self.at_start = at_start
        super().__init__(f"slurm job {job_id} ended ({reason.value}, {state or '?'})")


# --- sharing / import -----------------------------------------------------------------


class ShareFileUnreadable(LabTunnelError):
    """A lab profile file (``.labtunnel``) cannot be read or written: missing, no access."""

    permanent = True

    def __init__(self, path: str, detail: str) -> None:
        self.path = path
        self.detail = detail
        super().__init__(f"lab profile file {path} cannot be used: {detail}")


class ShareFileTooLarge(LabTunnelError):
    """Far bigger than any lab profile: the wrong file was chosen."""

    permanent = True

    def __init__(self, path: str, size: int, limit: int) -> None:
        self.path = path
        self.size = size
        self.limit = limit
        super().__init__(f"lab profile file {path} has {size} bytes; the limit is {limit}")


class ShareFileMalformed(LabTunnelError):
    """Not a lab profile LabTunnel can use. ``problems`` name the fields by their dotted
    path in the file (``server.port``, ``target.app``...); ``file`` is the file as a whole,
    e.g. ``not_json``."""

    permanent = True

    def __init__(self, path: str, problems: Sequence[FieldProblem]) -> None:
        self.path = path
        self.problems = tuple(problems)
        super().__init__(
            f"lab profile file {path} is malformed: "
            + ", ".join(f"{p.field}={p.code}" for p in self.problems)
        )


class ShareDamage(str, Enum):
    #: the file ends too early
    TRUNCATED = "truncated"
    #: changed after export
    DIGEST_MISMATCH = "digest_mismatch"


class ShareFileDamaged(LabTunnelError):
    """The file's integrity digest does not match its content (``reason`` says how).
    The digest catches damage and edits, it is not a signature."""

    permanent = True

    def __init__(self, path: str, reason: ShareDamage) -> None:
        self.path = path
        self.reason = reason = ShareDamage(reason)
        super().__init__(f"lab profile file {path} is damaged ({reason.value})")


class ShareFileTooNew(LabTunnelError):
    permanent = True

    def __init__(self, path: str, found_version: int, supported_version: int) -> None:
        self.path = path
        self.found_version = found_version
        self.supported_version = supported_version
        super().__init__(
            f"lab profile file {path} has format version {found_version}; "
            f"this LabTunnel reads up to {supported_version}"
        )


class HostRole(str, Enum):
    SERVER = "server"
    JUMP = "jump"


class ShareHostKeyUnknown(LabTunnelError):
    """Export refused: no trusted or pinned key is known for the server or its jump host
    (``role``), so there is nothing to pin."""

    permanent = True

    def __init__(self, profile_name: str, host: str, port: int, role: HostRole) -> None:
        self.profile_name = profile_name
        self.host = host
        self.port = port
        self.role = role = HostRole(role)
        super().__init__(f"no known host key for {role.value} {host}:{port} of {profile_name!r}")


class ShareUnsupportedProfile(LabTunnelError):
    """This profile cannot be put into a lab profile file. ``reason``: ``jump_chain``
    (its jump host itself goes through another jump host)."""

    permanent = True

    def __init__(self, profile_name: str, reason: str) -> None:
        self.profile_name = profile_name
        self.reason = reason
        super().__init__(f"profile {profile_name!r} cannot be shared ({reason})")


class SshConfigUnreadable(LabTunnelError):
    """The OpenSSH client config cannot be read or parsed."""

    permanent = True

    def __init__(self, path: str, detail: str) -> None:
        self.path = path
        self.detail = detail
        super().__init__(f"SSH config {path} cannot be read: {detail}")


# --- switching a profile from its password to a key -----------------------------------


class KeyAction(str, Enum):
    USE_KEY = "use_key"
    REMOVE_KEY = "remove_key"
    FORGET_PASSWORD = "forget_password"


class KeySetupNotApplicable(LabTunnelError):
    """``action`` does not fit how the profile signs in (``auth``): use-key needs a
    password profile, remove-key and forget-password a key profile."""

    permanent = True

    def __init__(self, profile_name: str, auth: str, action: KeyAction) -> None:
        self.profile_name = profile_name
        self.auth = auth
        self.action = action = KeyAction(action)
        super().__init__(f"profile {profile_name!r} signs in with {auth}: no {action.value}")


class KeyLoginNotAllowed(LabTunnelError):
    """The server offers no public key login (``PubkeyAuthentication no``, or an
    ``AuthenticationMethods`` list without a key first): nothing was changed."""

    permanent = True

    def __init__(self, host: str, allowed: Sequence[str]) -> None:
        self.host = host
        self.allowed = tuple(allowed)
        super().__init__(f"{host} offers no key login (it allows: {', '.join(self.allowed)})")


class KeyNotEnough(LabTunnelError):
    """The server took the key but still wants the password (``AuthenticationMethods
    publickey,password``): a key would not spare it. The key was taken off again."""

    permanent = True

    def __init__(self, host: str, remaining: Sequence[str]) -> None:
        self.host = host
        self.remaining = tuple(remaining)
        super().__init__(f"{host} wants more than the key: {', '.join(self.remaining)}")


class KeyNotAccepted(LabTunnelError):
    """The key was added to authorized_keys and still refused, with nothing wrong in the
    file modes LabTunnel can see (keys kept elsewhere: AuthorizedKeysFile). The key was
    taken off again."""

    permanent = True

    def __init__(self, host: str, path: str) -> None:
        self.host = host
        self.path = path
        super().__init__(f"{host} refused the key added to {path}")


class StrictModesProblem(str, Enum):
    WRITABLE = "writable"  # by others
    OWNER = "owner"  # someone else's


class KeyRefusedByModes(LabTunnelError):
    """sshd's StrictModes ignores authorized_keys because ``path`` (the home folder,
    ~/.ssh or the file) is writable by others or owned by someone else. ``mode`` is as
    ``ls -l`` shows it. The key was taken off again."""

    permanent = True

    def __init__(self, host: str, path: str, mode: str, problem: StrictModesProblem) -> None:
        self.host = host
        self.path = path
        self.mode = mode
        self.problem = problem = StrictModesProblem(problem)
        super().__init__(f"{host}: StrictModes refuses keys: {path} is {mode} ({problem.value})")


class AuthorizedKeysProblem(str, Enum):
    READ_ONLY = "read_only"
    FULL = "full"
    NO_PERMISSION = "no_permission"
    #: authorized_keys is a symbolic link: replacing it would cut the link
    SYMLINK = "symlink"
    NO_HOME = "no_home"
    OTHER = "other"


class AuthorizedKeysUnwritable(LabTunnelError):
    """``~/.ssh/authorized_keys`` on the server could not be changed; nothing was.
    ``detail`` is the server's own message (English, LC_ALL=C)."""

    permanent = True

    def __init__(self, host: str, path: str, problem: AuthorizedKeysProblem, detail: str) -> None:
        self.host = host
        self.path = path
        self.problem = problem = AuthorizedKeysProblem(problem)
        self.detail = detail
        super().__init__(f"cannot change {path} on {host} ({problem.value}): {detail}")


class PasswordLoginFailed(LabTunnelError):
    """``remove-key``: the password does not log in (``cause`` says why), so the key was
    kept: removing it would lock the user out."""

    permanent = True

    def __init__(self, host: str, cause: LabTunnelError) -> None:
        self.host = host
        self.cause = cause
        super().__init__(f"password login to {host} failed, key kept: {cause}")

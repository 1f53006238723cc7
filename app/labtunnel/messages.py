"""Errors -> plain sentences that name the fix. Shared by the CLI and the tray.

Templates are English and marked with QT_TRANSLATE_NOOP("messages", ...) so Qt's
lupdate extracts them. A message's ``params`` are data (host names, paths); its
``parts`` are messages themselves (a field's name, the reason behind a jump-host
failure), so a front end translates them too: the tray calls
``message.render(translate)``, the CLI uses ``message.text`` (English). This module
never imports Qt.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from labtunnel.core import errors as e
from labtunnel.core.logs import redact

CONTEXT = "messages"
#: sentence ends after which a joined sentence needs no space (CJK full-width punctuation)
_FULL_WIDTH_ENDS = "。！？；：）」』"


def QT_TRANSLATE_NOOP(context: str, text: str) -> str:
    return text


Translate = Callable[[str], str]


def _untranslated(template: str) -> str:
    return template


def join_sentences(sentences: list[str]) -> str:
    """Sentences one after another: a space between them, none after a full-width stop."""
    text = ""
    for sentence in sentences:
        if not sentence:
            continue
        if text and not text.endswith(tuple(_FULL_WIDTH_ENDS)):
            text += " "
        text += sentence
    return text


@dataclass(frozen=True)
class Message:
    template: str
    params: Mapping[str, str] = field(default_factory=dict)
    #: placeholders filled with messages (joined as sentences), translated like the template
    parts: Mapping[str, tuple[Message, ...]] = field(default_factory=dict)

    def render(self, translate: Translate = _untranslated) -> str:
        """The sentence, every template (this one's and its parts') through ``translate``."""
        values = dict(self.params)
        for key, messages in self.parts.items():
            values[key] = join_sentences([m.render(translate) for m in messages])
        return (translate(self.template) or self.template).format(**values)

    @property
    def text(self) -> str:
        return self.render()

    def __str__(self) -> str:
        return self.text


def _m(
    template: str, parts: Mapping[str, tuple[Message, ...]] | None = None, **params: object
) -> Message:
    return Message(template, {k: redact(str(v)) for k, v in params.items()}, dict(parts or {}))


def _name(names: Mapping[str, str], key: str) -> tuple[str, Message | None]:
    """A field's name as a translatable part, or the raw key when it has no name."""
    template = names.get(key)
    return (key, None) if template is None else (key, Message(template))


def _field_message(template: str, names: Mapping[str, str], problem: e.FieldProblem) -> Message:
    raw, named = _name(names, problem.field)
    if named is None:
        return _m(template, field=raw, value=problem.value)
    return _m(template, {"field": (named,)}, value=problem.value)


_FIELD_NAMES = {
    "name": QT_TRANSLATE_NOOP("messages", "Name"),
    "host": QT_TRANSLATE_NOOP("messages", "Server address"),
    "port": QT_TRANSLATE_NOOP("messages", "SSH port"),
    "username": QT_TRANSLATE_NOOP("messages", "User name"),
    "key_path": QT_TRANSLATE_NOOP("messages", "Key file"),
    "jump": QT_TRANSLATE_NOOP("messages", "Jump host"),
    "remote": QT_TRANSLATE_NOOP("messages", "Remote address"),
    "local_port": QT_TRANSLATE_NOOP("messages", "Local port"),
    "keepalive_interval": QT_TRANSLATE_NOOP("messages", "Keepalive interval"),
    "keepalive_count_max": QT_TRANSLATE_NOOP("messages", "Keepalive count"),
    "connect_timeout": QT_TRANSLATE_NOOP("messages", "Connect timeout"),
    "pinned_fingerprints": QT_TRANSLATE_NOOP("messages", "Pinned host key"),
}

_PROBLEMS = {
    "empty": QT_TRANSLATE_NOOP("messages", "{field} is empty: please fill it in."),
    "duplicate": QT_TRANSLATE_NOOP(
        "messages", "{field}: another lab server is already called “{value}”. Choose another name."
    ),
    "bad_host": QT_TRANSLATE_NOOP(
        "messages", "{field} “{value}” is not a valid host name or IP address."
    ),
    "port_out_of_range": QT_TRANSLATE_NOOP(
        "messages", "{field} {value} is not a valid port: use a number from 1 to 65535."
    ),
    "missing": QT_TRANSLATE_NOOP(
        "messages", "{field}: the file {value} does not exist. Choose the private key file."
    ),
    "not_a_file": QT_TRANSLATE_NOOP(
        "messages", "{field}: {value} is not a file. Choose the private key file."
    ),
    "bad_username": QT_TRANSLATE_NOOP(
        "messages", "{field} “{value}” contains spaces: enter the user name only."
    ),
    "self_reference": QT_TRANSLATE_NOOP(
        "messages", "{field}: a server cannot be its own jump host."
    ),
    "unknown_profile": QT_TRANSLATE_NOOP(
        "messages", "{field}: the lab server it names no longer exists. Choose another."
    ),
    "cycle": QT_TRANSLATE_NOOP(
        "messages", "{field}: the jump hosts lead in a circle. Remove one of them."
    ),
    "out_of_range": QT_TRANSLATE_NOOP("messages", "{field} {value} is out of range."),
    "not_jupyter": QT_TRANSLATE_NOOP(
        "messages", "{field}: this lab server forwards {value}, not Jupyter."
    ),
    "bad_fingerprint": QT_TRANSLATE_NOOP(
        "messages", "{field} “{value}” is not a SHA256 fingerprint (SHA256:…, 43 characters)."
    ),
}


def describe_problem(problem: e.FieldProblem) -> Message:
    template = _PROBLEMS.get(problem.code, QT_TRANSLATE_NOOP("messages", "{field} is not valid."))
    if problem.field == "local_port" and problem.code == "port_out_of_range":
        template = QT_TRANSLATE_NOOP(
            "messages", "{field} {value} is not valid: use 0 (pick a free port) or 1 to 65535."
        )
    return _field_message(template, _FIELD_NAMES, problem)


def _profile_invalid(err: e.ProfileInvalid) -> Message:
    return _m(
        QT_TRANSLATE_NOOP("messages", "The lab server settings are not valid. {details}"),
        {"details": tuple(describe_problem(p) for p in err.problems)},
    )


def _store_corrupt(err: e.ProfileStoreCorrupt) -> Message:
    if err.backup_path:
        return _m(
            QT_TRANSLATE_NOOP(
                "messages",
                "LabTunnel cannot read its settings file {path} ({detail}). The file was left "
                "as it is and a copy was saved as {backup}. Fix or move the file away, then "
                "restart LabTunnel; until then changes cannot be saved.",
            ),
            path=err.path,
            detail=err.detail,
            backup=err.backup_path,
        )
    return _m(
        QT_TRANSLATE_NOOP(
            "messages",
            "LabTunnel cannot read its settings file {path} ({detail}). The file was left as "
            "it is. Fix or move it away, then restart LabTunnel; until then changes cannot "
            "be saved.",
        ),
        path=err.path,
        detail=err.detail,
    )


def _key_unsupported(err: e.KeyFileUnsupported) -> Message:
    if err.detail == "public_key":
        return _m(
            QT_TRANSLATE_NOOP(
                "messages",
                "{path} is a public key. Choose the private key file (the one without .pub).",
            ),
            path=err.path,
        )
    if err.detail == "putty_ppk":
        return _m(
            QT_TRANSLATE_NOOP(
                "messages",
                "{path} is a PuTTY key. Export it in OpenSSH format with PuTTYgen "
                "(Conversions → Export OpenSSH key) and choose that file.",
            ),
            path=err.path,
        )
    return _m(
        QT_TRANSLATE_NOOP(
            "messages",
            "{path} is not a private key LabTunnel can use. Choose an ed25519, ECDSA or RSA "
            "private key in OpenSSH or PEM format.",
        ),
        path=err.path,
    )


def _forwarding_refused(err: e.ForwardingRefused) -> Message:
    if err.reason == "prohibited":
        return _m(
            QT_TRANSLATE_NOOP(
                "messages",
                "{host} does not allow port forwarding (AllowTcpForwarding is off). Ask your "
                "lab admin to enable it for your account.",
            ),
            host=err.host,
        )
    if err.reason == "not_answering":
        return _m(
            QT_TRANSLATE_NOOP(
                "messages",
                "Jupyter on {host} does not answer through the tunnel. Try “Stop Jupyter on "
                "server”, then connect again.",
            ),
            host=err.host,
        )
    return _m(
        QT_TRANSLATE_NOOP(
            "messages",
            "{host} could not reach {dest_host}:{dest_port}. Check that the service runs on "
            "the server and that the remote address in the profile is right.",
        ),
        host=err.host,
        dest_host=err.dest_host,
        dest_port=err.dest_port,
    )


def _secret_missing(err: e.SecretMissing) -> Message:
    if err.kind == "passphrase":
        return _m(
            QT_TRANSLATE_NOOP(
                "messages",
                "No key passphrase is saved for “{profile}”. Edit the lab server and enter it.",
            ),
            profile=err.profile_name,
        )
    return _m(
        QT_TRANSLATE_NOOP(
            "messages",
            "No password is saved for “{profile}”. Edit the lab server and enter your "
            'password (or run: labtunnel profile set-password "{profile}").',
        ),
        profile=err.profile_name,
    )


def _jump_failed(err: e.JumpHostFailed) -> Message:
    return _m(
        QT_TRANSLATE_NOOP("messages", "Via the jump host {jump}: {reason}"),
        {"reason": (describe(err.cause),)},
        jump=err.jump_host,
    )


def _host_key_changed(err: e.HostKeyChanged) -> Message:
    return _m(
        QT_TRANSLATE_NOOP(
            "messages",
            "WARNING: the identity of {host} has changed. LabTunnel expected the key "
            "{expected} ({source}) but the server showed {key_type} {actual}. Someone may be "
            "intercepting the connection, so LabTunnel refused to connect. Ask your lab admin "
            "whether the server was reinstalled; only then remove the old key "
            "(labtunnel hostkey forget {host}) and connect again.",
        ),
        host=err.host,
        expected=", ".join(err.expected_fingerprints),
        source=err.source,
        key_type=err.key_type,
        actual=err.actual_fingerprint,
    )


_Describer = Callable[[Any], Message]
_DESCRIBERS: dict[type[BaseException], _Describer] = {}


def _describes(kind: type[BaseException]) -> Callable[[_Describer], _Describer]:
    def register(function: _Describer) -> _Describer:
        _DESCRIBERS[kind] = function
        return function

    return register


def describe(error: BaseException) -> Message:
    """A sentence for people: what happened and what to do about it."""
    for kind in type(error).__mro__:
        describer = _DESCRIBERS.get(kind)
        if describer is not None:
            return describer(error)
    return _m(
        QT_TRANSLATE_NOOP(
            "messages",
            "Something unexpected went wrong ({kind}). See the log (Show log) for details.",
        ),
        kind=type(error).__name__,
    )


@_describes(e.LabTunnelError)
def _generic(x: e.LabTunnelError) -> Message:
    return _m(
        QT_TRANSLATE_NOOP(
            "messages", "LabTunnel could not finish: {detail}. See the log (Show log) for details."
        ),
        detail=str(x),
    )


_describes(e.ProfileInvalid)(_profile_invalid)
_describes(e.ProfileStoreCorrupt)(_store_corrupt)
_describes(e.KeyFileUnsupported)(_key_unsupported)
_describes(e.ForwardingRefused)(_forwarding_refused)
_describes(e.SecretMissing)(_secret_missing)
_describes(e.JumpHostFailed)(_jump_failed)
_describes(e.HostKeyChanged)(_host_key_changed)


@_describes(e.ProfileNotFound)
def _profile_not_found(x: e.ProfileNotFound) -> Message:
    return _m(
        QT_TRANSLATE_NOOP(
            "messages",
            "There is no saved lab server called “{name}”. Check the name in the list of servers.",
        ),
        name=x.name,
    )


@_describes(e.ProfileStoreTooNew)
def _profile_store_too_new(x: e.ProfileStoreTooNew) -> Message:
    return _m(
        QT_TRANSLATE_NOOP(
            "messages",
            "The settings file {path} was written by a newer LabTunnel (format {found}; this "
            "version reads up to {supported}). Update LabTunnel. The file was left as it is.",
        ),
        path=x.path,
        found=x.found_version,
        supported=x.supported_version,
    )


@_describes(e.ProfileStoreLocked)
def _profile_store_locked(x: e.ProfileStoreLocked) -> Message:
    return _m(
        QT_TRANSLATE_NOOP(
            "messages",
            "Nothing was saved, because the settings file {path} could not be read when "
            "LabTunnel started. Fix or move that file away, then restart LabTunnel.",
        ),
        path=x.path,
    )


@_describes(e.ProfileFileUnwritable)
def _profile_file_unwritable(x: e.ProfileFileUnwritable) -> Message:
    return _m(
        QT_TRANSLATE_NOOP(
            "messages",
            "LabTunnel could not save its settings to {path} ({detail}). Check that you may "
            "write to that folder and that the disk is not full.",
        ),
        path=x.path,
        detail=x.detail,
    )


@_describes(e.SecretStoreUnavailable)
def _secret_store_unavailable(x: e.SecretStoreUnavailable) -> Message:
    return _m(
        QT_TRANSLATE_NOOP(
            "messages",
            "No secure password store (system keyring) is available. On Linux, install and "
            "start GNOME Keyring or KWallet. LabTunnel never keeps passwords in plain files.",
        )
    )


@_describes(e.SecretStoreLocked)
def _secret_store_locked(x: e.SecretStoreLocked) -> Message:
    return _m(
        QT_TRANSLATE_NOOP(
            "messages",
            "Your system keyring is locked. Unlock it (log in again, or open your keyring "
            "app) and try again.",
        )
    )


@_describes(e.DnsFailure)
def _dns_failure(x: e.DnsFailure) -> Message:
    return _m(
        QT_TRANSLATE_NOOP(
            "messages",
            "The server name “{host}” could not be found. Check the spelling, and that you are "
            "on the lab network or VPN.",
        ),
        host=x.host,
    )


@_describes(e.ConnectionRefused)
def _connection_refused(x: e.ConnectionRefused) -> Message:
    return _m(
        QT_TRANSLATE_NOOP(
            "messages",
            "{host} refused the connection on port {port}. Check the port (SSH is usually 22) "
            "and that the SSH server is running.",
        ),
        host=x.host,
        port=x.port,
    )


@_describes(e.ConnectTimeout)
def _connect_timeout(x: e.ConnectTimeout) -> Message:
    return _m(
        QT_TRANSLATE_NOOP(
            "messages",
            "{host} did not answer on port {port} within {seconds} seconds. Check your network "
            "or VPN, and the server address and port.",
        ),
        host=x.host,
        port=x.port,
        seconds=f"{x.seconds:g}",
    )


@_describes(e.HostUnreachable)
def _host_unreachable(x: e.HostUnreachable) -> Message:
    return _m(
        QT_TRANSLATE_NOOP(
            "messages",
            "{host} cannot be reached from this computer. Check your network connection or VPN.",
        ),
        host=x.host,
    )


@_describes(e.SessionLost)
def _session_lost(x: e.SessionLost) -> Message:
    return _m(
        QT_TRANSLATE_NOOP(
            "messages",
            "The connection to {host} was lost. LabTunnel reconnects by itself when the server "
            "answers again.",
        ),
        host=x.host,
    )


@_describes(e.ProtocolError)
def _protocol_error(x: e.ProtocolError) -> Message:
    if x.detail == "no_ssh_banner":
        return _m(
            QT_TRANSLATE_NOOP(
                "messages",
                "{host} port {port} does not answer like an SSH server. Check the server "
                "address and the SSH port (usually 22).",
            ),
            host=x.host,
            port=x.port,
        )
    if x.detail == "closed_during_handshake":
        return _m(
            QT_TRANSLATE_NOOP(
                "messages",
                "{host} port {port} closed the connection before the login finished. The "
                "server may be refusing new logins for now: try again in a minute, or ask "
                "your lab admin.",
            ),
            host=x.host,
            port=x.port,
        )
    return _m(
        QT_TRANSLATE_NOOP(
            "messages",
            "{host} port {port} did not complete an SSH login ({detail}). Check that this is "
            "the SSH port of the server, then try again.",
        ),
        host=x.host,
        port=x.port,
        detail=x.detail,
    )


@_describes(e.HostKeyUnknown)
def _host_key_unknown(x: e.HostKeyUnknown) -> Message:
    return _m(
        QT_TRANSLATE_NOOP(
            "messages",
            "LabTunnel has not connected to {host} before. Its {key_type} key fingerprint is "
            "{fingerprint}. Compare it with the one your lab admin gave you, then trust it "
            "(command line: connect again with --accept-new-host-key).",
        ),
        host=x.host,
        key_type=x.key_type,
        fingerprint=x.fingerprint,
    )


@_describes(e.AuthFailed)
def _auth_failed(x: e.AuthFailed) -> Message:
    return _m(
        QT_TRANSLATE_NOOP(
            "messages",
            "{host} did not accept the login for “{username}”. Check the user name and the "
            "password or key in the lab server's settings.",
        ),
        host=x.host,
        username=x.username,
    )


@_describes(e.AuthMethodNotAllowed)
def _auth_method_not_allowed(x: e.AuthMethodNotAllowed) -> Message:
    return _m(
        QT_TRANSLATE_NOOP(
            "messages",
            "{host} does not allow {method} login; it allows: {allowed}. Change how you sign "
            "in, in the lab server's settings.",
        ),
        host=x.host,
        method=x.method,
        allowed=", ".join(x.allowed),
    )


@_describes(e.KeyFileMissing)
def _key_file_missing(x: e.KeyFileMissing) -> Message:
    return _m(
        QT_TRANSLATE_NOOP(
            "messages",
            "The key file {path} does not exist. Choose your private key file in the lab "
            "server's settings.",
        ),
        path=x.path,
    )


@_describes(e.KeyFileUnreadable)
def _key_file_unreadable(x: e.KeyFileUnreadable) -> Message:
    return _m(
        QT_TRANSLATE_NOOP(
            "messages",
            "The key file {path} cannot be read ({detail}). Check that the file is yours and "
            "readable.",
        ),
        path=x.path,
        detail=x.detail,
    )


@_describes(e.KeyPassphraseNeeded)
def _key_passphrase_needed(x: e.KeyPassphraseNeeded) -> Message:
    return _m(
        QT_TRANSLATE_NOOP(
            "messages",
            "The key file {path} is protected by a passphrase and none is saved. Enter the "
            "passphrase in the lab server's settings.",
        ),
        path=x.path,
    )


@_describes(e.KeyPassphraseWrong)
def _key_passphrase_wrong(x: e.KeyPassphraseWrong) -> Message:
    return _m(
        QT_TRANSLATE_NOOP(
            "messages",
            "The saved passphrase does not unlock the key file {path}. Enter the right "
            "passphrase in the lab server's settings.",
        ),
        path=x.path,
    )


@_describes(e.AgentUnavailable)
def _agent_unavailable(x: e.AgentUnavailable) -> Message:
    return _m(
        QT_TRANSLATE_NOOP(
            "messages",
            "No SSH agent is running. Start one (Pageant or the OpenSSH agent on Windows, "
            "ssh-agent on macOS and Linux) and add your key, or choose a key file instead.",
        )
    )


@_describes(e.AgentHasNoKeys)
def _agent_has_no_keys(x: e.AgentHasNoKeys) -> Message:
    return _m(
        QT_TRANSLATE_NOOP(
            "messages",
            "The SSH agent holds no keys. Add your key to it (ssh-add), or choose a key file "
            "instead.",
        )
    )


@_describes(e.OneTimeCodeCancelled)
def _one_time_code_cancelled(x: e.OneTimeCodeCancelled) -> Message:
    return _m(
        QT_TRANSLATE_NOOP(
            "messages",
            "No one-time code was entered for {host}, so the login stopped. Connect again and "
            "enter the code.",
        ),
        host=x.host,
    )


@_describes(e.LocalPortInUse)
def _local_port_in_use(x: e.LocalPortInUse) -> Message:
    return _m(
        QT_TRANSLATE_NOOP(
            "messages",
            "Port {port} on this computer is already used by another program. Choose another "
            "local port, or 0 to let LabTunnel pick a free one.",
        ),
        port=x.port,
    )


@_describes(e.LocalPortDenied)
def _local_port_denied(x: e.LocalPortDenied) -> Message:
    return _m(
        QT_TRANSLATE_NOOP(
            "messages",
            "LabTunnel may not use port {port} on this computer. Choose a port above 1024, or 0 "
            "to let LabTunnel pick one.",
        ),
        port=x.port,
    )


@_describes(e.RemoteCommandFailed)
def _remote_command_failed(x: e.RemoteCommandFailed) -> Message:
    return _m(
        QT_TRANSLATE_NOOP(
            "messages",
            "A command on the server failed (exit status {status}): {stderr}. See the log for "
            "details.",
        ),
        status=x.exit_status,
        stderr=x.stderr_tail[-300:],
    )


@_describes(e.RemoteCommandTimeout)
def _remote_command_timeout(x: e.RemoteCommandTimeout) -> Message:
    return _m(
        QT_TRANSLATE_NOOP(
            "messages",
            "The server did not finish “{command}” within {seconds} seconds. It may be busy: "
            "try again, and check the Jupyter environment in the lab server's settings.",
        ),
        command=x.command,
        seconds=f"{x.seconds:g}",
    )


_JUPYTER_NOT_FOUND = {
    "not_on_path": QT_TRANSLATE_NOOP(
        "messages",
        "LabTunnel ran “{command}” on the server, but there is no jupyter on your PATH there.",
    ),
    "env_missing": QT_TRANSLATE_NOOP(
        "messages", "The Jupyter environment “{env}” does not exist on the server."
    ),
    "not_executable": QT_TRANSLATE_NOOP(
        "messages", "“{env}” on the server is not a program LabTunnel can run."
    ),
    "conda_missing": QT_TRANSLATE_NOOP(
        "messages",
        "The profile names the conda environment “{env}”, but conda was not found on the server.",
    ),
    "conda_env_missing": QT_TRANSLATE_NOOP(
        "messages", "There is no conda environment called “{env}” on the server."
    ),
    "env_has_no_jupyter": QT_TRANSLATE_NOOP(
        "messages", "The environment “{env}” on the server has no jupyter in it."
    ),
    "jupyter_broken": QT_TRANSLATE_NOOP(
        "messages", "jupyter on the server failed to run ({detail})."
    ),
}


@_describes(e.JupyterNotFound)
def _jupyter_not_found(x: e.JupyterNotFound) -> Message:
    first = _m(
        _JUPYTER_NOT_FOUND.get(x.reason, _JUPYTER_NOT_FOUND["not_on_path"]),
        command=x.command_tried,
        env=x.env,
        detail=x.detail[-200:],
    )
    if x.candidates:
        fix = _m(
            QT_TRANSLATE_NOOP(
                "messages",
                "Set the lab server's Jupyter environment to one of these: {candidates} "
                "(or install Jupyter there: pip install jupyterlab).",
            ),
            candidates=", ".join(x.candidates[:4]),
        )
    else:
        fix = _m(
            QT_TRANSLATE_NOOP(
                "messages",
                "Set the lab server's Jupyter environment to the conda environment name, the "
                "venv folder or the full path of jupyter (or install it there: pip install "
                "jupyterlab).",
            )
        )
    return _m(
        QT_TRANSLATE_NOOP("messages", "{problem} {fix}"), {"problem": (first,), "fix": (fix,)}
    )


@_describes(e.JupyterStartFailed)
def _jupyter_start_failed(x: e.JupyterStartFailed) -> Message:
    if x.reason == "app_missing":
        return _m(
            QT_TRANSLATE_NOOP(
                "messages",
                "JupyterLab (or the Notebook app the profile asks for) is not installed in "
                "that environment on the server. Install it there (pip install jupyterlab), "
                "or switch the lab server's Jupyter app between Lab and Notebook.",
            )
        )
    if x.reason == "workdir_missing":
        return _m(
            QT_TRANSLATE_NOOP(
                "messages",
                "The working folder {workdir} does not exist on the server. Create it, or "
                "change the Jupyter working folder in the lab server's settings.",
            ),
            workdir=x.workdir,
        )
    tail = x.log_tail.strip().splitlines()[-3:] if x.log_tail else []
    return _m(
        QT_TRANSLATE_NOOP(
            "messages",
            "Jupyter did not start on the server ({reason}). Its log {log} ends with: {tail} "
            "Check the Jupyter environment in the lab server's settings.",
        ),
        reason=x.reason,
        log=x.log_path or "-",
        tail=" / ".join(tail) or "-",
    )


@_describes(e.JupyterNotResponding)
def _jupyter_not_responding(x: e.JupyterNotResponding) -> Message:
    return _m(
        QT_TRANSLATE_NOOP(
            "messages",
            "Your Jupyter on the server (port {port}) is running but does not answer. Use "
            "“Stop Jupyter on server”, then connect again to start a fresh one.",
        ),
        port=x.port,
    )


@_describes(e.JupyterNotRunning)
def _jupyter_not_running(x: e.JupyterNotRunning) -> Message:
    return _m(
        QT_TRANSLATE_NOOP(
            "messages",
            "Jupyter is no longer running on the server (port {port}). Connect again to start it.",
        ),
        port=x.port,
    )


@_describes(e.JupyterStopFailed)
def _jupyter_stop_failed(x: e.JupyterStopFailed) -> Message:
    return _m(
        QT_TRANSLATE_NOOP(
            "messages",
            "LabTunnel could not stop your Jupyter on the server (process {pid}). Stop it "
            "from a terminal on the server: kill {pid}",
        ),
        pid=x.pid if x.pid is not None else "?",
    )


# --- sharing / import (issue 7) -------------------------------------------------------

_SHARE_FIELD_NAMES = {
    "file": QT_TRANSLATE_NOOP("messages", "The file"),
    "format": QT_TRANSLATE_NOOP("messages", "File type"),
    "version": QT_TRANSLATE_NOOP("messages", "Format version"),
    "sha256": QT_TRANSLATE_NOOP("messages", "Integrity check (sha256)"),
    "profile": QT_TRANSLATE_NOOP("messages", "Lab server settings"),
    "name": QT_TRANSLATE_NOOP("messages", "Name"),
    "server": QT_TRANSLATE_NOOP("messages", "Server"),
    "server.host": QT_TRANSLATE_NOOP("messages", "Server address"),
    "server.port": QT_TRANSLATE_NOOP("messages", "SSH port"),
    "server.username": QT_TRANSLATE_NOOP("messages", "User name"),
    "server.host_key_fingerprints": QT_TRANSLATE_NOOP("messages", "Server host key fingerprints"),
    "jump": QT_TRANSLATE_NOOP("messages", "Jump host"),
    "jump.host": QT_TRANSLATE_NOOP("messages", "Jump host address"),
    "jump.port": QT_TRANSLATE_NOOP("messages", "Jump host SSH port"),
    "jump.username": QT_TRANSLATE_NOOP("messages", "Jump host user name"),
    "jump.host_key_fingerprints": QT_TRANSLATE_NOOP("messages", "Jump host key fingerprints"),
    "target": QT_TRANSLATE_NOOP("messages", "What to open"),
    "target.kind": QT_TRANSLATE_NOOP("messages", "What to open"),
    "target.app": QT_TRANSLATE_NOOP("messages", "Jupyter app"),
    "target.env": QT_TRANSLATE_NOOP("messages", "Jupyter environment"),
    "target.workdir": QT_TRANSLATE_NOOP("messages", "Jupyter working folder"),
    "target.host": QT_TRANSLATE_NOOP("messages", "Remote address"),
    "target.port": QT_TRANSLATE_NOOP("messages", "Remote port"),
}

_SHARE_PROBLEMS = {
    "not_text": QT_TRANSLATE_NOOP("messages", "{field} is not a text file."),
    "not_json": QT_TRANSLATE_NOOP("messages", "{field} is not valid JSON ({value})."),
    "not_labtunnel": QT_TRANSLATE_NOOP(
        "messages", "{field}: this is not a LabTunnel lab profile file."
    ),
    "required": QT_TRANSLATE_NOOP("messages", "{field} is missing."),
    "wrong_type": QT_TRANSLATE_NOOP("messages", "{field} has the wrong type (expected: {value})."),
    "unknown_field": QT_TRANSLATE_NOOP("messages", "{field} is not a field LabTunnel knows."),
    "duplicate_key": QT_TRANSLATE_NOOP("messages", "“{field}” appears twice."),
    "too_long": QT_TRANSLATE_NOOP("messages", "{field} is longer than {value} characters."),
    "too_many": QT_TRANSLATE_NOOP("messages", "{field}: more than {value} entries."),
    "control_chars": QT_TRANSLATE_NOOP("messages", "{field} contains control characters."),
    "bad_choice": QT_TRANSLATE_NOOP("messages", "{field} must be one of: {value}."),
    "bad_digest": QT_TRANSLATE_NOOP(
        "messages", "{field} is not a SHA-256 digest (64 hexadecimal characters)."
    ),
}


def describe_share_problem(problem: e.FieldProblem) -> Message:
    """One problem of a lab profile file; ``field`` is its dotted path in the file."""
    template = _SHARE_PROBLEMS.get(problem.code) or _PROBLEMS.get(
        problem.code, QT_TRANSLATE_NOOP("messages", "{field} is not valid.")
    )
    return _field_message(template, _SHARE_FIELD_NAMES, problem)


@_describes(e.ShareFileUnreadable)
def _share_file_unreadable(x: e.ShareFileUnreadable) -> Message:
    return _m(
        QT_TRANSLATE_NOOP(
            "messages",
            "LabTunnel could not use the lab profile file {path} ({detail}). Check the name "
            "and folder of the file and that you may read and write there.",
        ),
        path=x.path,
        detail=x.detail,
    )


@_describes(e.ShareFileTooLarge)
def _share_file_too_large(x: e.ShareFileTooLarge) -> Message:
    return _m(
        QT_TRANSLATE_NOOP(
            "messages",
            "{path} is too big to be a lab profile ({size} bytes; they are under {limit}). "
            "Choose the .labtunnel file your lab admin gave you.",
        ),
        path=x.path,
        size=x.size,
        limit=x.limit,
    )


@_describes(e.ShareFileMalformed)
def _share_file_malformed(x: e.ShareFileMalformed) -> Message:
    return _m(
        QT_TRANSLATE_NOOP(
            "messages",
            "{path} is not a lab profile LabTunnel can use. {details} Ask your lab admin for "
            "a new file (exported with “labtunnel profile export”).",
        ),
        {"details": tuple(describe_share_problem(p) for p in x.problems[:6])},
        path=x.path,
    )


@_describes(e.ShareFileDamaged)
def _share_file_damaged(x: e.ShareFileDamaged) -> Message:
    if x.reason == "truncated":
        return _m(
            QT_TRANSLATE_NOOP(
                "messages",
                "The lab profile file {path} is incomplete: it ends too early (an interrupted "
                "download or copy?). Get the file again from your lab admin.",
            ),
            path=x.path,
        )
    return _m(
        QT_TRANSLATE_NOOP(
            "messages",
            "The lab profile file {path} was changed after it was exported: its integrity "
            "check does not match. Nothing was imported. Get the original file again from "
            "your lab admin.",
        ),
        path=x.path,
    )


@_describes(e.ShareFileTooNew)
def _share_file_too_new(x: e.ShareFileTooNew) -> Message:
    return _m(
        QT_TRANSLATE_NOOP(
            "messages",
            "The lab profile file {path} was made by a newer LabTunnel (format {found}; this "
            "version reads up to {supported}). Update LabTunnel, then import it again.",
        ),
        path=x.path,
        found=x.found_version,
        supported=x.supported_version,
    )


@_describes(e.ShareHostKeyUnknown)
def _share_host_key_unknown(x: e.ShareHostKeyUnknown) -> Message:
    if x.role == "jump":
        template = QT_TRANSLATE_NOOP(
            "messages",
            "LabTunnel does not know the host key of the jump host {host} yet, so “{profile}” "
            "cannot be shared with it pinned. Connect to “{profile}” once (and check the key), "
            "then export again.",
        )
    else:
        template = QT_TRANSLATE_NOOP(
            "messages",
            "LabTunnel does not know the host key of {host} yet, so “{profile}” cannot be "
            "shared with it pinned. Connect to “{profile}” once (and check the key), then "
            "export again.",
        )
    return _m(template, host=x.host, profile=x.profile_name)


@_describes(e.ShareUnsupportedProfile)
def _share_unsupported_profile(x: e.ShareUnsupportedProfile) -> Message:
    return _m(
        QT_TRANSLATE_NOOP(
            "messages",
            "“{profile}” goes through a jump host that itself goes through another one; a lab "
            "profile file holds one jump host. Make the first jump host connect directly, "
            "then export again.",
        ),
        profile=x.profile_name,
    )


@_describes(e.SshConfigUnreadable)
def _ssh_config_unreadable(x: e.SshConfigUnreadable) -> Message:
    return _m(
        QT_TRANSLATE_NOOP(
            "messages",
            "LabTunnel could not read the SSH config file {path} ({detail}). Check that the "
            "file exists and that ssh itself accepts it (ssh -G HOST), or choose another file.",
        ),
        path=x.path,
        detail=x.detail,
    )


_SKIP_REASONS = {
    "wildcard": QT_TRANSLATE_NOOP(
        "messages", "“{alias}” is a pattern for many hosts, not one server: skipped."
    ),
    "not_found": QT_TRANSLATE_NOOP(
        "messages", "“{alias}” is not a Host in the SSH config: skipped."
    ),
    "exists": QT_TRANSLATE_NOOP(
        "messages", "“{alias}”: a lab server with this name already exists: skipped."
    ),
    "proxy_command": QT_TRANSLATE_NOOP(
        "messages",
        "“{alias}” connects through a ProxyCommand, which LabTunnel cannot run: skipped. "
        "Use ProxyJump instead, or add it by hand.",
    ),
    "multi_hop_jump": QT_TRANSLATE_NOOP(
        "messages",
        "“{alias}” goes through several jump hosts ({detail}); LabTunnel imports one: "
        "skipped. Import the first jump host, then add this server with it as jump host.",
    ),
    "bad_port": QT_TRANSLATE_NOOP(
        "messages", "“{alias}” has the port “{detail}”, which is not valid: skipped."
    ),
    "bad_jump": QT_TRANSLATE_NOOP(
        "messages", "“{alias}” has the ProxyJump “{detail}”, which is not valid: skipped."
    ),
    "jump_loop": QT_TRANSLATE_NOOP(
        "messages", "“{alias}”: its jump hosts lead in a circle ({detail}): skipped."
    ),
    "invalid": QT_TRANSLATE_NOOP(
        "messages", "“{alias}” has settings LabTunnel cannot use ({detail}): skipped."
    ),
}

_IMPORT_NOTES = {
    "identity_file_missing": QT_TRANSLATE_NOOP(
        "messages",
        "“{alias}”: the key file {detail} does not exist; using the next key file named, "
        "or else the password.",
    ),
    "include_cycle": QT_TRANSLATE_NOOP("messages", "{detail} includes itself; it was read once."),
    "include_too_deep": QT_TRANSLATE_NOOP(
        "messages", "{detail} is included too deeply (more than 16 levels): not read."
    ),
    "include_unreadable": QT_TRANSLATE_NOOP(
        "messages", "{detail} could not be read: not imported from."
    ),
    "match_ignored": QT_TRANSLATE_NOOP(
        "messages", "“{detail}”: LabTunnel does not evaluate this Match block; ignored."
    ),
    "canonicalize_ignored": QT_TRANSLATE_NOOP(
        "messages", "“{detail}”: host name canonicalization is not used; ignored."
    ),
}


def describe_skipped_host(alias: str, reason: str, detail: str = "") -> Message:
    """Why a host of the SSH config was not imported (SkippedHost)."""
    template = _SKIP_REASONS.get(
        reason, QT_TRANSLATE_NOOP("messages", "“{alias}” was skipped ({detail}).")
    )
    return _m(template, alias=alias, detail=detail or reason)


def describe_import_note(code: str, detail: str, alias: str = "") -> Message:
    """A remark on an SSH config import (ImportNote, ConfigNote)."""
    template = _IMPORT_NOTES.get(code, QT_TRANSLATE_NOOP("messages", "{detail}: {code}."))
    return _m(template, alias=alias, detail=detail, code=code)

"""Sentences for reaching and logging in to a server: network, host keys, login, keys."""

from __future__ import annotations

from labtunnel.core import errors as e
from labtunnel.messages.base import QT_TRANSLATE_NOOP, Message, describe, describes, msg


def _key_unsupported(err: e.KeyFileUnsupported) -> Message:
    if err.kind is e.KeyUnsupported.PUBLIC_KEY:
        return msg(
            QT_TRANSLATE_NOOP(
                "messages",
                "{path} is a public key. Choose the private key file (the one without .pub).",
            ),
            path=err.path,
        )
    if err.kind is e.KeyUnsupported.PUTTY_PPK:
        return msg(
            QT_TRANSLATE_NOOP(
                "messages",
                "{path} is a PuTTY key. Export it in OpenSSH format with PuTTYgen "
                "(Conversions → Export OpenSSH key) and choose that file.",
            ),
            path=err.path,
        )
    return msg(
        QT_TRANSLATE_NOOP(
            "messages",
            "{path} is not a private key LabTunnel can use. Choose an ed25519, ECDSA or RSA "
            "private key in OpenSSH or PEM format.",
        ),
        path=err.path,
    )


def _jump_failed(err: e.JumpHostFailed) -> Message:
    return msg(
        QT_TRANSLATE_NOOP("messages", "Via the jump host {jump}: {reason}"),
        {"reason": (describe(err.cause),)},
        jump=err.jump_host,
    )


def _host_key_changed(err: e.HostKeyChanged) -> Message:
    return msg(
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


@describes(e.DnsFailure)
def _dns_failure(x: e.DnsFailure) -> Message:
    return msg(
        QT_TRANSLATE_NOOP(
            "messages",
            "The server name “{host}” could not be found. Check the spelling, and that you are "
            "on the lab network or VPN.",
        ),
        host=x.host,
    )


@describes(e.ConnectionRefused)
def _connection_refused(x: e.ConnectionRefused) -> Message:
    return msg(
        QT_TRANSLATE_NOOP(
            "messages",
            "{host} refused the connection on port {port}. Check the port (SSH is usually 22) "
            "and that the SSH server is running.",
        ),
        host=x.host,
        port=x.port,
    )


@describes(e.ConnectTimeout)
def _connect_timeout(x: e.ConnectTimeout) -> Message:
    return msg(
        QT_TRANSLATE_NOOP(
            "messages",
            "{host} did not answer on port {port} within {seconds} seconds. Check your network "
            "or VPN, and the server address and port.",
        ),
        host=x.host,
        port=x.port,
        seconds=f"{x.seconds:g}",
    )


@describes(e.HostUnreachable)
def _host_unreachable(x: e.HostUnreachable) -> Message:
    return msg(
        QT_TRANSLATE_NOOP(
            "messages",
            "{host} cannot be reached from this computer. Check your network connection or VPN.",
        ),
        host=x.host,
    )


@describes(e.SessionLost)
def _session_lost(x: e.SessionLost) -> Message:
    return msg(
        QT_TRANSLATE_NOOP(
            "messages",
            "The connection to {host} was lost. LabTunnel reconnects by itself when the server "
            "answers again.",
        ),
        host=x.host,
    )


@describes(e.ProtocolError)
def _protocol_error(x: e.ProtocolError) -> Message:
    if x.detail == e.HandshakeProblem.NO_SSH_BANNER:
        return msg(
            QT_TRANSLATE_NOOP(
                "messages",
                "{host} port {port} does not answer like an SSH server. Check the server "
                "address and the SSH port (usually 22).",
            ),
            host=x.host,
            port=x.port,
        )
    if x.detail == e.HandshakeProblem.CLOSED_DURING_HANDSHAKE:
        return msg(
            QT_TRANSLATE_NOOP(
                "messages",
                "{host} port {port} closed the connection before the login finished. The "
                "server may be refusing new logins for now: try again in a minute, or ask "
                "your lab admin.",
            ),
            host=x.host,
            port=x.port,
        )
    return msg(
        QT_TRANSLATE_NOOP(
            "messages",
            "{host} port {port} did not complete an SSH login ({detail}). Check that this is "
            "the SSH port of the server, then try again.",
        ),
        host=x.host,
        port=x.port,
        detail=x.detail,
    )


@describes(e.HostKeyUnknown)
def _host_key_unknown(x: e.HostKeyUnknown) -> Message:
    return msg(
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


@describes(e.AuthFailed)
def _auth_failed(x: e.AuthFailed) -> Message:
    return msg(
        QT_TRANSLATE_NOOP(
            "messages",
            "{host} did not accept the login for “{username}”. Check the user name and the "
            "password or key in the lab server's settings.",
        ),
        host=x.host,
        username=x.username,
    )


@describes(e.AuthMethodNotAllowed)
def _auth_method_not_allowed(x: e.AuthMethodNotAllowed) -> Message:
    return msg(
        QT_TRANSLATE_NOOP(
            "messages",
            "{host} does not allow {method} login; it allows: {allowed}. Change how you sign "
            "in, in the lab server's settings.",
        ),
        host=x.host,
        method=x.method,
        allowed=", ".join(x.allowed),
    )


@describes(e.KeyFileMissing)
def _key_file_missing(x: e.KeyFileMissing) -> Message:
    return msg(
        QT_TRANSLATE_NOOP(
            "messages",
            "The key file {path} does not exist. Choose your private key file in the lab "
            "server's settings.",
        ),
        path=x.path,
    )


@describes(e.KeyFileUnreadable)
def _key_file_unreadable(x: e.KeyFileUnreadable) -> Message:
    return msg(
        QT_TRANSLATE_NOOP(
            "messages",
            "The key file {path} cannot be read ({detail}). Check that the file is yours and "
            "readable.",
        ),
        path=x.path,
        detail=x.detail,
    )


@describes(e.KeyPassphraseNeeded)
def _key_passphrase_needed(x: e.KeyPassphraseNeeded) -> Message:
    return msg(
        QT_TRANSLATE_NOOP(
            "messages",
            "The key file {path} is protected by a passphrase and none is saved. Enter the "
            "passphrase in the lab server's settings.",
        ),
        path=x.path,
    )


@describes(e.KeyPassphraseWrong)
def _key_passphrase_wrong(x: e.KeyPassphraseWrong) -> Message:
    return msg(
        QT_TRANSLATE_NOOP(
            "messages",
            "The saved passphrase does not unlock the key file {path}. Enter the right "
            "passphrase in the lab server's settings.",
        ),
        path=x.path,
    )


@describes(e.AgentUnavailable)
def _agent_unavailable(x: e.AgentUnavailable) -> Message:
    return msg(
        QT_TRANSLATE_NOOP(
            "messages",
            "No SSH agent is running. Start one (Pageant or the OpenSSH agent on Windows, "
            "ssh-agent on macOS and Linux) and add your key, or choose a key file instead.",
        )
    )


@describes(e.AgentHasNoKeys)
def _agent_has_no_keys(x: e.AgentHasNoKeys) -> Message:
    return msg(
        QT_TRANSLATE_NOOP(
            "messages",
            "The SSH agent holds no keys. Add your key to it (ssh-add), or choose a key file "
            "instead.",
        )
    )


@describes(e.OneTimeCodeCancelled)
def _one_time_code_cancelled(x: e.OneTimeCodeCancelled) -> Message:
    return msg(
        QT_TRANSLATE_NOOP(
            "messages",
            "No one-time code was entered for {host}, so the login stopped. Connect again and "
            "enter the code.",
        ),
        host=x.host,
    )


@describes(e.OneTimeCodeRefused)
def _one_time_code_refused(x: e.OneTimeCodeRefused) -> Message:
    return msg(
        QT_TRANSLATE_NOOP(
            "messages",
            "{host} did not accept the one-time code for “{username}”. Connect again and enter "
            "the code your authenticator shows now; if it is refused again, check the password "
            "in the lab server's settings.",
        ),
        host=x.host,
        username=x.username,
    )


describes(e.KeyFileUnsupported)(_key_unsupported)
describes(e.JumpHostFailed)(_jump_failed)
describes(e.HostKeyChanged)(_host_key_changed)


@describes(e.ConnectCancelled)
def _connect_cancelled(x: e.ConnectCancelled) -> Message:
    return msg(
        QT_TRANSLATE_NOOP(
            "messages", "Connecting to {host} was stopped. Connect again when you want to."
        ),
        host=x.host,
    )

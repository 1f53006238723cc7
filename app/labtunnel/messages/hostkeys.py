"""Sentences for host-key trust beyond "unknown" and "changed" (those are in .ssh):
a key of another type, a pin that contradicts a trusted key, an unreadable key list."""

from __future__ import annotations

from labtunnel.core import errors as e
from labtunnel.core.ssh.hostkeys import OWN_SOURCE, PINNED_SOURCE, host_entry_name
from labtunnel.messages.base import QT_TRANSLATE_NOOP, Message, describes, msg


def removal_command(host: str, port: int, source: str) -> str:
    """How to drop the old key: LabTunnel's own, or the user's known_hosts file's."""
    if source in (OWN_SOURCE, PINNED_SOURCE):
        return f"labtunnel hostkey forget {host}" + ("" if port == 22 else f" --port {port}")
    return f"ssh-keygen -R '{host_entry_name(host, port)}' -f {source}"


@describes(e.HostKeyTypeChanged)
def _type_changed(x: e.HostKeyTypeChanged) -> Message:
    return msg(
        QT_TRANSLATE_NOOP(
            "messages",
            "WARNING: {host} showed a {key_type} key ({actual}), but LabTunnel knows it by "
            "its {known_types} key ({expected}, from {source}). A server that suddenly shows "
            "another kind of key may be someone intercepting the connection, so LabTunnel "
            "refused to connect. Ask your lab admin whether the server's keys were changed; "
            "only then remove the old key ({remove}) and connect again.",
        ),
        host=x.host,
        key_type=x.key_type,
        actual=x.actual_fingerprint,
        known_types=", ".join(x.known_key_types),
        expected=", ".join(x.expected_fingerprints),
        source=x.source,
        remove=removal_command(x.host, x.port, x.source),
    )


@describes(e.PinConflict)
def _pin_conflict(x: e.PinConflict) -> Message:
    return msg(
        QT_TRANSLATE_NOOP(
            "messages",
            "WARNING: the settings of {host} (perhaps from a lab profile file) pin the key "
            "{actual} that the server showed, but LabTunnel already trusts another key for "
            "{host}: {expected} (from {source}). A pinned key never replaces a key you "
            "trusted, so LabTunnel refused to connect. Ask your lab admin which key is "
            "right: if it is the pinned one, remove the old key ({remove}) and connect "
            "again; if not, delete this lab server.",
        ),
        host=x.host,
        actual=x.actual_fingerprint,
        expected=", ".join(x.expected_fingerprints),
        source=x.source,
        remove=removal_command(x.host, x.port, x.source),
    )


@describes(e.KnownHostsUnreadable)
def _known_hosts_unreadable(x: e.KnownHostsUnreadable) -> Message:
    if x.damaged:
        return msg(
            QT_TRANSLATE_NOOP(
                "messages",
                "LabTunnel's list of trusted servers, {path}, is damaged: none of its lines "
                "can be read. Without it LabTunnel cannot check which server it is talking "
                "to, so it did not connect. Move the file away to start a new list (each "
                "server will then ask to be trusted again).",
            ),
            path=x.path,
        )
    return msg(
        QT_TRANSLATE_NOOP(
            "messages",
            "LabTunnel cannot read its list of trusted servers, {path} ({detail}). Without "
            "it LabTunnel cannot check which server it is talking to, so it did not connect. "
            "Make the file readable for you again, or move it away to start a new list "
            "(each server will then ask to be trusted again).",
        ),
        path=x.path,
        detail=x.detail,
    )

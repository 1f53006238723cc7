"""Sentences for the tunnel itself: forwarding refused, the local port, extra forwards."""

from __future__ import annotations

from labtunnel.core import errors as e
from labtunnel.core.events import ForwardState, ForwardStatus
from labtunnel.messages.base import QT_TRANSLATE_NOOP, Message, describes, msg


def _forwarding_refused(err: e.ForwardingRefused) -> Message:
    if err.reason is e.ForwardRefusal.PROHIBITED:
        return msg(
            QT_TRANSLATE_NOOP(
                "messages",
                "{host} does not allow port forwarding (AllowTcpForwarding is off). Ask your "
                "lab admin to enable it for your account.",
            ),
            host=err.host,
        )
    if err.reason is e.ForwardRefusal.NOT_ANSWERING:
        return msg(
            QT_TRANSLATE_NOOP(
                "messages",
                "Jupyter on {host} does not answer through the tunnel. Try “Stop Jupyter on "
                "server”, then connect again.",
            ),
            host=err.host,
        )
    return msg(
        QT_TRANSLATE_NOOP(
            "messages",
            "{host} could not reach {dest_host}:{dest_port}. Check that the service runs on "
            "the server and that the remote address in the profile is right.",
        ),
        host=err.host,
        dest_host=err.dest_host,
        dest_port=err.dest_port,
    )


@describes(e.LocalPortInUse)
def _local_port_in_use(x: e.LocalPortInUse) -> Message:
    return msg(
        QT_TRANSLATE_NOOP(
            "messages",
            "Port {port} on this computer is already used by another program. Choose another "
            "local port, or 0 to let LabTunnel pick a free one.",
        ),
        port=x.port,
    )


@describes(e.LocalPortDenied)
def _local_port_denied(x: e.LocalPortDenied) -> Message:
    return msg(
        QT_TRANSLATE_NOOP(
            "messages",
            "LabTunnel may not use port {port} on this computer. Choose a port above 1024, or 0 "
            "to let LabTunnel pick one.",
        ),
        port=x.port,
    )


describes(e.ForwardingRefused)(_forwarding_refused)


@describes(e.SocketForwardingRefused)
def _socket_forwarding_refused(x: e.SocketForwardingRefused) -> Message:
    if x.reason is e.SocketRefusal.REFUSED:
        return msg(
            QT_TRANSLATE_NOOP(
                "messages",
                "{host} did not forward to your Jupyter's private socket {path}: the socket "
                "is gone, or the server no longer allows forwarding to sockets. Connect "
                "again: LabTunnel then finds or starts a Jupyter it can reach.",
            ),
            host=x.host,
            path=x.path,
        )
    return msg(
        QT_TRANSLATE_NOOP(
            "messages",
            "The SSH connection to {host} cannot reach a Jupyter that listens on a socket "
            "({path}). Connect again: LabTunnel then starts one on a port of the server's "
            "127.0.0.1.",
        ),
        host=x.host,
        path=x.path,
    )


def describe_forward(forward: ForwardStatus) -> Message | None:
    """What is wrong with an extra forward, or None while it answers (or is not checked)."""
    if forward.state is ForwardState.NOT_ANSWERING:
        return msg(
            QT_TRANSLATE_NOOP(
                "messages",
                "{name}: nothing answers at {remote} on the server yet. Start it there; "
                "LabTunnel keeps its local port and notices when it answers.",
            ),
            name=forward.name,
            remote=forward.remote,
        )
    if forward.state is ForwardState.PROHIBITED:
        return msg(
            QT_TRANSLATE_NOOP(
                "messages",
                "{name}: the server does not allow forwarding to {remote} (PermitOpen). Ask "
                "your lab admin to allow it.",
            ),
            name=forward.name,
            remote=forward.remote,
        )
    if forward.state is ForwardState.NO_LOCAL_PORT:
        return msg(
            QT_TRANSLATE_NOOP(
                "messages",
                "{name}: LabTunnel could not open a local port for it on this computer. The "
                "log says why; connect again to retry.",
            ),
            name=forward.name,
        )
    return None


def describe_forward_answering(forward: ForwardStatus) -> Message:
    return msg(
        QT_TRANSLATE_NOOP("messages", "{name} answers now at {url}."),
        name=forward.name,
        url=forward.local_url or "",
    )

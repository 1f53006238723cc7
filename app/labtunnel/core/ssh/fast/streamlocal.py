"""``direct-streamlocal@openssh.com``: a channel to a Unix socket on the server.

OpenSSH (6.7 and later) forwards to Unix sockets (``ssh -L 8000:/path/to.sock``) with
this channel type, described in its PROTOCOL file, section 2.4. Its open request carries,
after the usual channel-open fields::

    string  socket path
    string  reserved (originator address, sent empty)
    uint32  reserved (originator port, sent 0)

paramiko has no API for it (paramiko#544, open since 2015): ``Transport.open_channel``
adds address fields only for the channel types it knows. :func:`open_streamlocal_channel`
does what ``open_channel`` does with the right payload, which needs paramiko's private
channel bookkeeping. :data:`STREAMLOCAL_AVAILABLE` checks that bookkeeping once at import;
when a paramiko release changes it, Unix sockets switch off and Jupyter is reached over
TCP as before (the caller says so in the log and the tray).
"""

from __future__ import annotations

import socket
import threading
import time
from typing import Any

import paramiko
from paramiko.common import cMSG_CHANNEL_OPEN
from paramiko.message import Message

CHANNEL_KIND = "direct-streamlocal@openssh.com"

_TRANSPORT_METHODS = (
    "_sanitize_window_size",
    "_sanitize_packet_size",
    "_next_channel",
    "_send_user_message",
    "get_exception",
)
_TRANSPORT_STATE = ("_channels", "channel_events", "channels_seen", "lock", "active")
_CHANNEL_METHODS = ("_set_transport", "_set_window")


class StreamLocalUnavailable(Exception):
    """This paramiko's internals are not the ones :func:`open_streamlocal_channel` knows."""


def _probe() -> bool:
    """Does this paramiko keep its channels the way open_channel did when this was written?"""
    a, b = socket.socketpair()
    try:
        transport: Any = paramiko.Transport(a)
        if not all(callable(getattr(transport, name, None)) for name in _TRANSPORT_METHODS):
            return False
        if not all(hasattr(transport, name) for name in _TRANSPORT_STATE):
            return False
        channels = transport._channels
        if not all(callable(getattr(channels, name, None)) for name in ("put", "get", "delete")):
            return False
        if not isinstance(transport.channel_events, dict):
            return False
        channel = paramiko.Channel(0)
        return all(callable(getattr(channel, name, None)) for name in _CHANNEL_METHODS)
    except Exception:
        return False
    finally:
        a.close()
        b.close()


#: Whether Unix-socket channels can be opened with this paramiko.
STREAMLOCAL_AVAILABLE: bool = _probe()


def open_streamlocal_channel(
    transport: paramiko.Transport,
    socket_path: str,
    *,
    window_size: int | None = None,
    max_packet_size: int | None = None,
    timeout: float = 15.0,
) -> paramiko.Channel:
    """Open a channel to the Unix socket ``socket_path`` on the server.

    Raises what ``Transport.open_channel`` raises: ``paramiko.ChannelException`` when the
    server refuses (OpenSSH answers "administratively prohibited" both when forwarding
    is off and when nothing listens there; Dropbear "unknown channel type"),
    ``paramiko.SSHException`` when the session is gone or the server does not answer in
    ``timeout`` seconds, and :class:`StreamLocalUnavailable` when this paramiko is not
    one this code knows.
    """
    if not STREAMLOCAL_AVAILABLE:
        raise StreamLocalUnavailable(paramiko.__version__)
    t: Any = transport  # private attributes: checked by _probe() at import
    if not t.active:
        raise paramiko.SSHException("SSH session not active")
    with t.lock:
        window = t._sanitize_window_size(window_size)
        packet = t._sanitize_packet_size(max_packet_size)
        chanid = t._next_channel()
        m = Message()
        m.add_byte(cMSG_CHANNEL_OPEN)
        m.add_string(CHANNEL_KIND)
        m.add_int(chanid)
        m.add_int(window)
        m.add_int(packet)
        m.add_string(socket_path)
        m.add_string("")
        m.add_int(0)
        channel: Any = paramiko.Channel(chanid)
        t._channels.put(chanid, channel)
        t.channel_events[chanid] = event = threading.Event()
        t.channels_seen[chanid] = True
        channel._set_transport(t)
        channel._set_window(window, packet)
    t._send_user_message(m)
    deadline = time.monotonic() + timeout
    # the answer (or the transport's end) sets the event; the short waits only cover a
    # transport that died before the event was registered
    while not event.wait(min(1.0, max(0.0, deadline - time.monotonic()))):
        if not t.active:
            break
        if time.monotonic() >= deadline:
            _forget(t, chanid)
            raise paramiko.SSHException("Timeout opening channel.")
    if not t.active:
        raise t.get_exception() or paramiko.SSHException("Unable to open channel.")
    opened: paramiko.Channel | None = t._channels.get(chanid)
    if opened is not None:
        return opened
    raise t.get_exception() or paramiko.SSHException("Unable to open channel.")


def _forget(transport: Any, chanid: int) -> None:
    """A channel the server never answered: a late answer must find nothing."""
    with transport.lock:
        transport.channel_events.pop(chanid, None)
        transport._channels.delete(chanid)

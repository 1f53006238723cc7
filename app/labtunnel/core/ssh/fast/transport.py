"""How LabTunnel sets up a paramiko transport before its handshake."""

from __future__ import annotations

import socket
import weakref

import paramiko
from paramiko.packet import Packetizer

from labtunnel.core.ssh.fast import packetizer as fastpath
from labtunnel.core.ssh.fast.kexfix import defer_transport_thread_messages_during_kex
from labtunnel.core.ssh.fast.tuning import MAX_PACKET_SIZE, PREFERRED_CIPHERS, WINDOW_SIZE


def tune_transport(transport: paramiko.Transport) -> None:
    """Apply LabTunnel's preferences to a transport; call before ``start_client()``."""
    options = transport.get_security_options()
    known: dict[str, object] = transport._cipher_info  # type: ignore[attr-defined]
    options.ciphers = tuple(c for c in PREFERRED_CIPHERS if c in known)
    transport.default_window_size = WINDOW_SIZE
    transport.default_max_packet_size = MAX_PACKET_SIZE
    sock = transport.sock
    if isinstance(sock, socket.socket) and sock.family in (socket.AF_INET, socket.AF_INET6):
        # Without it, small SSH packets (channel opens, echoes, window adjusts)
        # can wait for the peer's delayed ACK.
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    defer_transport_thread_messages_during_kex(transport)
    if fastpath.FAST_PATH_AVAILABLE and type(transport.packetizer) is Packetizer:
        # Same as Transport(..., packetizer_class=FastPacketizer): the subclass
        # adds no state until first used, and nothing has been read yet.
        packetizer = transport.packetizer
        packetizer.__class__ = fastpath.FastPacketizer
        assert isinstance(packetizer, fastpath.FastPacketizer)
        packetizer._lt_transport = weakref.ref(transport)
        packetizer._lt_pipes = {}

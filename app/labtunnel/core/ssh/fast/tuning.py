"""The numbers LabTunnel's SSH transports and forwarder run with.

They come from profiling paramiko against OpenSSH on loopback
(docs/benchmarks.md); change them only with a new run of
tests/benchmarks/bench_forward.py. :mod:`labtunnel.core.ssh.fast.transport` applies them.
"""

from __future__ import annotations

import paramiko

_GCM = "aes128-gcm@openssh.com"

#: AES-GCM first: no separate HMAC pass over every packet, AES-NI in
#: cryptography. The rest keeps paramiko's own order.
_PARAMIKO_CIPHERS: tuple[str, ...] = paramiko.Transport._preferred_ciphers  # type: ignore[attr-defined]
PREFERRED_CIPHERS: tuple[str, ...] = (_GCM, *(c for c in _PARAMIKO_CIPHERS if c != _GCM))

#: Receive window we advertise per channel. A small window stalls bulk
#: transfers on one round trip per window; the window is returned in steps of
#: a tenth of it.
WINDOW_SIZE: int = 4 * 1024 * 1024

#: Largest packet we accept per channel: OpenSSH's own default. sshd reads its
#: side 32 KiB at a time, so a bigger value would not give bigger packets.
MAX_PACKET_SIZE: int = 32 * 1024

#: Reads from client sockets and from the SSH socket.
READ_SIZE: int = 256 * 1024

#: Reads with ``Channel.recv`` (only where the fast paths are off) must be at
#: least the window: paramiko's BufferedPipe returns ``buffer[:n]`` and deletes
#: it from the front of an array, which moves everything behind it, so a read
#: smaller than what is buffered costs a copy of the whole rest.
CHANNEL_READ_SIZE: int = WINDOW_SIZE

#: A burst of hundreds of simultaneous connections must all be queued by the
#: kernel before the accept loop gets to them (the kernel caps it at somaxconn).
LISTEN_BACKLOG: int = 4096

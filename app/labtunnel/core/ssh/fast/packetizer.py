"""Fast paths through paramiko for the forwarder's bulk data.

Profiles of a tuned but stock paramiko forwarder put the time not in AES but
in Python bookkeeping per SSH packet, in copies, and in handing every packet
from paramiko's transport thread to a reader thread:

* out: each 32 KiB packet was copied six times (Message, getvalue, two
  concatenations in ``_build_packet``, the slices around the encryption) and
  written with its own ``send()`` (sshd then wakes per packet);
* in: two to four ``poll()`` + ``recv()`` per packet, five copies between the
  socket and ``Channel.recv``, a thread hand-off per packet, and a
  ``Timer.cancel()`` (a lock and a notify) per packet from a handshake timer
  that finished long ago.

:class:`FastPacketizer` (paramiko's documented ``packetizer_class`` extension
point, installed by :func:`labtunnel.core.ssh.fast.transport.tune_transport`) reads
the socket 256 KiB at a time, decrypts AES-GCM packets straight from that buffer, hands
channel data for channels with a :class:`DirectPipe` to it without building a Message,
and sends a run of channel-data packets with one copy each and one ``writev()``
(:func:`send_channel_data`; Windows has no writev: one ``send()`` of the joined run,
see :mod:`labtunnel.core.ssh.fast.primitives`). Packet lengths over OpenSSH's limit
are refused before anything is set aside for them. Sequence numbers, IVs, rekey accounting and the
locks are those of ``Packetizer.send_message`` / ``read_message``; any other
case (another cipher, compression, packet dumps, key exchange in progress,
expected kex packets) goes to paramiko's own code. :class:`DirectPipe` lets
paramiko's transport thread write channel data straight into the client
socket (see the forwarder).

It relies on private attributes of paramiko's Packetizer, Channel, BufferedPipe
and Transport. They are checked once at import (:data:`FAST_PATH_AVAILABLE`):
if a paramiko release changes them, every fast path switches itself off and
paramiko's code runs. ``LABTUNNEL_PARAMIKO_FAST_PATH=0`` switches them off by
hand (the benchmark uses it to show what they buy).
"""

from __future__ import annotations

import errno
import os
import socket
import struct
import threading
import time
from collections.abc import Callable
from enum import Enum
from typing import Any

import paramiko
from paramiko.buffered_pipe import BufferedPipe
from paramiko.common import cMSG_CHANNEL_WINDOW_ADJUST
from paramiko.packet import NeedRekeyException, Packetizer

from labtunnel.core.ssh.fast import primitives
from labtunnel.core.ssh.fast.tuning import CHANNEL_READ_SIZE, READ_SIZE


class PipeEvent(str, Enum):
    """What a :class:`DirectPipe` tells the forwarder's loop."""

    FLUSH = "flush"  # data queued for the client socket
    ACK = "ack"  # window to return from the loop's thread
    EOF = "eof"  # the channel's input ended
    DEAD = "dead"  # the client socket failed


_MSG_CHANNEL_DATA = 94
_U32 = 0xFFFFFFFF
_U64 = 0xFFFFFFFFFFFFFFFF
_PAD_POOL = 4096  # random padding bytes fetched per getrandom() call
_BATCH_PACKETS = 16  # channel-data packets written to a client in one go, at most
_U32_PACK = struct.Struct(">I").pack
#: the longest packet accepted (its length field), as OpenSSH's PACKET_MAX_SIZE. The
#: length is read before the packet can be authenticated: anyone on the path can put
#: anything there, so it must not decide how much memory is set aside.
MAX_PACKET_LENGTH = 256 * 1024
#: the most one read for a packet asks for: length field, packet, the longest MAC
_MAX_READ = 4 + MAX_PACKET_LENGTH + 64
_DATA_HEAD_PACK = struct.Struct(">BBII").pack  # padding length, type, channel, data length

_PACKETIZER_STATE = [
    "socket",
    "remainder",
    "closed",
    "need_rekey",
    "handshake_complete",
    "dump_packets",
    "write_lock",
    "aead_out",
    "compress_engine_out",
    "block_engine_out",
    "block_size_out",
    "iv_out",
    "sequence_number_out",
    "sent_bytes",
    "sent_packets",
    "keepalive_last",
    "aead_in",
    "compress_engine_in",
    "block_engine_in",
    "mac_size_in",
    "iv_in",
    "sequence_number_in",
    "received_bytes",
    "received_packets",
    "received_bytes_overflow",
    "received_packets_overflow",
]
_CHANNEL_STATE = [
    "lock",
    "out_buffer_cv",
    "out_window_size",
    "out_max_packet_size",
    "remote_chanid",
    "chanid",
    "closed",
    "eof_sent",
    "in_buffer",
    "in_window_threshold",
    "transport",
]


class FastPacketizer(Packetizer):
    """paramiko's Packetizer with buffered reads and fast AES-GCM channel data."""

    # paramiko's private state used here (checked by _fast_path_available)
    _Packetizer__socket: Any
    _Packetizer__remainder: bytes
    _Packetizer__closed: bool
    _Packetizer__need_rekey: bool
    _Packetizer__handshake_complete: bool
    _Packetizer__dump_packets: bool
    _Packetizer__write_lock: threading.RLock
    _Packetizer__aead_out: bool
    _Packetizer__compress_engine_out: Any
    _Packetizer__block_engine_out: Any
    _Packetizer__block_size_out: int
    _Packetizer__iv_out: bytes
    _Packetizer__sequence_number_out: int
    _Packetizer__sent_bytes: int
    _Packetizer__sent_packets: int
    _Packetizer__keepalive_last: float
    _Packetizer__aead_in: bool
    _Packetizer__compress_engine_in: Any
    _Packetizer__block_engine_in: Any
    _Packetizer__mac_size_in: int
    _Packetizer__iv_in: bytes
    _Packetizer__sequence_number_in: int
    _Packetizer__received_bytes: int
    _Packetizer__received_packets: int
    _Packetizer__received_bytes_overflow: int
    _Packetizer__received_packets_overflow: int
    _initial_kex_done: bool

    # Read buffer: data lives in _lt_buf[_lt_start:_lt_end]; the socket reads
    # straight into the free tail behind it. Only the transport thread reads.
    _lt_buf: bytearray | None = None
    _lt_start = 0
    _lt_end = 0
    # channel id -> DirectPipe taking that channel's data (see attach_pipe)
    _lt_pipes: dict[int, DirectPipe] | None = None
    _lt_transport: Callable[[], paramiko.Transport | None] | None = None
    _lt_pad = b""
    _lt_pad_at = 0
    # Without writev (Windows): a duplicate of the SSH socket with timeout 0, so that a
    # write is one send() and not a select() first (what a socket with a timeout does)
    _lt_nowait: socket.socket | None = None

    def close(self) -> None:
        super().close()
        nowait, self._lt_nowait = self._lt_nowait, None
        if nowait is not None:
            nowait.close()

    def complete_handshake(self) -> None:
        # Transport.run calls this after every packet; paramiko then cancels its
        # (long finished) handshake timer each time: a lock and a notify per packet.
        if not self._Packetizer__handshake_complete:
            super().complete_handshake()

    # --- reading ---------------------------------------------------------------------

    def read_all(self, n: int, check_rekey: bool = False) -> bytes:
        buf = self._ensure(n, check_rekey)
        start = self._lt_start
        out = bytes(memoryview(buf)[start : start + n])
        self._consume(n)
        return out

    def read_message(self) -> tuple[int, paramiko.Message]:
        # Channel data for a DirectPipe is delivered here and the loop goes on to
        # the next packet; consecutive ones already in the buffer for the same
        # pipe go to the client in one write (one syscall, one wake-up for it).
        batch: list[memoryview] = []
        batch_pipe: DirectPipe | None = None
        try:
            while True:
                if not (
                    self._Packetizer__aead_in
                    and self._Packetizer__compress_engine_in is None
                    and not self._Packetizer__dump_packets
                ):
                    if batch_pipe is not None:
                        batch_pipe.feed_many(batch)
                        batch, batch_pipe = [], None
                    cmd, msg = super().read_message()
                    return cmd, msg
                # one AES-GCM packet, decrypted straight from the read buffer
                buf = self._lt_buf
                start = self._lt_start
                mac_size = self._Packetizer__mac_size_in
                if buf is None or self._lt_end - start < 4:
                    if batch_pipe is not None:  # about to wait: deliver first
                        batch_pipe.feed_many(batch)
                        batch, batch_pipe = [], None
                    buf = self._ensure(4, True)
                    start = self._lt_start
                (size,) = struct.unpack_from(">I", buf, start)
                if size > MAX_PACKET_LENGTH:
                    raise _too_long(size)
                total = 4 + size + mac_size
                if self._lt_end - start < total:
                    if batch_pipe is not None:
                        batch_pipe.feed_many(batch)
                        batch, batch_pipe = [], None
                    buf = self._ensure(total, False)
                    start = self._lt_start
                iv = self._Packetizer__iv_in
                with memoryview(buf) as view:
                    plain: bytes = self._Packetizer__block_engine_in.decrypt(
                        iv, view[start + 4 : start + total], view[start : start + 4]
                    )
                start += total
                if start == self._lt_end:
                    self._lt_start = self._lt_end = 0
                else:
                    self._lt_start = start
                self._Packetizer__iv_in = iv[:4] + (
                    (int.from_bytes(iv[4:], "big") + 1) & _U64
                ).to_bytes(8, "big")
                self._count_in(total)

                end = size - plain[0]  # the payload is plain[1:end]
                cmd = plain[1]
                if cmd == _MSG_CHANNEL_DATA and end >= 10:
                    (chanid, length) = struct.unpack_from(">II", plain, 2)
                    if length == end - 10:
                        pipes = self._lt_pipes
                        pipe = pipes.get(chanid) if pipes else None
                        if pipe is not None and self._direct_ok():
                            # What Transport.run would do (-> Channel._feed ->
                            # in_buffer.feed), minus a Message and two copies.
                            if pipe is not batch_pipe or len(batch) >= _BATCH_PACKETS:
                                if batch_pipe is not None:
                                    batch_pipe.feed_many(batch)
                                batch, batch_pipe = [], pipe
                            batch.append(memoryview(plain)[10:end])
                            continue
                        # Read field by field, nothing looks at the rest: no copy.
                        msg = paramiko.Message(plain)
                        msg.packet.seek(2)
                    else:
                        msg = paramiko.Message(plain[2:end])
                else:
                    msg = paramiko.Message(plain[2:end])
                msg.seqno = (self._Packetizer__sequence_number_in - 1) & _U32
                if batch_pipe is not None:  # before what comes after it (EOF, close...)
                    batch_pipe.feed_many(batch)
                    batch, batch_pipe = [], None
                return cmd, msg
        finally:
            if batch_pipe is not None:
                batch_pipe.feed_many(batch)

    def _direct_ok(self) -> bool:
        """Whether Transport.run would hand channel data to the channel right now."""
        if self._Packetizer__need_rekey:
            return False  # let Transport.run start the key exchange first
        ref = self._lt_transport
        transport = ref() if ref is not None else None
        # with key exchange packets expected, anything else is an error there
        return transport is not None and not transport._expected_packet  # type: ignore[attr-defined]

    def _count_in(self, raw_size: int) -> None:
        """Sequence number and rekey accounting, as in Packetizer.read_message."""
        seq = (self._Packetizer__sequence_number_in + 1) & _U32
        if seq == 0 and not self._initial_kex_done:
            raise paramiko.SSHException("Sequence number rolled over during initial kex!")
        self._Packetizer__sequence_number_in = seq
        self._Packetizer__received_bytes += raw_size
        self._Packetizer__received_packets += 1
        if self._Packetizer__need_rekey:
            # we asked to rekey: give the peer some packets to comply, then give up
            self._Packetizer__received_bytes_overflow += raw_size
            self._Packetizer__received_packets_overflow += 1
            if (
                self._Packetizer__received_packets_overflow >= self.REKEY_PACKETS_OVERFLOW_MAX
                or self._Packetizer__received_bytes_overflow >= self.REKEY_BYTES_OVERFLOW_MAX
            ):
                raise paramiko.SSHException("Remote transport is ignoring rekey requests")
        elif (
            self._Packetizer__received_packets >= self.REKEY_PACKETS
            or self._Packetizer__received_bytes >= self.REKEY_BYTES
        ):
            self._Packetizer__received_bytes_overflow = 0
            self._Packetizer__received_packets_overflow = 0
            self._trigger_rekey()  # type: ignore[attr-defined]

    def _ensure(self, n: int, check_rekey: bool) -> bytearray:
        """Have ``n`` bytes buffered from ``_lt_start``, reading the socket if needed.

        ``n`` comes from a packet's length field (paramiko's own read_message calls
        read_all too): more than any packet can be is refused, and the buffer only
        grows as data arrives, never for what a length field promises."""
        if n > _MAX_READ:
            raise _too_long(n - 4)
        buf = self._lt_buf
        if buf is None:
            buf = self._lt_buf = bytearray(2 * READ_SIZE)
        if self._lt_end - self._lt_start >= n:
            return buf
        remainder = self._Packetizer__remainder  # left over from the banner
        start, end = self._lt_start, self._lt_end
        if start and len(buf) - start < n + READ_SIZE:
            buf[: end - start] = buf[start:end]  # move what is left to the front
            start, end = 0, end - start
        if remainder:
            self._Packetizer__remainder = b""
            buf[end : end + len(remainder)] = remainder
            end += len(remainder)
        self._lt_start = start
        self._lt_end = end
        self._fill(buf, n, check_rekey)
        return buf

    def _consume(self, n: int) -> None:
        start = self._lt_start + n
        if start == self._lt_end:
            self._lt_start = self._lt_end = 0
        else:
            self._lt_start = start

    def _fill(self, buf: bytearray, n: int, check_rekey: bool) -> None:
        """Read until ``n`` bytes are buffered, as Packetizer.read_all reads."""
        sock = self._Packetizer__socket
        into = getattr(sock, "recv_into", None)
        start = self._lt_start
        while self._lt_end - start < n:
            if self.handshake_timed_out():
                raise EOFError()
            end = self._lt_end
            if len(buf) - end < READ_SIZE // 4:
                buf.extend(bytes(READ_SIZE))  # data arrived and filled it: room for more
            try:
                if into is not None:
                    with memoryview(buf) as view:
                        got = into(view[end:])
                else:  # a jump host's Channel, a ProxyCommand
                    # as much as it has: a Channel's pipe moves what a read leaves
                    x = sock.recv(max(len(buf) - end, CHANNEL_READ_SIZE))
                    got = len(x)
                    if end + got > len(buf):
                        buf.extend(bytes(end + got - len(buf)))
                    buf[end : end + got] = x
                if got == 0:
                    raise EOFError()
                self._lt_end = end + got
                continue
            except TimeoutError:
                pass
            except OSError as e:
                if e.errno != errno.EAGAIN:
                    if self._Packetizer__closed:
                        raise EOFError() from None
                    raise
            # a timeout: the same checks as Packetizer.read_all
            if self._Packetizer__closed:
                raise EOFError()
            if check_rekey and self._lt_end == start and self._Packetizer__need_rekey:
                raise NeedRekeyException()
            self._check_keepalive()  # type: ignore[attr-defined]

    # --- writing ---------------------------------------------------------------------

    def can_send_channel_data(self) -> bool:
        """True while the outbound cipher is AES-GCM without compression."""
        return (
            self._Packetizer__aead_out
            and self._Packetizer__compress_engine_out is None
            and not self._Packetizer__dump_packets
        )

    def send_channel_data(self, remote_chanid: int, data: memoryview, max_chunk: int) -> bool:
        """Encrypt ``data`` as CHANNEL_DATA packets and write them in one go.

        The caller holds the transport's ``clear_to_send_lock`` with
        ``clear_to_send`` set (no key exchange can start meanwhile) and has taken
        ``len(data)`` bytes of the channel's send window. False if the cipher
        changed since the caller checked: nothing was sent then.
        """
        with self._Packetizer__write_lock:
            if not self.can_send_channel_data():
                return False
            encrypt = self._Packetizer__block_engine_out.encrypt
            bsize = self._Packetizer__block_size_out
            iv = self._Packetizer__iv_out
            seq = self._Packetizer__sequence_number_out
            parts: list[bytes] = []
            nbytes = 0
            for off in range(0, len(data), max_chunk):
                chunk = data[off : off + max_chunk]
                payload_len = 9 + len(chunk)  # type, channel, string length, data
                padding = 3 + bsize - ((payload_len + 4) % bsize)
                head = _U32_PACK(payload_len + padding + 1)
                sealed: bytes = encrypt(
                    iv,
                    b"".join(
                        (
                            _DATA_HEAD_PACK(padding, _MSG_CHANNEL_DATA, remote_chanid, len(chunk)),
                            chunk,
                            self._padding(padding),
                        )
                    ),
                    head,
                )
                iv = iv[:4] + ((int.from_bytes(iv[4:], "big") + 1) & _U64).to_bytes(8, "big")
                seq = (seq + 1) & _U32
                if seq == 0 and not self._initial_kex_done:
                    raise paramiko.SSHException("Sequence number rolled over during initial kex!")
                parts += (head, sealed)
                nbytes += 4 + len(sealed)
            self._Packetizer__iv_out = iv
            self._Packetizer__sequence_number_out = seq
            self._write_parts(parts, nbytes)
            self._Packetizer__sent_bytes += nbytes
            self._Packetizer__sent_packets += len(parts) // 2
            if (
                self._Packetizer__sent_packets >= self.REKEY_PACKETS
                or self._Packetizer__sent_bytes >= self.REKEY_BYTES
            ) and not self._Packetizer__need_rekey:
                self._Packetizer__received_bytes_overflow = 0
                self._Packetizer__received_packets_overflow = 0
                self._trigger_rekey()  # type: ignore[attr-defined]
        return True

    def _padding(self, n: int) -> bytes:
        # random like paramiko's, but one getrandom() per 4 KiB, not per packet
        at = self._lt_pad_at
        if at + n > len(self._lt_pad):
            self._lt_pad = os.urandom(_PAD_POOL)
            at = 0
        self._lt_pad_at = at + n
        return self._lt_pad[at : at + n]

    def _write_parts(self, parts: list[bytes], nbytes: int) -> None:
        self._Packetizer__keepalive_last = time.time()
        sock = self._Packetizer__socket
        if not isinstance(sock, socket.socket):  # a jump host's Channel, a ProxyCommand
            self.write_all(b"".join(parts))
            return
        n = 0
        if primitives.HAS_WRITEV:
            # os.writev first: the socket has a timeout, so its own send methods
            # poll() before every write; only wait (with that timeout) if it is full.
            try:
                n = os.writev(sock.fileno(), parts)
            except (BlockingIOError, InterruptedError):
                n = 0
            except OSError as e:
                raise EOFError() from e
            if n == nbytes:
                return
        if not primitives.HAS_SENDMSG:  # Windows: one send of the joined run
            data = memoryview(b"".join(parts))[n:]
            data = data[self._send_now(sock, data) :]
            if data:
                self._send_joined(sock, data)  # the socket is full: wait, with its timeout
            return
        views = [memoryview(p) for p in parts]
        while True:
            while n:
                if n >= len(views[0]):
                    n -= len(views[0])
                    views.pop(0)
                else:
                    views[0] = views[0][n:]
                    n = 0
            if not views:
                return
            try:
                n = sock.sendmsg(views)
            except TimeoutError:
                n = 0
            except OSError as e:
                if e.errno != errno.EAGAIN:
                    raise EOFError() from e
                n = 0
            if n == 0 and self._Packetizer__closed:
                raise EOFError()

    def _send_now(self, sock: socket.socket, data: memoryview) -> int:
        """What the socket takes at once, without waiting (and without a select())."""
        nowait = self._lt_nowait
        if nowait is None:
            if self._Packetizer__closed:
                raise EOFError()
            if sock.gettimeout() is None:
                return 0  # a blocking socket: its duplicate must not change that
            # the socket is non-blocking already (it has a timeout): so is its duplicate
            nowait = self._lt_nowait = sock.dup()
            nowait.settimeout(0)
        try:
            return nowait.send(data)
        except (BlockingIOError, InterruptedError):
            return 0
        except OSError as e:
            raise EOFError() from e

    def _send_joined(self, sock: socket.socket, data: memoryview) -> None:
        while data:
            try:
                n = sock.send(data)
            except TimeoutError:
                n = 0
            except OSError as e:
                if e.errno != errno.EAGAIN:
                    raise EOFError() from e
                n = 0
            if n == 0 and self._Packetizer__closed:
                raise EOFError()
            data = data[n:]


def _too_long(size: int) -> paramiko.SSHException:
    return paramiko.SSHException(
        f"refused a packet that says it is {size} bytes long: the limit is"
        f" {MAX_PACKET_LENGTH} (a broken or hostile server, or someone on the way)"
    )


def _fast_path_available() -> bool:
    if os.environ.get("LABTUNNEL_PARAMIKO_FAST_PATH", "1") == "0":
        return False
    a, b = socket.socketpair()
    try:
        probe = Packetizer(a)
        if not all(hasattr(probe, "_Packetizer__" + name) for name in _PACKETIZER_STATE):
            return False
        methods = ("_check_keepalive", "_trigger_rekey", "handshake_timed_out", "write_all")
        if not all(callable(getattr(probe, m, None)) for m in methods):
            return False
        if not hasattr(probe, "_initial_kex_done"):
            return False
        t = paramiko.Transport(b)
        if not all(
            hasattr(t, name)
            for name in ("_expected_packet", "clear_to_send", "clear_to_send_lock", "active")
        ) or not callable(getattr(t, "_send_message", None)):
            return False
        ch = paramiko.Channel(0)
        pipe = ch.in_buffer
        return (
            all(hasattr(ch, name) for name in _CHANNEL_STATE)
            and callable(getattr(ch, "_check_add_window", None))
            and type(pipe) is BufferedPipe
            and all(hasattr(pipe, a) for a in ("_lock", "_cv", "_buffer", "_closed", "_event"))
        )
    finally:
        a.close()
        b.close()


#: Whether this paramiko has the internals the fast paths were written against.
FAST_PATH_AVAILABLE: bool = _fast_path_available()


def send_channel_data(channel: paramiko.Channel, data: memoryview, *, block: bool = True) -> int:
    """Like ``channel.send(data)``, but sends all the window allows in one write.

    Returns the number of bytes sent. With ``block=False`` it returns 0 instead
    of waiting for the send window to open (it may still wait for a key
    exchange to finish, as paramiko does). Raises what ``Channel.send`` raises
    (``OSError`` once the channel is closed, ``EOFError`` if the connection broke).
    """
    transport = channel.transport
    packetizer = transport.packetizer if transport is not None else None
    if (
        transport is not None
        and isinstance(packetizer, FastPacketizer)
        and packetizer.can_send_channel_data()
    ):
        with transport.clear_to_send_lock:
            # otherwise dead or re-keying: paramiko's own path waits or drops as it should
            if transport.active and transport.clear_to_send.is_set():  # type: ignore[attr-defined]
                with channel.lock:
                    if channel.closed:
                        raise OSError("Socket is closed")
                    size = min(len(data), channel.out_window_size)
                    if channel.eof_sent or (size == 0 and not block):
                        return 0
                    channel.out_window_size -= size
                    max_chunk = channel.out_max_packet_size - 64
                if size:
                    chanid = channel.remote_chanid
                    if packetizer.send_channel_data(chanid, data[:size], max_chunk):
                        return size
                    with channel.lock:
                        channel.out_window_size += size
    if not block and not channel.send_ready():
        return 0
    # paramiko's own path: waits for the window, a key exchange; drops if dead
    return channel.send(data)  # type: ignore[arg-type]  # any buffer works


class _WindowCondition(threading.Condition):
    """A channel's ``out_buffer_cv`` that also tells someone about each notify.

    paramiko notifies it when the peer opens the send window and when the
    channel closes; a selector loop cannot wait on a Condition, so it gets a
    callback (called with the channel lock held: it must only queue and wake).
    """

    def __init__(self, lock: threading.Lock, on_notify: Callable[[], None]) -> None:
        super().__init__(lock)
        self._lt_on_notify = on_notify

    def notify(self, n: int = 1) -> None:
        super().notify(n)
        self._lt_on_notify()

    def notify_all(self) -> None:
        super().notify_all()
        self._lt_on_notify()


class DirectPipe(BufferedPipe):  # type: ignore[type-arg]
    """A channel's input buffer that writes straight into the client socket.

    paramiko's transport thread feeds every incoming packet into the channel's
    BufferedPipe (a copy), wakes a reader thread (a GIL hand-off per packet),
    which copies it out again. :func:`attach_pipe` changes the class of the
    channel's own pipe object to this one, which instead writes the data to the
    (non-blocking) client socket from the transport thread, and returns the
    window for it there too when the transport is not re-keying. Only what
    the socket does not take at once is queued, in the pipe's own buffer, for
    the forwarder's loop to :meth:`flush` when the socket is writable. The
    queue is bounded by the channel window: window is returned only for bytes
    the client socket took.

    ``notify(event)`` tells the forwarder's loop a :class:`PipeEvent`. It is called
    without the pipe lock held.
    """

    _lock: threading.Lock
    _cv: threading.Condition
    _buffer: Any  # array.array("B")
    _closed: bool
    _lt_sock: socket.socket
    _lt_channel: paramiko.Channel | None
    _lt_notify: Callable[[PipeEvent], None]
    _lt_delivered: int  # written to the client, not yet returned to the window
    _lt_ack: int  # window to return from the loop's thread
    _lt_total: int
    _lt_threshold: int
    _lt_dead: bool  # the client socket failed or was detached: drop data
    _lt_eof_done: bool  # the client's write side is shut

    def feed(self, data: Any) -> None:  # transport thread, via Channel._feed
        self.feed_many([memoryview(data)])

    def feed_many(self, parts: list[memoryview]) -> None:  # transport thread
        event: PipeEvent | None = None
        with self._lock:
            if self._lt_dead:
                return
            n = 0
            size = sum(len(p) for p in parts)
            if not len(self._buffer):
                try:
                    n = primitives.send_parts(self._lt_sock, parts)
                except (BlockingIOError, InterruptedError):
                    pass
                except OSError:
                    self._lt_dead = True
                    event = PipeEvent.DEAD
            if event is None and n < size:
                if not len(self._buffer):
                    event = PipeEvent.FLUSH
                skip = n
                for part in parts:  # queue what the socket did not take
                    if skip >= len(part):
                        skip -= len(part)
                        continue
                    self._buffer.frombytes(part[skip:])
                    skip = 0
            self._lt_total += n
            self._lt_delivered += n
            ack = self._take_delivered()
        if ack:
            self._return_window(ack, inline=True)
        if event is not None:
            self._lt_notify(event)

    def close(self) -> None:  # transport thread, channel lock held: EOF or closed
        with self._lock:
            if self._closed:
                return
            self._closed = True
            self._cv.notify_all()
            self._shut_client_if_drained()
        self._unregister()
        self._lt_notify(PipeEvent.EOF)

    def flush(self) -> bool:
        """Write queued data (loop thread, socket writable); True while some is left."""
        with self._lock:
            if self._lt_dead or not len(self._buffer):
                return False
            try:
                with memoryview(self._buffer) as view:
                    n = self._lt_sock.send(view)
            except (BlockingIOError, InterruptedError):
                n = 0
            except OSError:
                self._lt_dead = True
                raise
            del self._buffer[:n]
            self._lt_total += n
            self._lt_delivered += n
            ack = self._take_delivered()
            left = bool(len(self._buffer))
            if not left:
                self._shut_client_if_drained()
        if ack:
            self._return_window(ack, inline=False)
        return left

    def return_window(self) -> None:
        """Send the window the transport thread could not (loop thread)."""
        with self._lock:
            ack, self._lt_ack = self._lt_ack, 0
        channel = self._lt_channel
        if ack and channel is not None and channel.transport is not None:
            channel.transport._send_user_message(_window_adjust(channel, ack))  # type: ignore[attr-defined]

    @property
    def total(self) -> int:
        """Bytes written to the client so far."""
        return self._lt_total

    @property
    def drained(self) -> bool:
        """EOF or close received and everything before it written to the client."""
        with self._lock:
            return self._lt_eof_done or self._lt_dead

    @property
    def dead(self) -> bool:
        return self._lt_dead

    def detach(self) -> None:
        """Never touch the socket again (call before closing it); later data is dropped."""
        with self._lock:
            self._lt_dead = True
            del self._buffer[:]
        self._unregister()
        self._lt_channel = None

    def _unregister(self) -> None:
        channel = self._lt_channel
        transport = channel.transport if channel is not None else None
        packetizer = transport.packetizer if transport is not None else None
        if isinstance(packetizer, FastPacketizer) and packetizer._lt_pipes is not None:
            assert channel is not None
            packetizer._lt_pipes.pop(channel.chanid, None)

    def _take_delivered(self) -> int:
        if self._lt_delivered < self._lt_threshold or self._closed:
            return 0
        n, self._lt_delivered = self._lt_delivered, 0
        return n

    def _shut_client_if_drained(self) -> None:
        if self._closed and not len(self._buffer) and not (self._lt_eof_done or self._lt_dead):
            self._lt_eof_done = True
            try:
                self._lt_sock.shutdown(socket.SHUT_WR)
            except OSError:
                self._lt_dead = True

    def _return_window(self, n: int, *, inline: bool) -> None:
        channel = self._lt_channel
        if channel is None or channel.transport is None:
            return
        ack = channel._check_add_window(n)  # type: ignore[attr-defined]
        if ack <= 0:
            return
        if inline:
            transport = channel.transport
            lock = transport.clear_to_send_lock
            # Never wait here: this is the transport thread, and during a key
            # exchange only it can make clear_to_send true again.
            if lock.acquire(blocking=False):
                try:
                    if transport.active and transport.clear_to_send.is_set():  # type: ignore[attr-defined]
                        transport._send_message(_window_adjust(channel, ack))  # type: ignore[attr-defined]
                        return
                finally:
                    lock.release()
        with self._lock:
            self._lt_ack += ack
        self._lt_notify(PipeEvent.ACK)


def _window_adjust(channel: paramiko.Channel, n: int) -> paramiko.Message:
    m = paramiko.Message()
    m.add_byte(cMSG_CHANNEL_WINDOW_ADJUST)
    m.add_int(channel.remote_chanid)
    m.add_int(n)
    return m


def can_attach(channel: object) -> bool:
    """Whether :func:`attach_pipe` works on this channel (a real, untouched paramiko one)."""
    if not FAST_PATH_AVAILABLE or not isinstance(channel, paramiko.Channel):
        return False
    pipe = channel.in_buffer
    return (
        type(pipe) is BufferedPipe
        and getattr(pipe, "_event", True) is None  # nobody called channel.fileno()
        and type(channel.out_buffer_cv) is threading.Condition
    )


def attach_pipe(
    channel: paramiko.Channel,
    sock: socket.socket,
    notify: Callable[[PipeEvent], None],
    on_window: Callable[[], None],
) -> DirectPipe:
    """Deliver ``channel``'s incoming data straight into the non-blocking ``sock``.

    ``notify`` gets DirectPipe's events; ``on_window`` is called when the peer
    opens the send window or the channel closes. Check :func:`can_attach` first.
    """
    pipe: Any = channel.in_buffer
    with channel.lock:
        channel.out_buffer_cv = _WindowCondition(channel.lock, on_window)
    with pipe._lock:
        pipe._lt_sock = sock
        pipe._lt_channel = channel
        pipe._lt_notify = notify
        pipe._lt_delivered = 0
        pipe._lt_ack = 0
        pipe._lt_total = 0
        pipe._lt_threshold = max(1, channel.in_window_threshold)
        pipe._lt_dead = False
        pipe._lt_eof_done = False
        # The live object changes class (rather than being replaced), so a feed()
        # or close() the transport thread is about to make still lands here.
        pipe.__class__ = DirectPipe
        queued = bool(len(pipe._buffer))
        closed = pipe._closed
        if closed:
            pipe._shut_client_if_drained()
    assert isinstance(pipe, DirectPipe)
    transport = channel.transport
    packetizer = transport.packetizer if transport is not None else None
    if not closed and isinstance(packetizer, FastPacketizer) and packetizer._lt_pipes is not None:
        packetizer._lt_pipes[channel.chanid] = pipe
    if queued:
        notify(PipeEvent.FLUSH)
    if closed:
        notify(PipeEvent.EOF)
    return pipe

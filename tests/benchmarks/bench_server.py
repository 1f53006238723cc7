"""The service behind the tunnels: echo, sink and source on one loopback port.

The first byte a client sends picks the mode:
  ``E``  echo everything back;
  ``S``  sink: read to EOF, then answer the byte count (8 bytes, big endian) and close;
  ``R``  source: read an 8-byte big-endian count, send that many bytes, close.
Run as ``python bench_server.py``: prints ``{"port": N}`` on stdout, serves until
stdin closes. One thread per connection: the same server for every target.
"""

from __future__ import annotations

import json
import resource
import socket
import struct
import sys
import threading

CHUNK = 1024 * 1024
_PAYLOAD = bytes(range(256)) * (CHUNK // 256)


def _recv_exact(sock: socket.socket, n: int) -> bytes:
    buf = bytearray()
    while len(buf) < n:
        got = sock.recv(n - len(buf))
        if not got:
            raise EOFError
        buf += got
    return bytes(buf)


def _serve(sock: socket.socket) -> None:
    try:
        mode = _recv_exact(sock, 1)
        if mode == b"E":
            buf = bytearray(256 * 1024)
            view = memoryview(buf)
            while True:
                n = sock.recv_into(buf)
                if n == 0:
                    break
                sock.sendall(view[:n])
            sock.shutdown(socket.SHUT_WR)
        elif mode == b"S":
            buf = bytearray(CHUNK)
            total = 0
            while True:
                n = sock.recv_into(buf)
                if n == 0:
                    break
                total += n
            sock.sendall(struct.pack(">Q", total))
        elif mode == b"R":
            (left,) = struct.unpack(">Q", _recv_exact(sock, 8))
            view = memoryview(_PAYLOAD)
            while left > 0:
                k = min(left, CHUNK)
                sock.sendall(view[:k])
                left -= k
            sock.shutdown(socket.SHUT_WR)
    except (OSError, EOFError):
        pass
    finally:
        sock.close()


def _accept_loop(listener: socket.socket) -> None:
    while True:
        try:
            sock, _ = listener.accept()
        except OSError:
            return
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        threading.Thread(target=_serve, args=(sock,), daemon=True).start()


def main() -> None:
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    threading.stack_size(256 * 1024)
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(4096)
    threading.Thread(target=_accept_loop, args=(listener,), daemon=True).start()
    print(json.dumps({"port": listener.getsockname()[1]}), flush=True)
    sys.stdin.read()  # until the benchmark closes our stdin (or dies)
    listener.close()


if __name__ == "__main__":
    main()

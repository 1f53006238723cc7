"""Tiny TCP servers run INSIDE the lab namespace by Debian's /usr/bin/python3 (stdlib only).

    python3 netservers.py echo          echo every byte back
    python3 netservers.py sink          read to EOF, then answer "<byte count> <sha256 hex>\\n"
    python3 netservers.py http DIR      HTTP/1.1 file server for DIR (http.server)
    python3 netservers.py unix-echo PATH   echo, on a Unix socket at PATH (mode 0600)

Each binds 127.0.0.1 on a free port, prints that port on stdout and serves until killed
(unix-echo prints 0 once it listens, and removes its socket when it is stopped).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import http.server
import os
import signal
import socket
import sys
import threading
from collections.abc import Callable


def _serve_tcp(handler: Callable[[socket.socket], None]) -> None:
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(1024)
    print(listener.getsockname()[1], flush=True)
    while True:
        conn, _ = listener.accept()
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        threading.Thread(target=_guarded, args=(handler, conn), daemon=True).start()


def _serve_unix_echo(path: str) -> None:
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    old_mask = os.umask(0o177)
    try:
        listener.bind(path)
    finally:
        os.umask(old_mask)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        listener.listen(1024)
        print(0, flush=True)
        while True:
            conn, _ = listener.accept()
            threading.Thread(target=_guarded, args=(_echo, conn), daemon=True).start()
    finally:
        with contextlib.suppress(OSError):
            os.unlink(path)


def _guarded(handler: Callable[[socket.socket], None], conn: socket.socket) -> None:
    with conn, contextlib.suppress(OSError):
        handler(conn)


def _echo(conn: socket.socket) -> None:
    while data := conn.recv(65536):
        conn.sendall(data)


def _sink(conn: socket.socket) -> None:
    digest = hashlib.sha256()
    count = 0
    while data := conn.recv(262144):
        digest.update(data)
        count += len(data)
    conn.sendall(f"{count} {digest.hexdigest()}\n".encode())


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        pass


def _serve_http(directory: str) -> None:
    handler = functools.partial(_QuietHandler, directory=directory)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    print(server.server_address[1], flush=True)
    server.serve_forever()


def main(argv: list[str]) -> None:
    mode = argv[1]
    if mode == "echo":
        _serve_tcp(_echo)
    elif mode == "sink":
        _serve_tcp(_sink)
    elif mode == "http":
        _serve_http(argv[2])
    elif mode == "unix-echo":
        _serve_unix_echo(argv[2])
    else:
        raise SystemExit(f"unknown mode {mode!r}")


if __name__ == "__main__":
    main(sys.argv)

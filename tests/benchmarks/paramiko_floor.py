"""The least a paramiko program must do for the click: the floor under ``labtunnel connect``.

    python paramiko_floor.py HOST PORT USER KEY KNOWN_HOSTS LOCAL_PORT

Starts Python, imports paramiko (without invoke, as LabTunnel does), logs in with the
key (host key checked against KNOWN_HOSTS; TCP_NODELAY, as ``ssh`` and LabTunnel), runs
ONE command -- ``cat`` of the user's Jupyter runtime files, no login shell, no parsing
beyond ``json`` -- and forwards 127.0.0.1:LOCAL_PORT to that Jupyter, a thread per
connection. It prints the URL on
stdout, as ``labtunnel connect`` does, and when each step ended on stderr (``step <name>
<time.perf_counter()>``: CLOCK_MONOTONIC on Linux, the same clock in every process). No
error handling, no reconnects, no checks: everything LabTunnel does beyond this costs time
on top of it (click_time.py).
"""

from __future__ import annotations

import time

STARTED = time.perf_counter()  # the interpreter is up

import json  # noqa: E402
import socket  # noqa: E402
import sys  # noqa: E402
import threading  # noqa: E402

sys.modules.setdefault("invoke", None)  # type: ignore[arg-type]
import paramiko  # noqa: E402

RUNTIME = "cat ~/.local/share/jupyter/runtime/jpserver-*.json"


def step(name: str, at: float | None = None) -> None:
    at = time.perf_counter() if at is None else at
    print(f"step {name} {at:.6f}", file=sys.stderr, flush=True)


def pipe(a: socket.socket | paramiko.Channel, b: socket.socket | paramiko.Channel) -> None:
    try:
        while data := a.recv(65536):
            b.sendall(data)
    except OSError:
        pass
    finally:
        b.close()


def serve(transport: paramiko.Transport, listener: socket.socket, port: int) -> None:
    while True:
        client, origin = listener.accept()
        client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        channel = transport.open_channel("direct-tcpip", ("127.0.0.1", port), origin)
        threading.Thread(target=pipe, args=(client, channel), daemon=True).start()
        threading.Thread(target=pipe, args=(channel, client), daemon=True).start()


def main() -> None:
    host, port, user, key_path, known_hosts, local_port = sys.argv[1:7]
    step("python", STARTED)
    step("imported")
    known = paramiko.HostKeys(known_hosts)
    sock = socket.create_connection((host, int(port)))
    # without it, Nagle and delayed ACKs hold small packets back by ~40 ms (LabTunnel and
    # OpenSSH set it too)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    transport = paramiko.Transport(sock)
    transport.start_client()
    key = transport.get_remote_server_key()
    trusted = known.lookup(f"[{host}]:{port}" if port != "22" else host)
    if trusted is None or trusted.get(key.get_name()) != key:
        raise SystemExit("host key not known")
    step("key_exchange")
    transport.auth_publickey(user, paramiko.PKey.from_path(key_path))
    step("login")
    channel = transport.open_session()
    step("session_open")
    channel.exec_command(RUNTIME)
    output = b""
    while chunk := channel.recv(65536):
        output += chunk
    step("command")
    # the files are JSON objects one after another; the first is enough here
    info, _end = json.JSONDecoder().raw_decode(output.decode().strip())
    listener = socket.create_server(("127.0.0.1", int(local_port)))
    threading.Thread(
        target=serve, args=(transport, listener, int(info["port"])), daemon=True
    ).start()
    print(f"http://127.0.0.1:{local_port}/lab?token={info['token']}", flush=True)
    step("url")
    threading.Event().wait()


if __name__ == "__main__":
    main()

"""A Jupyter that LabTunnel starts listens on a private Unix socket, against the real lab
server: a real sshd, real users, a real JupyterLab. Reachable only by its owner; the
browser's path works through it (HTTP, websockets, a kernel running code); found again
after an sshd restart; several users starting at once do not clash; the fallbacks to TCP
(sshd refusing, Dropbear, a Jupyter without --sock) are said; the GPU picked at start
reaches Jupyter and its kernels."""

from __future__ import annotations

import contextlib
import json
import os
import stat
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from tests.harness import LabServer, TestUser
from tests.harness.dropbear import DropbearServer, start_dropbear
from tests.harness.nvidia_smi import install_fake_nvidia_smi, remove_fake_nvidia_smi
from tests.integration.installed_app import private_dir
from tests.integration.test_jupyter_real import execute, http_call, kill_if_users
from tests.integration.test_kernels_real import kernel_pid, start_kernel
from tests.integration.tunnel_helpers import EventLog, http_get, jupyter_target, make_tunnel

from labtunnel.core.events import TunnelState, TunnelStatus
from labtunnel.core.jupyter.manager import JupyterManager
from labtunnel.core.jupyter.server import JupyterServer
from labtunnel.core.jupyter.sockets import SocketFallback
from labtunnel.core.profiles.model import GpuSetting, JupyterSpec
from labtunnel.core.profiles.remembered import RememberedServers
from labtunnel.core.ssh.hostkeys import HostKeyStore, host_entry_name
from labtunnel.core.tunnel.tunnel import Tunnel
from labtunnel.messages.glance import describe_listen

pytestmark = pytest.mark.integration

SOCKET_DIR = ".local/share/labtunnel/run"


def token_of(status: TunnelStatus) -> str:
    assert status.local_url
    return parse_qs(urlsplit(status.local_url).query)["token"][0]


def own_servers(tunnel: Tunnel) -> JupyterServer:
    server = tunnel.jupyter_server
    assert server is not None
    return server


def stop_jupyter(tunnel: Tunnel, user: TestUser) -> None:
    """Stop the tunnel and its Jupyter (kill by pid as the last resort)."""
    server = tunnel.jupyter_server
    tunnel.stop(stop_jupyter=True)
    tunnel.join(30)
    if server is not None:
        kill_if_users(server.pid, user)


def tcp_listeners_of(pid: int) -> list[str]:
    """The TCP ports process ``pid`` listens on (seen in its own network namespace)."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        with contextlib.suppress(OSError):
            target = os.readlink(fd)
            if target.startswith("socket:["):
                inodes.add(target[8:-1])
    ports = []
    for table in ("tcp", "tcp6"):
        for line in Path(f"/proc/{pid}/net/{table}").read_text().splitlines()[1:]:
            fields = line.split()
            if fields[3] == "0A" and fields[9] in inodes:  # LISTEN
                ports.append(fields[1])
    return ports


def connect_as(other: LabServer, user: TestUser, path: str) -> str:
    """What happens when ``user`` connects to the socket at ``path`` on the server."""
    code = (
        "import socket, sys\n"
        "s = socket.socket(socket.AF_UNIX)\n"
        "try:\n    s.connect(sys.argv[1])\n"
        "except PermissionError:\n    print('denied')\n"
        "except OSError as e:\n    print(type(e).__name__)\n"
        "else:\n    print('connected')\n"
    )
    return other.ns_exec(["/usr/bin/python3", "-c", code, path], user, check=True).stdout.strip()


@pytest.fixture
def started(lab_server: LabServer) -> Iterator[list[tuple[Tunnel, TestUser]]]:
    """Tunnels a test started: stopped, with their Jupyter, afterwards."""
    lab_server.require_jupyter()
    lab_server.require_password_auth()
    tunnels: list[tuple[Tunnel, TestUser]] = []
    yield tunnels
    for tunnel, user in tunnels:
        stop_jupyter(tunnel, user)


def start(
    lab: LabServer,
    hostkeys: HostKeyStore,
    tmp_path: Path,
    started: list[tuple[Tunnel, TestUser]],
    *,
    user: TestUser | None = None,
    port: int | None = None,
    target: JupyterSpec | None = None,
    timeout: float = 90,
) -> tuple[Tunnel, EventLog, TunnelStatus]:
    log = EventLog()
    tunnel, _ = make_tunnel(
        lab, hostkeys, tmp_path, target or jupyter_target(lab), log, port=port, user=user
    )
    started.append((tunnel, user or lab.user))
    tunnel.start()
    _, status = log.wait_for(
        lambda s: s.state in (TunnelState.CONNECTED, TunnelState.FAILED), timeout
    )
    assert status.state is TunnelState.CONNECTED, status.error
    return tunnel, log, status


def test_new_jupyter_is_on_a_private_socket_and_the_browser_path_works(
    lab_server: LabServer,
    trusted_hostkeys: HostKeyStore,
    tmp_path: Path,
    started: list[tuple[Tunnel, TestUser]],
) -> None:
    lab = lab_server
    t0 = time.monotonic()
    tunnel, _, status = start(lab, trusted_hostkeys, tmp_path, started)
    print(f"\nconnect with a new Jupyter on a socket: {time.monotonic() - t0:.1f} s")
    details = status.jupyter
    assert details is not None and details.launch is not None
    assert details.launch.socket_fallback is None
    folder = f"{lab.user.home}/{SOCKET_DIR}"
    assert details.sock.startswith(folder + "/jupyter-") and details.port == 0
    info = os.stat(folder)
    assert (stat.S_IMODE(info.st_mode), info.st_uid) == (0o700, lab.user.uid)
    sock = os.stat(details.sock)
    assert stat.S_ISSOCK(sock.st_mode) and sock.st_uid == lab.user.uid
    assert stat.S_IMODE(sock.st_mode) & 0o077 == 0
    assert "nobody else" in describe_listen(details).text
    server = own_servers(tunnel)
    assert server.pid is not None and tcp_listeners_of(server.pid) == []  # no port at all
    # remembered for the next start of the app (a socket server has port 0)
    again = RememberedServers(tmp_path / "state.json").get(tunnel.profile.id)
    assert again is not None and (again.pid, again.port) == (server.pid, 0)

    # another user of the server cannot even connect
    other = lab.require_other_user()
    assert connect_as(lab, other, details.sock) == "denied"
    assert connect_as(lab, lab.user, details.sock) == "connected"

    # the browser's path: the page with the token, the API, a kernel over its websocket
    port = status.local_port
    assert port is not None
    token = token_of(status)
    code, page = http_get(port, urlsplit(status.local_url or "").path + f"?token={token}")
    assert code == 200 and b"JupyterLab" in page
    assert http_call(port, "GET", f"{server.base_url}api/status", token)[0] == 200
    assert http_call(port, "GET", f"{server.base_url}api/status", None)[0] == 403
    t0 = time.monotonic()
    assert execute(port, server, "sum(range(10))") == "45"
    print(f"kernel over the socket: {time.monotonic() - t0:.2f} s")


def test_found_again_after_an_sshd_restart(
    lab_server: LabServer,
    trusted_hostkeys: HostKeyStore,
    tmp_path: Path,
    started: list[tuple[Tunnel, TestUser]],
) -> None:
    tunnel, log, status = start(lab_server, trusted_hostkeys, tmp_path, started)
    before = own_servers(tunnel)
    lab_server.kill_sshd()
    killed = time.monotonic()
    log.wait_state(TunnelState.RECONNECTING, 15, after=killed)
    time.sleep(2)
    lab_server.start_sshd()
    back = time.monotonic()
    _, again = log.wait_state(TunnelState.CONNECTED, 30, after=back)
    print(f"\nsocket Jupyter answering again {time.monotonic() - back:.1f} s after sshd is back")
    after = own_servers(tunnel)
    assert (after.pid, after.sock, after.token) == (before.pid, before.sock, before.token)
    assert again.local_port == status.local_port and again.jupyter is not None
    # the same server (its pid: not started again), and what the tray says of how it
    # was started (socket, GPUs) stays
    assert status.jupyter is not None and status.jupyter.launch is not None
    assert again.jupyter.launch == status.jupyter.launch
    assert http_call(again.local_port or 0, "GET", "/api/status", token_of(again))[0] == 200


def test_several_users_starting_at_once_do_not_clash(
    lab_server: LabServer,
    trusted_hostkeys: HostKeyStore,
    tmp_path: Path,
    started: list[tuple[Tunnel, TestUser]],
) -> None:
    users = [lab_server.add_user(f"sock{i}") for i in range(3)]
    results: dict[str, TunnelStatus] = {}
    errors: list[BaseException] = []

    def one(user: TestUser) -> None:
        try:
            _, _, status = start(
                lab_server, trusted_hostkeys, tmp_path / user.name, started, user=user
            )
            results[user.name] = status
        except BaseException as exc:  # reported below
            errors.append(exc)

    for user in users:
        (tmp_path / user.name).mkdir()
    threads = [threading.Thread(target=one, args=(user,)) for user in users]
    t0 = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(150)
    print(f"\n{len(users)} users connected at once in {time.monotonic() - t0:.1f} s")
    assert errors == []
    sockets = {name: status.jupyter.sock for name, status in results.items() if status.jupyter}
    assert len(set(sockets.values())) == len(users)
    for user in users:
        status = results[user.name]
        assert sockets[user.name].startswith(f"{user.home}/{SOCKET_DIR}/")
        assert os.stat(sockets[user.name]).st_uid == user.uid
        port = status.local_port or 0
        assert http_call(port, "GET", "/api/status", token_of(status))[0] == 200
        # and nobody else's token works on it
        others = [token_of(results[u.name]) for u in users if u is not user]
        assert all(http_call(port, "GET", "/api/status", t)[0] == 403 for t in others)


def test_sshd_that_refuses_socket_forwarding_falls_back_to_tcp_and_says_so(
    lab_server: LabServer,
    trusted_hostkeys: HostKeyStore,
    tmp_path: Path,
    started: list[tuple[Tunnel, TestUser]],
    caplog: pytest.LogCaptureFixture,
) -> None:
    user = lab_server.add_user("nostream")
    port = lab_server.start_sshd_variant(["AllowStreamLocalForwarding no"])
    for line in lab_server.host_public_keys.values():
        key_type, key = line.split()[:2]
        trusted_hostkeys.trust(lab_server.host, port, key_type, key)
    try:
        with caplog.at_level("INFO"):
            _, _, status = start(
                lab_server, trusted_hostkeys, tmp_path, started, user=user, port=port
            )
        details = status.jupyter
        assert details is not None and details.launch is not None
        assert details.sock == "" and details.port > 0
        assert details.launch.socket_fallback is SocketFallback.SSHD_REFUSES
        assert "AllowStreamLocalForwarding" in describe_listen(details).text
        assert "sshd_refuses" in caplog.text
        assert http_call(status.local_port or 0, "GET", "/api/status", token_of(status))[0] == 200
    finally:
        lab_server.stop_sshd_variant(port)


@pytest.fixture(scope="module")
def dropbear(lab_server: LabServer) -> Iterator[DropbearServer]:
    with private_dir("dropbear-sockjupyter") as work:
        server = start_dropbear(lab_server, work)
        try:
            yield server
        finally:
            server.close()


def test_dropbear_falls_back_to_tcp_and_says_so(
    dropbear: DropbearServer,
    trusted_hostkeys: HostKeyStore,
    tmp_path: Path,
    started: list[tuple[Tunnel, TestUser]],
) -> None:
    lab = dropbear.lab
    user = lab.add_user("dropsock")
    name = host_entry_name(dropbear.host, dropbear.port)
    known = tmp_path / "dropbear_known_hosts"
    known.write_text("".join(f"{name} {line}\n" for line in dropbear.host_public_keys.values()))
    _, _, status = start(lab, HostKeyStore(known), tmp_path, started, user=user, port=dropbear.port)
    details = status.jupyter
    assert details is not None and details.launch is not None
    assert details.launch.socket_fallback is SocketFallback.SSH_SERVER_UNSUPPORTED
    assert "Dropbear" in describe_listen(details).text
    assert http_call(status.local_port or 0, "GET", "/api/status", token_of(status))[0] == 200


OLD_JUPYTER = """#!/bin/sh
# a Jupyter from before --sock: traitlets warns about the unknown option and goes on
for arg in "$@"; do
  case $arg in --sock=*) echo "[W] Unrecognized alias: 'sock', it will have no effect." >&2;;
  *) set -- "$@" "$arg";; esac
  shift
done
exec {real} "$@"
"""


def test_jupyter_without_sock_falls_back_to_tcp_and_says_so(
    lab_server: LabServer,
    trusted_hostkeys: HostKeyStore,
    tmp_path: Path,
    started: list[tuple[Tunnel, TestUser]],
) -> None:
    user = lab_server.add_user("oldjup")
    wrapper = lab_server.write_user_file(
        user, "old-jupyter/bin/jupyter", OLD_JUPYTER.format(real=lab_server.jupyter_bin), 0o755
    )
    target = JupyterSpec(env=wrapper)
    _, _, status = start(lab_server, trusted_hostkeys, tmp_path, started, user=user, target=target)
    details = status.jupyter
    assert details is not None and details.launch is not None
    assert details.launch.socket_fallback is SocketFallback.JUPYTER_TOO_OLD
    assert details.sock == "" and details.port > 0
    assert "too old" in describe_listen(details).text
    # the server started first (on Jupyter's default port) is not left behind
    seen = JupyterManager(started[-1][0].session, target, remembered=None, profile_id="x")  # type: ignore[arg-type]
    assert [s.port for s in seen.list_servers()] == [details.port]


def environ_of(pid: int) -> dict[str, str]:
    raw = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    return dict(item.decode().split("=", 1) for item in raw if b"=" in item)


@pytest.mark.parametrize(
    ("scenario", "setting", "expected"),
    [
        ("r535-two-gpus", "any", "1"),  # GPU 0 is busy
        ("r535-two-gpus", "0", "0"),
        ("r470-idle", "all", "0,1,2,3"),
        ("r535-two-gpus", "none", ""),
        (None, "any", None),  # no nvidia-smi: nothing set
    ],
)
def test_the_gpu_picked_at_start_reaches_jupyter_and_its_kernels(
    lab_server: LabServer,
    trusted_hostkeys: HostKeyStore,
    tmp_path: Path,
    started: list[tuple[Tunnel, TestUser]],
    scenario: str | None,
    setting: str,
    expected: str | None,
) -> None:
    user = lab_server.add_user(f"gpu{setting.replace(',', '')}{'x' if scenario else 'n'}")
    if scenario is not None:
        install_fake_nvidia_smi(lab_server, user, scenario, {"kernel": 1})
    try:
        target = JupyterSpec(env=lab_server.jupyter_venv, gpu=GpuSetting.parse(setting))
        tunnel, _, status = start(
            lab_server, trusted_hostkeys, tmp_path, started, user=user, target=target
        )
        server = own_servers(tunnel)
        assert server.pid is not None
        assert environ_of(server.pid).get("CUDA_VISIBLE_DEVICES") == expected
        details = status.jupyter
        assert details is not None and details.launch is not None
        assert details.launch.gpu is not None
        assert details.launch.gpu.visible_devices == expected
        # a kernel it starts inherits it
        port = status.local_port or 0
        kernel_id = start_kernel(port, server, None)
        try:
            pid = kernel_pid(user, kernel_id)
            assert environ_of(pid).get("CUDA_VISIBLE_DEVICES") == expected
        finally:
            http_call(port, "DELETE", f"/api/kernels/{kernel_id}", token_of(status))
    finally:
        remove_fake_nvidia_smi(lab_server, user)


def test_gpu_info_is_not_a_secret_and_json_has_no_token(
    lab_server: LabServer,
    trusted_hostkeys: HostKeyStore,
    tmp_path: Path,
    started: list[tuple[Tunnel, TestUser]],
) -> None:
    """The details the tray gets carry no token (they are logged in repr)."""
    _, _, status = start(lab_server, trusted_hostkeys, tmp_path, started)
    assert token_of(status) not in repr(status.jupyter)
    assert token_of(status) not in json.dumps(repr(status))

"""Several forwards per server, on the real lab server: Jupyter (or a service) plus named
extra forwards on one SSH session, each on its own local port, bytes checked; a dead one
reported without touching the rest; all kept on the same ports across an sshd restart;
and `labtunnel connect` printing them."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from tests.harness import HttpService, LabServer, ServiceFactory
from tests.integration.test_cli_real import ConnectProcess, add_password_profile, cli_env, fetch
from tests.integration.tunnel_helpers import EventLog, http_get, make_tunnel, remote_target

from labtunnel.core.events import ForwardState, TunnelState, TunnelStatus
from labtunnel.core.profiles.model import NamedForward
from labtunnel.core.ssh.hostkeys import HostKeyStore

pytestmark = pytest.mark.integration


def dead_port(services: ServiceFactory) -> int:
    """A port on the server's loopback where nothing listens (a service that was killed)."""
    echo = services.echo()
    services.close()
    return echo.port


def fetch_all(ports: dict[str, int], blobs: dict[str, HttpService]) -> dict[str, str]:
    """Each blob through its own local port, all at once; name -> sha256 of what came."""
    digests: dict[str, str] = {}

    def one(name: str) -> None:
        status, body = http_get(ports[name], blobs[name].url_path, timeout=20)
        assert status == 200
        digests[name] = hashlib.sha256(body).hexdigest()

    threads = [threading.Thread(target=one, args=(name,)) for name in blobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return digests


def by_name(status: TunnelStatus) -> dict[str, tuple[int | None, ForwardState]]:
    return {f.name: (f.local_port, f.state) for f in status.forwards}


def test_several_forwards_one_dead_all_kept_across_an_sshd_restart(
    lab_server: LabServer,
    trusted_hostkeys: HostKeyStore,
    tmp_path: Path,
    remote_services: ServiceFactory,
) -> None:
    lab_server.require_password_auth()
    nothing = dead_port(ServiceFactory(lab_server))
    main = remote_services.http(size=3 << 20)
    board = remote_services.http(size=2 << 20)
    mlflow = remote_services.http(size=1 << 20)
    forwards = (
        NamedForward("TensorBoard", board.host, board.port),
        NamedForward("MLflow UI", mlflow.host, mlflow.port),
        NamedForward("Dashboard", "127.0.0.1", nothing),
    )
    log = EventLog()
    tunnel, _ = make_tunnel(
        lab_server,
        trusted_hostkeys,
        tmp_path,
        remote_target(main.host, main.port),
        log,
        forwards=forwards,
    )
    tunnel.start()
    try:
        _, connected = log.wait_state(TunnelState.CONNECTED, 30)
        first = by_name(connected)
        assert [f.name for f in connected.forwards] == ["TensorBoard", "MLflow UI", "Dashboard"]
        assert first["TensorBoard"][1] is ForwardState.ANSWERING
        assert first["MLflow UI"][1] is ForwardState.ANSWERING
        assert first["Dashboard"][1] is ForwardState.NOT_ANSWERING
        ports = {name: port for name, (port, _) in first.items() if port}
        assert len({connected.local_port, *ports.values()}) == 4  # each its own local port
        ports["main"] = connected.local_port or 0
        blobs = {"main": main, "TensorBoard": board, "MLflow UI": mlflow}
        digests = fetch_all(ports, blobs)
        assert digests == {name: blob.sha256 for name, blob in blobs.items()}

        # a browser on the dead one: its connection closes, nothing else moves
        with pytest.raises(OSError):
            http_get(ports["Dashboard"], "/", timeout=5)
        assert http_get(ports["main"], main.url_path)[0] == 200
        assert TunnelState.RECONNECTING not in log.states()
        assert tunnel.status.state is TunnelState.CONNECTED

        lab_server.kill_sshd()
        killed = time.monotonic()
        log.wait_state(TunnelState.RECONNECTING, 15, after=killed)
        time.sleep(1)
        lab_server.start_sshd()
        _, again = log.wait_state(TunnelState.CONNECTED, 20, after=killed)
        assert again.was_connected
        assert again.local_port == connected.local_port
        assert by_name(again) == first  # same ports, same states
        assert fetch_all(ports, blobs) == {name: blob.sha256 for name, blob in blobs.items()}
    finally:
        tunnel.stop()
        assert tunnel.join(10)
    # the local ports are free again
    for port in ports.values():
        with pytest.raises(OSError):
            http_get(port, "/", timeout=2)


def test_a_forward_that_starts_answering_is_reported(
    lab_server: LabServer,
    trusted_hostkeys: HostKeyStore,
    tmp_path: Path,
    http_service: HttpService,
) -> None:
    """TensorBoard started after connecting: the first browser request through its port
    finds it, and the tunnel says it answers now (no reconnect, same port)."""
    lab_server.require_password_auth()
    later = dead_port(ServiceFactory(lab_server))
    log = EventLog()
    tunnel, profile = make_tunnel(
        lab_server,
        trusted_hostkeys,
        tmp_path,
        remote_target(http_service.host, http_service.port),
        log,
        forwards=(NamedForward("TensorBoard", "127.0.0.1", later),),
    )
    tunnel.start()
    server = None
    try:
        _, connected = log.wait_state(TunnelState.CONNECTED, 30)
        (board,) = connected.forwards
        assert board.state is ForwardState.NOT_ANSWERING and board.local_port
        server = lab_server.ns_popen(
            ["/usr/bin/python3", "-m", "http.server", str(later), "--bind", "127.0.0.1"],
            lab_server.user,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 15
        while True:
            try:
                if http_get(board.local_port, "/", timeout=3)[0] == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, "TensorBoard never answered"
            time.sleep(0.3)
        _, now = log.wait_for(
            lambda s: bool(s.forwards) and s.forwards[0].state is ForwardState.ANSWERING, 10
        )
        assert now.state is TunnelState.CONNECTED
        assert now.forwards[0].local_port == board.local_port
        assert TunnelState.RECONNECTING not in log.states()
    finally:
        if server is not None:
            server.kill()
            server.wait()
        tunnel.stop()
        assert tunnel.join(10)
    # the port is remembered for the next run, by name
    remembered = tunnel._deps.remembered
    assert remembered.forward_port(profile.id, "TensorBoard") == board.local_port


def test_cli_prints_jupyter_first_then_each_extra_forward(
    lab_server: LabServer,
    config_dir: Path,
    real_keyring: str,
    remote_services: ServiceFactory,
) -> None:
    """`profile add --forward`, `profile set --forward/--remove-forward`, then `connect`:
    the URL first on stdout, a NAME URL line per extra on stderr; `--json` has them all."""
    lab_server.require_password_auth()
    jupyter = lab_server.require_jupyter()
    board = remote_services.http()
    nothing = dead_port(ServiceFactory(lab_server))
    env = cli_env(config_dir, real_keyring)
    added = add_password_profile(
        lab_server,
        env,
        "lab",
        "--jupyter-env",
        jupyter,
        "--forward",
        f"TensorBoard={board.host}:{board.port}",
        "--forward",
        "Old=127.0.0.1:1",
    )
    assert added.returncode == 0, added.stderr
    changed = run_cli(env, "profile", "set", "lab", "--forward", f"Dashboard=127.0.0.1:{nothing}")
    assert changed.returncode == 0, changed.stderr
    removed = run_cli(env, "profile", "set", "lab", "--remove-forward", "old")
    assert removed.returncode == 0, removed.stderr
    unknown = run_cli(env, "profile", "set", "lab", "--remove-forward", "Nope")
    assert unknown.returncode == 1
    assert "no extra forward called “Nope”" in unknown.stderr
    bad = run_cli(env, "profile", "set", "lab", "--forward", "TensorBoard")
    assert bad.returncode == 1 and "NAME=HOST:PORT" in bad.stderr
    shown = json.loads(run_cli(env, "profile", "show", "lab", "--json").stdout)
    assert [f["name"] for f in shown["forwards"]] == ["TensorBoard", "Dashboard"]

    connect = ConnectProcess(env, "lab", "--accept-new-host-key")
    try:
        url = connect.first_line(timeout=120)
        assert url.startswith("http://127.0.0.1:")
    finally:
        assert connect.stop() == 0
    stderr = connect.stderr()
    board_lines = [line for line in stderr.splitlines() if line.startswith("TensorBoard ")]
    assert len(board_lines) == 1, stderr
    board_url = board_lines[0].split()[-1]
    assert any(line.startswith("Dashboard http://127.0.0.1:") for line in stderr.splitlines())
    assert f"Dashboard: nothing answers at 127.0.0.1:{nothing} on the server yet." in stderr

    as_json = ConnectProcess(env, "lab", "--json")
    try:
        document = json.loads(as_json.first_line(timeout=120))
        assert document["url"] == url  # the same Jupyter on the same local port
        forwards = {f["name"]: f for f in document["forwards"]}
        assert forwards["TensorBoard"]["url"] == board_url  # same port as last time
        assert forwards["TensorBoard"]["state"] == "answering"
        assert forwards["Dashboard"]["state"] == "not_answering"
        assert forwards["Dashboard"]["remote"] == f"127.0.0.1:{nothing}"
        status, body = fetch(board_url, board.url_path)
        assert status == 200 and hashlib.sha256(body).hexdigest() == board.sha256
    finally:
        assert as_json.stop() == 0
        # the Jupyter this test started is not left for the next test to find
        stopped = run_cli(env, "jupyter", "stop", "lab")
        assert stopped.returncode == 0, stopped.stderr


def run_cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "labtunnel", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )

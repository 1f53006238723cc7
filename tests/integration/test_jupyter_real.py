"""Issue 3 against the real lab server: a real sshd in a network namespace, real Unix users,
a real JupyterLab bound to the server's 127.0.0.1 (reachable only through SSH), our real
SshSession and LocalForwarder.

Other modules of the same pytest session use the same test user and may leave servers
running (a tunnel's "Disconnect" leaves Jupyter up by design): the module fixture stops
the user's servers once before these tests, so "none runs" holds where it is needed.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import signal
import socket
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.harness import LabServer, TestUser
from tests.harness._proc import pids_of_uid
from tests.harness.websocket import WebSocket

from labtunnel.core.errors import JupyterNotFound
from labtunnel.core.jupyter.manager import JupyterManager
from labtunnel.core.jupyter.server import JupyterServer, StopOutcome
from labtunnel.core.profiles.model import AuthMethod, JupyterApp, JupyterSpec
from labtunnel.core.profiles.remembered import RememberedServers
from labtunnel.core.server.stats import GpuStat, gather_server_stats
from labtunnel.core.ssh.auth import Credentials
from labtunnel.core.ssh.hostkeys import HostKeyStore
from labtunnel.core.ssh.session import SshEndpoint, SshSession
from labtunnel.core.tunnel.forwarder import LocalForwarder

pytestmark = pytest.mark.integration

FIGURES: dict[str, float] = {}


def open_session(lab: LabServer, user: TestUser, tmp_path: Path) -> SshSession:
    """Key login; the host key must be one of the harness's (pinned), nothing auto-added."""
    endpoint = SshEndpoint(
        host=lab.host,
        port=lab.port,
        username=user.name,
        auth=AuthMethod.KEY,
        key_path=str(lab.keys.ed25519),
        pinned_fingerprints=tuple(lab.host_key_fingerprints.values()),
        connect_timeout=10,
    )
    return SshSession.open(endpoint, Credentials(), HostKeyStore(tmp_path / "known_hosts"))


def user_pids(lab: LabServer, user: TestUser) -> set[int]:
    """The user's running processes; zombies do not count (where PID 1 reaps no orphans,
    as here, a stopped Jupyter stays one)."""
    return set(pids_of_uid(user.uid))


def kill_if_users(pid: int | None, user: TestUser) -> None:
    """Kill a server we started (by PID), only while that PID still belongs to the user."""
    if pid is None:
        return
    with contextlib.suppress(OSError):
        if Path(f"/proc/{pid}").stat().st_uid == user.uid:
            os.kill(pid, signal.SIGKILL)


@pytest.fixture(scope="module")
def lab(lab_server: LabServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LabServer]:
    lab_server.require_jupyter()
    tmp = tmp_path_factory.mktemp("jupyter-real")
    users = [lab_server.user]
    if lab_server.other_user is not None:
        users.append(lab_server.other_user)
    for user in users:
        session = open_session(lab_server, user, tmp)
        try:
            jm = JupyterManager(
                session, JupyterSpec(env=lab_server.jupyter_venv), remembered=None, profile_id="x"
            )
            for server in jm.list_servers():
                jm.stop(server)
        finally:
            session.close()
    yield lab_server
    if FIGURES:
        print("\njupyter figures: " + ", ".join(f"{k} {v:.2f} s" for k, v in FIGURES.items()))


@pytest.fixture
def started(lab: LabServer) -> Iterator[list[JupyterServer]]:
    """Servers a test started: killed by PID afterwards if the test did not stop them."""
    servers: list[JupyterServer] = []
    yield servers
    for server in servers:
        kill_if_users(server.pid, lab.user)
        if lab.other_user is not None:
            kill_if_users(server.pid, lab.other_user)


def manager(
    session: SshSession, lab: LabServer, state: Path, profile_id: str = "it", **spec: Any
) -> JupyterManager:
    spec.setdefault("env", lab.jupyter_venv)
    return JupyterManager(
        session, JupyterSpec(**spec), remembered=RememberedServers(state), profile_id=profile_id
    )


def http_call(
    port: int, method: str, path: str, token: str | None, body: str | None = None
) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Host": f"127.0.0.1:{port}"}
    if token:
        headers["Authorization"] = f"token {token}"
    if body is not None:
        headers["Content-Type"] = "application/json"
    try:
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


def execute(port: int, server: JupyterServer, code: str) -> str:
    """Start a kernel through the tunnel, run ``code`` over its websocket, return text/plain."""
    status, _, body = http_call(
        port, "POST", f"{server.base_url}api/kernels", server.token, json.dumps({"name": "python3"})
    )
    assert status == 201, body
    kernel_id = json.loads(body)["id"]
    session_id = uuid.uuid4().hex
    ws = WebSocket(
        port,
        f"{server.base_url}api/kernels/{kernel_id}/channels?session_id={session_id}",
        server.token,
    )
    try:
        msg_id = uuid.uuid4().hex
        ws.send_text(
            json.dumps(
                {
                    "header": {
                        "msg_id": msg_id,
                        "username": "labtunnel-test",
                        "session": session_id,
                        "msg_type": "execute_request",
                        "version": "5.3",
                        "date": "2024-01-01T00:00:00Z",
                    },
                    "parent_header": {},
                    "metadata": {},
                    "content": {
                        "code": code,
                        "silent": False,
                        "store_history": False,
                        "user_expressions": {},
                        "allow_stdin": False,
                        "stop_on_error": True,
                    },
                    "channel": "shell",
                    "buffers": [],
                }
            )
        )
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            message = json.loads(ws.receive())
            if message.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind = message["header"]["msg_type"]
            if kind == "execute_result":
                return str(message["content"]["data"]["text/plain"])
            if kind == "error":
                raise AssertionError(f"kernel error: {message['content'].get('ename')}")
        raise AssertionError("no execute_result within 90 s")
    finally:
        ws.close()
        http_call(port, "DELETE", f"{server.base_url}api/kernels/{kernel_id}", server.token)


# --- the tests ----------------------------------------------------------------------------


def test_missing_jupyter_says_what_was_tried(lab: LabServer, tmp_path: Path) -> None:
    session = open_session(lab, lab.user, tmp_path)
    try:
        with pytest.raises(JupyterNotFound) as caught:
            manager(session, lab, tmp_path / "state.json", env="").find_or_start()
        error = caught.value
        assert (error.reason, error.command_tried) == ("not_on_path", "jupyter")
        assert "/usr/bin" in error.search_path  # the PATH of the user's login shell
        assert lab.jupyter_bin in error.candidates  # "did you mean" for the profile editor
        with pytest.raises(JupyterNotFound) as caught:
            manager(session, lab, tmp_path / "state.json", env="~/no-such-venv").list_servers()
        assert caught.value.reason == "env_missing"
        with pytest.raises(JupyterNotFound) as caught:
            manager(session, lab, tmp_path / "state.json", env="torch").list_servers()
        assert caught.value.reason == "conda_missing"
        assert caught.value.command_tried == "conda activate torch && jupyter"
    finally:
        session.close()


def test_start_when_none_runs_then_reuse_after_reconnect(
    lab: LabServer, tmp_path: Path, started: list[JupyterServer]
) -> None:
    state = tmp_path / "state.json"
    first = open_session(lab, lab.user, tmp_path)
    try:
        jm = manager(first, lab, state)
        assert jm.find() is None
        steps: list[str] = []
        t0 = time.monotonic()
        server = jm.find_or_start(steps.append)
        FIGURES["start"] = time.monotonic() - t0
        started.append(server)
        assert steps == ["starting_jupyter", "waiting_jupyter"]
        assert server.host == "127.0.0.1" and server.port != 8888
        assert server.app is JupyterApp.LAB
        assert server.root_dir == lab.user.home
        assert len(server.token) >= 32
        assert server.pid in user_pids(lab, lab.user)
        # nothing on the server's command lines carries the token
        for pid in user_pids(lab, lab.user):
            with contextlib.suppress(OSError):
                cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
                assert server.token.encode() not in cmdline
    finally:
        first.close()  # "disconnect": Jupyter must keep running

    second = open_session(lab, lab.user, tmp_path)
    try:
        again = manager(second, lab, state)
        t0 = time.monotonic()
        found = again.find_or_start()
        FIGURES["find"] = time.monotonic() - t0
        assert (found.pid, found.port, found.token) == (server.pid, server.port, server.token)
        assert found.app is JupyterApp.LAB  # remembered: this profile started it
        assert again.is_alive(found)
        t0 = time.monotonic()
        assert again.stop(found) is StopOutcome.REST
        FIGURES["stop"] = time.monotonic() - t0
        assert again.list_servers() == []
        assert RememberedServers(state).get("it") is None
    finally:
        second.close()


def test_token_url_status_kernel_and_stop_through_the_tunnel(
    lab: LabServer, tmp_path: Path, started: list[JupyterServer]
) -> None:
    session = open_session(lab, lab.user, tmp_path)
    try:
        jm = manager(session, lab, tmp_path / "state.json", workdir="~")
        server = jm.find_or_start()
        started.append(server)
        if lab.netns is not None:
            # only through SSH: the server's 127.0.0.1 is not reachable from here
            with pytest.raises(OSError), socket.create_connection((lab.host, server.port), 2):
                pass
        with LocalForwarder(session.open_channel, (server.host, server.port)) as forward:
            port = forward.port
            assert jm.probe_local(port, server, 10.0)
            base = server.base_url
            assert http_call(port, "GET", f"{base}api/status", server.token)[0] == 200
            assert http_call(port, "GET", f"{base}api/status", None)[0] == 403
            assert http_call(port, "GET", f"{base}api/status", "wrong-token")[0] == 403

            url = server.local_url(port)
            assert url.startswith(f"http://127.0.0.1:{port}{base}lab?token=")
            assert url.endswith(server.token)
            status, _, page = http_call(port, "GET", url.split(f":{port}", 1)[1], None)
            assert status == 200 and b"JupyterLab" in page
            # a server found but not started by us opens at its default page, token kept
            plain = JupyterServer(server.url, server.host, server.port, base, server.token)
            status, headers, _ = http_call(
                port, "GET", plain.local_url(port).split(f":{port}", 1)[1], None
            )
            assert status == 302 and f"token={server.token}" in headers["Location"]

            t0 = time.monotonic()
            assert execute(port, server, "1+1") == "2"
            FIGURES["kernel 1+1"] = time.monotonic() - t0

            assert jm.stop(server) is StopOutcome.REST
            assert not jm.probe_local(port, server, 5.0)
        assert not jm.is_alive(server)
        assert server.pid not in user_pids(lab, lab.user)
        assert jm.stop(server) is StopOutcome.NOT_RUNNING
    finally:
        session.close()


def test_other_users_server_is_never_listed_or_touched(
    lab: LabServer, tmp_path: Path, started: list[JupyterServer]
) -> None:
    other = lab.require_other_user()
    theirs_session = open_session(lab, other, tmp_path)
    mine_session = open_session(lab, lab.user, tmp_path)
    try:
        theirs_jm = manager(theirs_session, lab, tmp_path / "theirs.json", "same-profile-id")
        theirs = theirs_jm.find_or_start()
        started.append(theirs)
        mine = manager(mine_session, lab, tmp_path / "mine.json", "same-profile-id")
        assert all(s.pid != theirs.pid for s in mine.list_servers())
        found = mine.find()
        assert found is None or found.pid != theirs.pid
        assert mine.stop(theirs) is StopOutcome.NOT_RUNNING
        assert not mine.is_alive(theirs)  # cannot even signal-probe it
        assert theirs.pid in user_pids(lab, other)
        assert theirs_jm.is_alive(theirs)
        assert theirs_jm.stop(theirs) is StopOutcome.REST
    finally:
        mine_session.close()
        theirs_session.close()


def test_login_shell_and_absolute_jupyter_environments(
    lab: LabServer, tmp_path: Path, started: list[JupyterServer]
) -> None:
    profile = Path(lab.user.home) / ".profile"
    original = profile.read_text() if profile.exists() else None
    lab.write_user_file(
        lab.user, ".profile", (original or "") + f'\nPATH="{lab.jupyter_venv}/bin:$PATH"\n'
    )
    session = open_session(lab, lab.user, tmp_path)
    try:
        via_login = manager(session, lab, tmp_path / "a.json", "login", env="")
        server = via_login.start()
        started.append(server)
        via_absolute = manager(session, lab, tmp_path / "b.json", "abs", env=lab.jupyter_bin)
        assert server.pid in [s.pid for s in via_absolute.list_servers()]
        assert via_absolute.stop(server) is StopOutcome.REST
    finally:
        session.close()
        if original is None:
            profile.unlink()
        else:
            lab.write_user_file(lab.user, ".profile", original)


FAKE_NVIDIA_SMI = """#!/bin/sh
case "$*" in
  *--query-gpu=index,name,utilization.gpu,memory.used,memory.total*noheader,nounits*)
    echo "0, NVIDIA GeForce GTX 1080 Ti, 87, 10240, 11264"
    echo "1, NVIDIA GeForce GTX 1080 Ti, [N/A], 3, 11264"
    ;;
  *) echo "unexpected arguments: $*" >&2; exit 2;;
esac
"""


def test_server_at_a_glance_with_a_fake_nvidia_smi(lab: LabServer, tmp_path: Path) -> None:
    session = open_session(lab, lab.user, tmp_path)
    fake = Path(lab.user.home) / "bin" / "nvidia-smi"
    try:
        t0 = time.monotonic()
        before = gather_server_stats(session)
        FIGURES["stats"] = time.monotonic() - t0
        assert before.gpu_status == "absent" and before.gpus == ()
        assert before.cpu_count == os.cpu_count()
        assert before.mem_total_mib and before.mem_available_mib
        assert before.load_1 is not None
        assert before.hostname == os.uname().nodename  # a namespace shares the UTS name

        # Debian's ~/.profile puts ~/bin on PATH at login: exactly where users put tools
        lab.write_user_file(lab.user, "bin/nvidia-smi", FAKE_NVIDIA_SMI, mode=0o755)
        stats = gather_server_stats(session)
        assert stats.gpu_status == "ok"
        assert stats.gpus == (
            GpuStat(0, "NVIDIA GeForce GTX 1080 Ti", 87, 10240, 11264),
            GpuStat(1, "NVIDIA GeForce GTX 1080 Ti", None, 3, 11264),
        )
    finally:
        fake.unlink(missing_ok=True)
        session.close()

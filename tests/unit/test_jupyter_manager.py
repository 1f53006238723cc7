"""JupyterManager decisions with a scripted runner (pure logic), and probe_local against a
real local HTTP server that checks what Jupyter checks."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from tests.unit.remote_helpers import marked

from labtunnel.core.errors import (
    JupyterNotFound,
    JupyterStartFailed,
    RemoteCommandFailed,
    RemoteCommandTimeout,
    SessionLost,
)
from labtunnel.core.jupyter.manager import JupyterManager
from labtunnel.core.jupyter.server import JupyterServer
from labtunnel.core.profiles.model import JupyterApp, JupyterSpec
from labtunnel.core.profiles.remembered import RememberedServer, RememberedServers
from labtunnel.core.ssh.remote import SCRIPT_COMMAND, CommandResult

TOKEN = "f" * 48


def runtime_entry(pid: int, port: int) -> str:
    info = {"pid": pid, "port": port, "token": TOKEN, "hostname": "127.0.0.1", "base_url": "/"}
    return f"@@LT:SERVER jpserver-{pid}.json\n{json.dumps(info)}\n"


def scan(*entries: tuple[int, int], watch: str | None = None) -> CommandResult:
    text = "@@LT:RUNTIME /home/u/.local/share/jupyter/runtime\n"
    text += "".join(runtime_entry(pid, port) for pid, port in entries)
    if watch:
        text += f"@@LT:WATCH {watch}\n"
    return CommandResult(0, text, "")


Handler = Callable[[str], CommandResult]


class ScriptedRunner:
    """Answers each script by what it is (scan, start, log tail, status). Answers are
    written with plain ``@@LT:`` markers; the runner puts in the run's own marker."""

    def __init__(self, **handlers: Handler) -> None:
        self.handlers = handlers
        self.scripts: list[str] = []

    def run(self, command: str, *, timeout: float, stdin: bytes | None = None) -> CommandResult:
        assert command == SCRIPT_COMMAND
        script = (stdin or b"").decode()
        self.scripts.append(script)
        if "}STARTED" in script:
            kind = "start"
        elif "--query-gpu" in script:
            kind = "prelaunch"
        elif "--runtime-dir" in script:
            kind = "scan"
        elif '}TAIL"' in script:
            kind = "tail"
        else:
            kind = "http"
        if kind == "prelaunch" and kind not in self.handlers:
            answer = CommandResult(0, "@@LT:GPU-ABSENT\n@@LT:END\n", "")
        else:
            answer = self.handlers[kind](script)
        return CommandResult(answer.exit_status, marked(script, answer.stdout), answer.stderr)

    def count(self, needle: str) -> int:
        return sum(needle in s for s in self.scripts)


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def remembered(tmp_path: Path) -> RememberedServers:
    return RememberedServers(tmp_path / "state.json")


def make(
    runner: ScriptedRunner, remembered: RememberedServers | None, **kw: object
) -> JupyterManager:
    clock = FakeClock()
    return JupyterManager(
        runner,
        JupyterSpec(app=JupyterApp.LAB),
        remembered=remembered,
        profile_id="p1",
        clock=clock,
        sleep=clock.sleep,
        wall_clock=lambda: 1700000000.0,
        **kw,  # type: ignore[arg-type]
    )


def test_find_prefers_what_this_profile_started(remembered: RememberedServers) -> None:
    remembered.remember("p1", RememberedServer(200, 9200, 1.0, "notebook"))
    runner = ScriptedRunner(scan=lambda _s: scan((300, 9300), (200, 9200), (100, 9100)))
    server = make(runner, remembered).find()
    assert server is not None
    assert (server.pid, server.port, server.app) == (200, 9200, JupyterApp.NOTEBOOK)


def test_find_takes_the_newest_and_forgets_a_vanished_one(remembered: RememberedServers) -> None:
    remembered.remember("p1", RememberedServer(200, 9200, 1.0, "lab"))
    runner = ScriptedRunner(scan=lambda _s: scan((300, 9300), (100, 9100)))
    server = make(runner, remembered).find()
    assert server is not None and (server.pid, server.app) == (300, None)
    assert remembered.get("p1") is None


def test_same_port_other_pid_is_not_ours(remembered: RememberedServers) -> None:
    remembered.remember("p1", RememberedServer(200, 9200, 1.0, "lab"))
    runner = ScriptedRunner(scan=lambda _s: scan((100, 9100), (201, 9200)))
    server = make(runner, remembered).find()
    assert server is not None and server.pid == 100


def test_find_none_and_no_remembered_store() -> None:
    assert make(ScriptedRunner(scan=lambda _s: scan()), None).find() is None


def test_start_polls_until_listed_and_remembers(remembered: RememberedServers) -> None:
    polls = iter([scan(watch="alive"), scan(watch="alive"), scan((555, 9555), watch="alive")])
    runner = ScriptedRunner(
        scan=lambda _s: next(polls),
        start=lambda _s: CommandResult(
            0, "@@LT:STARTED 555 9555\n@@LT:LOG /home/u/.local/share/labtunnel/j.log\n", ""
        ),
    )
    steps: list[str] = []
    server = make(runner, remembered).start(steps.append)
    assert (server.pid, server.port, server.app) == (555, 9555, JupyterApp.LAB)
    assert steps == ["starting_jupyter", "waiting_jupyter"]
    assert remembered.get("p1") == RememberedServer(555, 9555, 1700000000.0, "lab")
    # the token is read back from the server, never sent in a start script
    assert all(TOKEN not in s for s in runner.scripts)


def test_find_or_start_does_not_start_when_one_runs() -> None:
    runner = ScriptedRunner(scan=lambda _s: scan((1, 9001)))
    server = make(runner, None).find_or_start()
    assert server.port == 9001
    assert runner.count("}STARTED") == 0


def test_start_timeout_uses_the_injected_clock() -> None:
    runner = ScriptedRunner(
        scan=lambda _s: scan(watch="alive"),
        start=lambda _s: CommandResult(0, "@@LT:STARTED 7 9007\n@@LT:LOG /l.log\n", ""),
        tail=lambda _s: CommandResult(0, f"@@LT:TAIL\nLoading extensions... token={TOKEN}\n", ""),
    )
    with pytest.raises(JupyterStartFailed) as caught:
        make(runner, None, start_timeout=5.0, poll_interval=0.5).start()
    assert caught.value.reason == "timeout"
    assert caught.value.log_tail == "Loading extensions... token=<redacted>"
    assert runner.count("--runtime-dir") == 11  # every 0.5 s for 5 s, and the last look


def test_start_not_found_comes_from_the_start_script() -> None:
    runner = ScriptedRunner(
        start=lambda _s: CommandResult(3, "@@LT:NOTFOUND not_on_path\n@@LT:PATH /usr/bin\n", "")
    )
    with pytest.raises(JupyterNotFound) as caught:
        make(runner, None).start()
    assert caught.value.search_path == "/usr/bin"


def test_start_script_that_says_nothing_useful() -> None:
    runner = ScriptedRunner(
        start=lambda _s: CommandResult(2, "", f"sh: 3: Syntax error token={TOKEN}\n")
    )
    with pytest.raises(JupyterStartFailed) as caught:
        make(runner, None).start()
    assert caught.value.reason == "launch_failed"
    assert "Syntax error" in caught.value.log_tail and TOKEN not in caught.value.log_tail


def test_listing_failure_is_a_remote_command_failure() -> None:
    runner = ScriptedRunner(scan=lambda _s: CommandResult(1, "", "bash: no such file\n"))
    with pytest.raises(RemoteCommandFailed) as caught:
        make(runner, None).list_servers()
    assert caught.value.exit_status == 1


SERVER = JupyterServer("u", "127.0.0.1", 9000, token=TOKEN, pid=42)


@pytest.mark.parametrize(
    ("stdout", "alive"),
    [
        ("@@LT:DEAD\n", False),
        ("@@LT:HTTP 200\n", True),
        ("@@LT:HTTP 403\n", False),
        ("@@LT:HTTP 0 ConnectionRefusedError\n", False),
        ("@@LT:NOPY\n", True),
    ],
)
def test_is_alive_answers(stdout: str, alive: bool) -> None:
    runner = ScriptedRunner(http=lambda _s: CommandResult(0, stdout, ""))
    assert make(runner, None).is_alive(SERVER) is alive


def test_is_alive_password_server_any_answer_counts() -> None:
    runner = ScriptedRunner(http=lambda _s: CommandResult(0, "@@LT:HTTP 403\n", ""))
    server = JupyterServer("u", "127.0.0.1", 9000, password=True, pid=42)
    assert make(runner, None).is_alive(server) is True


def test_is_alive_timeout_is_not_death_but_session_loss_propagates() -> None:
    def slow(_s: str) -> CommandResult:
        raise RemoteCommandTimeout("x", 1.0)

    def lost(_s: str) -> CommandResult:
        raise SessionLost("h", 22, "eof")

    assert make(ScriptedRunner(http=slow), None).is_alive(SERVER) is True
    with pytest.raises(SessionLost):
        make(ScriptedRunner(http=lost), None).is_alive(SERVER)


def test_status_failure_text_never_carries_the_token() -> None:
    runner = ScriptedRunner(http=lambda _s: CommandResult(2, "", f"line 3: LT_TOKEN={TOKEN}\n"))
    with pytest.raises(RemoteCommandFailed) as caught:
        make(runner, None).is_alive(SERVER)
    assert TOKEN not in str(caught.value)


# --- probe_local through a real socket ----------------------------------------------------


class FakeJupyterHandler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        host = self.headers.get("Host", "").rsplit(":", 1)[0]
        if host not in ("127.0.0.1", "localhost"):
            self.send_response(403)  # Jupyter's "Blocking request with non-local 'Host'"
        elif self.path != "/jh/api/status":
            self.send_response(404)
        elif self.headers.get("Authorization") != f"token {TOKEN}":
            self.send_response(403)
        else:
            self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def fake_jupyter_port() -> Iterator[int]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), FakeJupyterHandler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield int(httpd.server_address[1])
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(5)


def test_probe_local(fake_jupyter_port: int) -> None:
    jm = make(ScriptedRunner(), None)
    good = JupyterServer("u", "127.0.0.1", 1, "/jh/", token=TOKEN)
    assert jm.probe_local(fake_jupyter_port, good, 5.0) is True
    assert (
        jm.probe_local(fake_jupyter_port, JupyterServer("u", "h", 1, "/jh/", token="bad"), 5.0)
        is False
    )
    assert (
        jm.probe_local(fake_jupyter_port, JupyterServer("u", "h", 1, "/", token=TOKEN), 5.0)
        is False
    )
    password_only = JupyterServer("u", "127.0.0.1", 1, "/jh/", password=True)
    assert jm.probe_local(fake_jupyter_port, password_only, 5.0) is True


def test_probe_local_nothing_listening() -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    jm = make(ScriptedRunner(), None)
    assert jm.probe_local(port, JupyterServer("u", "127.0.0.1", 1, token=TOKEN), 2.0) is False


def test_timeouts_name_the_step_not_the_bootstrap_command() -> None:
    def slow(_s: str) -> CommandResult:
        raise RemoteCommandTimeout(SCRIPT_COMMAND, 20.0)

    with pytest.raises(RemoteCommandTimeout) as caught:
        make(ScriptedRunner(scan=slow), None).list_servers()
    assert (caught.value.command, caught.value.seconds) == ("jupyter list", 20.0)
    with pytest.raises(RemoteCommandTimeout) as caught:
        make(ScriptedRunner(start=slow), None).start()
    assert caught.value.command == "jupyter start"

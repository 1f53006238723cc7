"""The opt-in update check against a local HTTP server that answers like GitHub's
Releases API (never the internet): what it asks, what it understands, how it fails."""

from __future__ import annotations

import argparse
import json
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from labtunnel.cli import update_cmd
from labtunnel.core.updates import (
    CheckProblem,
    UpdateCheckFailed,
    check_for_update,
    is_newer,
    latest_release,
)

REPO = "lab/labtunnel"
PATH = f"/repos/{REPO}/releases/latest"


@dataclass
class FakeGitHub:
    status: int = 200
    body: bytes = b""
    delay: float = 0.0
    requests: list[tuple[str, str, dict[str, str], bytes]] = field(default_factory=list)
    base: str = ""

    def answer(self, status: int, payload: object) -> None:
        self.status = status
        self.body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()


@pytest.fixture
def github() -> Iterator[FakeGitHub]:
    fake = FakeGitHub()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            fake.requests.append(("GET", self.path, dict(self.headers.items()), body))
            time.sleep(fake.delay)
            self.send_response(fake.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(fake.body)))
            self.end_headers()
            self.wfile.write(fake.body)

        def log_message(self, *_args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    fake.base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def release(tag: str) -> dict[str, object]:
    return {
        "tag_name": tag,
        "html_url": f"https://github.com/{REPO}/releases/tag/{tag}",
        "assets": [{"name": "LabTunnel-0.2.0-setup.exe"}],
    }


def test_a_newer_release_is_found_and_only_the_request_is_sent(github: FakeGitHub) -> None:
    github.answer(200, release("v0.2.0"))
    status = check_for_update(REPO, "0.1.0", api_base=github.base, timeout=5)
    assert status.newer_available
    assert status.latest.version == "0.2.0"
    assert status.latest.page == f"https://github.com/{REPO}/releases/tag/v0.2.0"
    [(method, path, headers, body)] = github.requests
    assert (method, path, body) == ("GET", PATH, b"")  # no query, no body
    sent = {name.lower(): value for name, value in headers.items()}
    assert sent["user-agent"] == "LabTunnel"  # no version, no platform
    assert "cookie" not in sent and "authorization" not in sent
    assert set(sent) <= {"host", "user-agent", "accept", "accept-encoding", "connection"}


@pytest.mark.parametrize("tag", ["v0.1.0", "0.1.0", "v0.0.9"])
def test_the_same_or_an_older_release_is_not_newer(github: FakeGitHub, tag: str) -> None:
    github.answer(200, release(tag))
    assert not check_for_update(REPO, "0.1.0", api_base=github.base, timeout=5).newer_available


def test_no_release_yet(github: FakeGitHub) -> None:
    github.answer(404, {"message": "Not Found"})
    with pytest.raises(UpdateCheckFailed) as failed:
        latest_release(REPO, api_base=github.base, timeout=5)
    assert failed.value.problem is CheckProblem.NO_RELEASE


@pytest.mark.parametrize("status", [403, 500, 502])
def test_refused_answers(github: FakeGitHub, status: int) -> None:
    github.answer(status, {"message": "API rate limit exceeded"})
    with pytest.raises(UpdateCheckFailed) as failed:
        latest_release(REPO, api_base=github.base, timeout=5)
    assert failed.value.problem is CheckProblem.REFUSED


@pytest.mark.parametrize(
    "payload",
    [
        b"<html>captive portal</html>",
        {"tag_name": "nightly", "html_url": "https://github.com/x"},
        {"tag_name": "v1.0"},
        {"tag_name": "v1.0", "html_url": "javascript:alert(1)"},
        [1, 2, 3],
    ],
)
def test_answers_that_are_not_a_release(github: FakeGitHub, payload: object) -> None:
    github.answer(200, payload)
    with pytest.raises(UpdateCheckFailed) as failed:
        latest_release(REPO, api_base=github.base, timeout=5)
    assert failed.value.problem is CheckProblem.BAD_ANSWER


def test_offline_when_nothing_listens() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(UpdateCheckFailed) as failed:
        latest_release(REPO, api_base=f"http://127.0.0.1:{port}", timeout=5)
    assert failed.value.problem is CheckProblem.OFFLINE


def test_offline_when_the_answer_never_comes(github: FakeGitHub) -> None:
    github.answer(200, release("v9.0.0"))
    github.delay = 3.0
    started = time.monotonic()
    with pytest.raises(UpdateCheckFailed) as failed:
        latest_release(REPO, api_base=github.base, timeout=0.5)
    assert failed.value.problem is CheckProblem.OFFLINE
    assert time.monotonic() - started < 2.5


@pytest.mark.parametrize(
    ("candidate", "current", "newer"),
    [
        ("0.2.0", "0.1.0", True),
        ("0.10.0", "0.9.3", True),
        ("1.0", "0.9.9", True),
        ("0.1.0", "0.1", False),
        ("0.1.1", "0.1", True),
        ("garbage", "0.1.0", False),
    ],
)
def test_versions_compare_as_numbers(candidate: str, current: str, newer: bool) -> None:
    assert is_newer(candidate, current) is newer


# --- labtunnel check-update ------------------------------------------------------------


@pytest.mark.parametrize(
    ("tag", "status", "stdout_has", "stderr_has"),
    [
        (
            "v0.2.0",
            10,
            "https://github.com/lab/labtunnel/releases/tag/v0.2.0",
            "0.2.0 is available",
        ),
        ("v0.1.0", 0, "", "You have the latest version, LabTunnel 0.1.0."),
    ],
)
def test_check_update_command_says_what_it_found(
    github: FakeGitHub,
    capsys: pytest.CaptureFixture[str],
    tag: str,
    status: int,
    stdout_has: str,
    stderr_has: str,
) -> None:
    github.answer(200, release(tag))
    parser = command_parser(github, "0.1.0")
    args = parser.parse_args(["check-update"])
    assert args.handler(args, None) == status
    out, err = capsys.readouterr()
    assert stdout_has in out and (out.strip() == "") == (stdout_has == "")
    assert stderr_has in err


def test_check_update_command_fails_in_one_sentence_and_as_json(
    github: FakeGitHub, capsys: pytest.CaptureFixture[str]
) -> None:
    github.answer(404, {"message": "Not Found"})
    parser = command_parser(github, "0.1.0")
    args = parser.parse_args(["check-update", "--json"])
    assert args.handler(args, None) == 1
    out, err = capsys.readouterr()
    assert json.loads(out) == {"error": "no_release", "detail": ""}
    assert err.strip() == "No release of LabTunnel has been published yet."


def test_check_update_json_describes_a_newer_release(
    github: FakeGitHub, capsys: pytest.CaptureFixture[str]
) -> None:
    github.answer(200, release("v0.3.1"))
    parser = command_parser(github, "0.1.0")
    args = parser.parse_args(["check-update", "--json"])
    assert args.handler(args, None) == 10
    out, _ = capsys.readouterr()
    assert json.loads(out) == {
        "current": "0.1.0",
        "latest": "0.3.1",
        "newer": True,
        "page": "https://github.com/lab/labtunnel/releases/tag/v0.3.1",
    }


def command_parser(github: FakeGitHub, current: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="labtunnel")
    commands = parser.add_subparsers(dest="command")
    update_cmd.register(
        commands, check=lambda: check_for_update(REPO, current, api_base=github.base, timeout=5)
    )
    return parser

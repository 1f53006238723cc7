"""Pure parsing of Jupyter listings, environments, URLs and redaction."""

from __future__ import annotations

import json

import pytest

from labtunnel.core.errors import JupyterNotFound
from labtunnel.core.jupyter.env import EnvKind, classify_env, command_tried
from labtunnel.core.jupyter.parsing import ScanResult, parse_list_output, parse_scan, redact
from labtunnel.core.jupyter.server import (
    JupyterServer,
    UnixSocket,
    forward_host,
    server_from_info,
)
from labtunnel.core.profiles.model import JupyterApp
from labtunnel.core.ssh.remote import sections

TOKEN = "3b009355832d0ae98147043ef6eea772d9230907148f82c2"

# what jupyter_server 2.21 writes to jpserver-PID.json (indent=2)
JPSERVER = {
    "base_url": "/",
    "hostname": "127.0.0.1",
    "password": False,
    "pid": 6228,
    "port": 60171,
    "root_dir": "/home/alice",
    "secure": False,
    "sock": "",
    "token": TOKEN,
    "url": "http://127.0.0.1:60171/",
    "version": "2.21.1",
}

# Notebook 6.x nbserver-PID.json
NBSERVER = {
    "base_url": "/user/alice/",
    "hostname": "localhost",
    "notebook_dir": "/home/alice/work",
    "password": False,
    "pid": 4242,
    "port": 8890,
    "secure": False,
    "sock": "",
    "token": "abc123",
    "url": "http://localhost:8890/user/alice/",
}


@pytest.mark.parametrize(
    ("env", "kind", "tried"),
    [
        ("", EnvKind.LOGIN, "jupyter"),
        ("   ", EnvKind.LOGIN, "jupyter"),
        ("torch", EnvKind.CONDA, "conda activate torch && jupyter"),
        ("my env", EnvKind.CONDA, "conda activate 'my env' && jupyter"),
        ("/opt/venvs/ds", EnvKind.VENV, "/opt/venvs/ds/bin/jupyter"),
        ("~/venvs/ds/", EnvKind.VENV, "~/venvs/ds/bin/jupyter"),
        ("venvs/ds", EnvKind.VENV, "venvs/ds/bin/jupyter"),
        ("/opt/conda/bin/jupyter", EnvKind.EXECUTABLE, "/opt/conda/bin/jupyter"),
        ("~/.local/bin/jupyter", EnvKind.EXECUTABLE, "~/.local/bin/jupyter"),
        ("/usr/bin/python3.11", EnvKind.INTERPRETER, "/usr/bin/python3.11 -m jupyter"),
        ("/opt/py/bin/python", EnvKind.INTERPRETER, "/opt/py/bin/python -m jupyter"),
        ("/opt/jupyterhub", EnvKind.VENV, "/opt/jupyterhub/bin/jupyter"),
    ],
)
def test_environment_kinds(env: str, kind: EnvKind, tried: str) -> None:
    assert classify_env(env) is kind
    assert command_tried(env) == tried


def test_jupyter_server_runtime_file() -> None:
    server = server_from_info(JPSERVER)
    assert server == JupyterServer(
        url="http://127.0.0.1:60171/",
        host="127.0.0.1",
        port=60171,
        base_url="/",
        token=TOKEN,
        pid=6228,
        root_dir="/home/alice",
        version="2.21.1",
    )


def test_notebook6_runtime_file() -> None:
    server = server_from_info(NBSERVER)
    assert server is not None
    assert (server.host, server.port, server.base_url) == ("127.0.0.1", 8890, "/user/alice/")
    assert server.root_dir == "/home/alice/work"
    assert server.url == "http://127.0.0.1:8890/user/alice/"


@pytest.mark.parametrize(
    ("hostname", "host"),
    [
        ("localhost", "127.0.0.1"),
        ("0.0.0.0", "127.0.0.1"),
        ("", "127.0.0.1"),
        ("::", "::1"),
        ("[::1]", "::1"),
        ("10.1.2.3", "10.1.2.3"),
        ("gpu01.lab", "gpu01.lab"),
    ],
)
def test_forward_host(hostname: str, host: str) -> None:
    assert forward_host(hostname) == host


def test_unusable_entries() -> None:
    assert server_from_info({**JPSERVER, "port": 0, "sock": "jp.sock"}) is None
    assert server_from_info({**JPSERVER, "port": "x"}) is None
    assert server_from_info({**JPSERVER, "port": True}) is None
    assert server_from_info({"url": "http://127.0.0.1:1/"}) is None


def test_a_server_on_a_unix_socket() -> None:
    sock = "/home/alice/.local/share/labtunnel/run/jupyter-0123456789ab.sock"
    info = {**JPSERVER, "port": 0, "sock": sock, "url": "http+unix://%2Fhome%2F.../"}
    server = server_from_info(info)
    assert server is not None
    assert (server.sock, server.port, server.host) == (sock, 0, "")
    assert server.destination == UnixSocket(sock)
    assert server.endpoint == sock
    assert server.token == JPSERVER["token"] and server.pid == JPSERVER["pid"]
    # the browser still goes to the local TCP forward
    assert server.local_url(8123).startswith("http://127.0.0.1:8123/?token=")
    tcp = server_from_info(JPSERVER)
    assert tcp is not None and tcp.destination == (tcp.host, tcp.port)
    assert tcp.endpoint == f"127.0.0.1:{tcp.port}"


def test_odd_but_usable_entries() -> None:
    server = server_from_info({**JPSERVER, "base_url": "jh/user", "secure": True, "pid": "17"})
    assert server is not None
    assert server.base_url == "/jh/user/"
    assert server.secure and server.url.startswith("https://")
    assert server.pid == 17
    v6 = server_from_info({**JPSERVER, "hostname": "::1"})
    assert v6 is not None and v6.url == "http://[::1]:60171/"


def test_local_url_per_app_and_base_url() -> None:
    server = server_from_info({**JPSERVER, "base_url": "/jh/"})
    assert server is not None
    assert server.local_url(4321) == f"http://127.0.0.1:4321/jh/?token={TOKEN}"
    lab = JupyterServer("u", "127.0.0.1", 1, "/jh/", token=TOKEN, app=JupyterApp.LAB)
    assert lab.local_url(4321) == f"http://127.0.0.1:4321/jh/lab?token={TOKEN}"
    notebook = JupyterServer("u", "127.0.0.1", 1, "/", token="a b&c", app=JupyterApp.NOTEBOOK)
    assert notebook.local_url(80) == "http://127.0.0.1:80/tree?token=a%20b%26c"
    password_only = JupyterServer("u", "127.0.0.1", 1, "/", password=True, secure=True)
    assert password_only.local_url(5) == "https://127.0.0.1:5/"


def test_token_is_not_in_repr_or_str() -> None:
    server = server_from_info(JPSERVER)
    assert server is not None
    assert TOKEN not in repr(server)
    assert TOKEN not in str(server)
    assert TOKEN not in repr([server])


def scanned(text: str, env: str) -> ScanResult:
    """parse_scan of output written with plain ``@@LT:`` markers."""
    return parse_scan(sections(text, "@@LT:"), env)


def scan_output(*files: tuple[str, dict[str, object]], banner: str = "") -> str:
    parts = [banner, "@@LT:RUNTIME /home/alice/.local/share/jupyter/runtime\n"]
    for name, info in files:
        parts.append(f"@@LT:SERVER {name}\n{json.dumps(info, indent=2)}\n\n")
    return "".join(parts)


def test_scan_keeps_order_and_ignores_banners() -> None:
    newer = {**JPSERVER, "pid": 7000, "port": 7001}
    text = scan_output(
        ("jpserver-7000.json", newer),
        ("jpserver-6228.json", JPSERVER),
        ("nbserver-4242.json", NBSERVER),
        banner='Welcome!\n{"port": 1}\n',
    )
    scan = scanned(text + "@@LT:WATCH dead\n", "")
    assert [s.pid for s in scan.servers] == [7000, 6228, 4242]
    assert scan.watch_alive is False


def test_scan_skips_garbage_files() -> None:
    text = scan_output(("jpserver-1.json", JPSERVER)) + "@@LT:SERVER jpserver-2.json\n{trunc"
    scan = scanned(text, "")
    assert [s.pid for s in scan.servers] == [6228]
    assert scan.watch_alive is None


def test_scan_with_no_runtime_dir_yet() -> None:
    assert scanned("@@LT:RUNTIME /home/x/.local/share/jupyter/runtime\n", "").servers == ()


def test_scan_not_found_carries_what_was_tried() -> None:
    text = (
        "@@LT:NOTFOUND conda_env_missing\n@@LT:PATH /usr/bin:/bin\n"
        "@@LT:CANDIDATE /home/a/miniconda3/bin/jupyter\n"
        "@@LT:CANDIDATE /home/a/miniconda3/envs/ml/bin/jupyter\n"
    )
    with pytest.raises(JupyterNotFound) as caught:
        scanned(text, "torch")
    error = caught.value
    assert error.reason == "conda_env_missing"
    assert error.env == "torch"
    assert error.command_tried == "conda activate torch && jupyter"
    assert error.search_path == "/usr/bin:/bin"
    assert error.candidates == (
        "/home/a/miniconda3/bin/jupyter",
        "/home/a/miniconda3/envs/ml/bin/jupyter",
    )
    assert error.permanent


def test_scan_without_markers_is_an_error() -> None:
    with pytest.raises(ValueError):
        scanned("bash: line 1: syntax error\n", "")


def test_legacy_json_listing_sorted_newest_pid_first() -> None:
    lines = "\n".join(json.dumps(d) for d in (NBSERVER, {**NBSERVER, "pid": 9999, "port": 8891}))
    scan = scanned(f"@@LT:LEGACY\n@@LT:LIST notebook list --json\n{lines}\n", "")
    assert [(s.pid, s.port) for s in scan.servers] == [(9999, 8891), (4242, 8890)]


def test_plain_notebook_list_lines() -> None:
    text = (
        "Currently running servers:\n"
        "http://localhost:8888/?token=abc123 :: /home/alice\n"
        "https://0.0.0.0:9999/base/ :: /data/my project\n"
    )
    first, second = parse_list_output(text)
    assert (first.host, first.port, first.token, first.root_dir) == (
        "127.0.0.1",
        8888,
        "abc123",
        "/home/alice",
    )
    assert first.pid is None
    assert "token" not in first.url
    assert second.secure and second.base_url == "/base/" and second.token == ""
    assert second.root_dir == "/data/my project"


def test_broken_jupyter_is_not_found_with_redacted_detail() -> None:
    text = f"@@LT:LEGACY\n@@LT:BROKEN\nModuleNotFoundError: No module named 'x' {TOKEN}\n"
    with pytest.raises(JupyterNotFound) as caught:
        scanned(text, "/opt/venv")
    assert caught.value.reason == "jupyter_broken"
    assert "ModuleNotFoundError" in caught.value.detail
    assert TOKEN not in caught.value.detail


def test_redact() -> None:
    log = (
        f"[I ServerApp] http://127.0.0.1:8888/lab?token={TOKEN}\n"
        f"    http://127.0.0.1:8888/lab?token={TOKEN}&x=1\n"
        "Authorization: token sekrit-value\n"
        f"bare {TOKEN} here\n"
        "[E ServerApp] port 8888 is not available\n"
    )
    cleaned = redact(log, ["sekrit-value"])
    assert TOKEN not in cleaned
    assert "sekrit-value" not in cleaned
    assert "token=<redacted>&x=1" in cleaned
    assert "port 8888 is not available" in cleaned


def test_sections_are_found_wherever_the_runs_marker_is() -> None:
    marker = "@@LT:00112233445566ff:"
    stdout = (
        "\x1b]0;user@gpu: ~\x07Welcome!\n@@LT:NOTFOUND not_on_path\n"  # an older-style look-alike
        f"token: 0123456789abcdef{marker}SHELL terminal /usr/bin/zsh\n"  # no newline before
        f'{marker}SERVER jpserver-1.json\n{{"port": 1}}\nbackground noise'
        f"{marker}END\nBye"
    )
    found = sections(stdout, marker)
    assert [(s.name, s.arg) for s in found] == [
        ("SHELL", "terminal /usr/bin/zsh"),
        ("SERVER", "jpserver-1.json"),
        ("END", ""),
    ]
    assert found[1].lines == ('{"port": 1}', "background noise")
    with pytest.raises(ValueError):
        sections(stdout, "")

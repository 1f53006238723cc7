"""A whole CLI session with known secrets, then a search for them everywhere they must not be;
and a laptop-style suspend of the client process."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from tests.harness import HttpService, LabServer
from tests.integration.test_cli_real import (
    ConnectProcess,
    add_password_profile,
    cli_env,
    labtunnel,
)
from tests.integration.tunnel_helpers import wait_until_answers

from labtunnel.core.profiles.model import DEFAULT_KEEPALIVE_COUNT, DEFAULT_KEEPALIVE_INTERVAL
from labtunnel.core.ssh.keepalive import LATE_WAKE

pytestmark = pytest.mark.integration


def children_of(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            with contextlib.suppress(OSError):
                stat = Path(f"/proc/{entry}/stat").read_text()
                if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                    found.append(int(entry))
    return found


def process_texts(pid: int) -> list[str]:
    texts = []
    for name in ("cmdline", "environ"):
        with contextlib.suppress(OSError):
            texts.append(Path(f"/proc/{pid}/{name}").read_bytes().decode(errors="replace"))
    return texts


def test_secrets_appear_nowhere(
    lab_server: LabServer, config_dir: Path, real_keyring: str, http_service: HttpService
) -> None:
    lab_server.require_jupyter()
    env = cli_env(config_dir, real_keyring)
    password = lab_server.user.password
    passphrase = lab_server.keys.ed25519_passphrase
    assert (
        add_password_profile(
            lab_server, env, "pw", "--jupyter-env", str(lab_server.jupyter_venv)
        ).returncode
        == 0
    )
    key_add = labtunnel(
        "profile",
        "add",
        "key",
        "--host",
        lab_server.host,
        "--user",
        lab_server.user.name,
        "--key",
        str(lab_server.keys.ed25519_encrypted),
        "--passphrase-stdin",
        "--remote",
        f"{http_service.host}:{http_service.port}",
        env=env,
        stdin=passphrase + "\n",
    )
    assert key_add.returncode == 0, key_add.stderr
    wrong = labtunnel(
        "profile",
        "set-password",
        "key",
        "--passphrase",
        "--stdin",
        env=env,
        stdin="wrong-passphrase-123\n",
    )
    assert wrong.returncode == 0
    failed = labtunnel(
        "--debug", "connect", "key", "--no-browser", "--accept-new-host-key", env=env
    )
    assert failed.returncode == 1 and "passphrase" in failed.stderr
    outputs = [failed.stderr, failed.stdout]
    assert (
        labtunnel(
            "profile",
            "set-password",
            "key",
            "--passphrase",
            "--stdin",
            env=env,
            stdin=passphrase + "\n",
        ).returncode
        == 0
    )

    proc = subprocess.Popen(
        [sys.executable, "-m", "labtunnel", "--debug", "connect", "pw", "--no-browser"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().strip()
        assert url, "no URL"
        token = urlsplit(url).query.split("token=")[1]
        port = urlsplit(url).port
        assert port
        lab_server.kill_sshd()
        time.sleep(1)
        lab_server.start_sshd()
        wait_until_answers(port, f"/api/status?token={token}", 20)
        looked_at = [proc.pid, *children_of(proc.pid)]
        process_views = [text for pid in looked_at for text in process_texts(pid)]
        remote_ps = lab_server.ns_exec(["ps", "-eo", "args"]).stdout
        # every running Jupyter of the user; not a zombie left by an earlier test (here PID 1
        # reaps late): its environ reads empty, and the check would pass on nothing
        remote_env = lab_server.ns_exec(
            [
                "sh",
                "-c",
                f"for p in $(pgrep -r RSD -u {lab_server.user.name} -f jupyter); do"
                " cat /proc/$p/environ; echo; done",
            ]
        ).stdout
        assert "HOME=" in remote_env, "no running Jupyter's environment was read"
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=20)
    assert proc.returncode == 0
    outputs += [err, out.replace(url, "")]
    labtunnel("jupyter", "stop", "pw", env=env)

    files = [p for p in config_dir.rglob("*") if p.is_file()]
    assert any(p.suffix == ".log" for p in files), "the session wrote no log"
    haystacks = {
        **{str(p): p.read_text(errors="replace") for p in files},
        **{f"output {i}": text for i, text in enumerate(outputs)},
        **{f"process {i}": text for i, text in enumerate(process_views)},
        "remote ps": remote_ps,
        "remote jupyter environ": remote_env,
    }
    for secret_name, secret in (
        ("password", password),
        ("passphrase", passphrase),
        ("token", token),
    ):
        leaks = [where for where, text in haystacks.items() if secret in text]
        assert leaks == [], f"{secret_name} found in {leaks}"


#: a suspend the dead-peer watchdog must not hold against the server: longer than its
#: limit (interval x count), so it wakes late, by more than what counts as late, with room
#: to spare on a loaded machine (60 s proved no more than this and took 35 s longer)
SUSPEND_S = DEFAULT_KEEPALIVE_INTERVAL * DEFAULT_KEEPALIVE_COUNT + LATE_WAKE + 8


def test_client_suspended_past_the_dead_peer_limit_recovers(
    lab_server: LabServer, config_dir: Path, real_keyring: str, http_service: HttpService
) -> None:
    env = cli_env(config_dir, real_keyring)
    remote = f"{http_service.host}:{http_service.port}"
    assert add_password_profile(lab_server, env, "lab", "--remote", remote).returncode == 0
    others = set(lab_server.sshd_sessions())
    connect = ConnectProcess(env, "lab", "--accept-new-host-key")
    try:
        port = urlsplit(connect.first_line()).port
        assert port
        ours = set(lab_server.sshd_sessions()) - others
        assert ours
        connect.proc.send_signal(signal.SIGSTOP)
        time.sleep(SUSPEND_S)
        connect.proc.send_signal(signal.SIGCONT)
        recovered = wait_until_answers(port, http_service.url_path, 10)
        # the same session: the late watchdog did not blame the server (a reconnect
        # would answer too, through a new session)
        assert ours <= set(lab_server.sshd_sessions()), "the session was dropped"
    finally:
        connect.proc.send_signal(signal.SIGCONT)
        assert connect.stop() == 0
    print(f"suspended {SUSPEND_S:.0f} s: answering {recovered:.1f} s after resume")

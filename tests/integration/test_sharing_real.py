"""A lab profile file as people use it: an admin's profile connects to the real sshd and is
exported; a student imports it into a fresh config and connects with no host-key question.
Everything runs through `labtunnel` processes, the real keyring and the harness sshd."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from tests.harness import HttpService, LabServer
from tests.integration.test_cli_real import (
    ConnectProcess,
    add_password_profile,
    cli_env,
    fetch,
    labtunnel,
)

from labtunnel.core.profiles.sharing import content_digest

pytestmark = pytest.mark.integration


def fresh_config(tmp_path: Path, name: str) -> Path:
    directory = tmp_path / name
    directory.mkdir(mode=0o700)
    return directory


def connect_once(env: dict[str, str], name: str, *flags: str) -> str:
    connect = ConnectProcess(env, name, *flags)
    try:
        return connect.first_line()
    finally:
        assert connect.stop() == 0, connect.stderr()


def fetch_blob(env: dict[str, str], name: str, http: HttpService) -> None:
    """Connects with stdin closed: a host-key question would fail the connect at once."""
    connect = ConnectProcess(env, name)
    try:
        url = connect.first_line()
        assert url.startswith("http://127.0.0.1:"), connect.stderr()
        status, body = fetch(url, http.url_path)
        assert status == 200 and hashlib.sha256(body).hexdigest() == http.sha256
    finally:
        code = connect.stop()
    assert code == 0, connect.stderr()
    assert "not connected to" not in connect.stderr()


def import_file(env: dict[str, str], lab: LabServer, path: Path, *extra: str) -> tuple[int, str]:
    result = labtunnel(
        "profile",
        "import",
        str(path),
        "--user",
        lab.user.name,
        "--password-stdin",
        *extra,
        env=env,
        stdin=lab.user.password + "\n",
    )
    return result.returncode, result.stderr


def profiles_of(env: dict[str, str]) -> list[dict[str, object]]:
    listed = labtunnel("profile", "list", "--json", env=env)
    assert listed.returncode == 0, listed.stderr
    data: list[dict[str, object]] = json.loads(listed.stdout)
    return data


def test_exported_profile_connects_from_a_fresh_config_without_a_host_key_prompt(
    lab_server: LabServer,
    config_dir: Path,
    real_keyring: str,
    http_service: HttpService,
    tmp_path: Path,
) -> None:
    admin = cli_env(config_dir, real_keyring)
    remote = f"{http_service.host}:{http_service.port}"
    assert add_password_profile(lab_server, admin, "GPU lab", "--remote", remote).returncode == 0
    shared = tmp_path / "GPU lab.labtunnel"

    refused = labtunnel("profile", "export", "GPU lab", str(shared), env=admin)
    assert refused.returncode == 1 and not shared.exists()
    assert "Connect to “GPU lab” once" in refused.stderr

    connect_once(admin, "GPU lab", "--accept-new-host-key")
    exported = labtunnel("profile", "export", "GPU lab", str(shared), env=admin)
    assert exported.returncode == 0, exported.stderr
    text = shared.read_text()
    document = json.loads(text)
    pins = document["profile"]["server"]["host_key_fingerprints"]
    assert pins and set(pins) <= set(lab_server.host_key_fingerprints.values())
    assert lab_server.user.name not in text and lab_server.user.password not in text

    student_dir = fresh_config(tmp_path, "student")
    student = cli_env(student_dir, real_keyring)
    code, stderr = import_file(student, lab_server, shared)
    assert code == 0, stderr
    [profile] = profiles_of(student)
    assert profile["name"] == "GPU lab" and profile["username"] == lab_server.user.name
    assert profile["pinned_fingerprints"] == pins
    fetch_blob(student, "GPU lab", http_service)
    # verified by the pins alone: nothing had to be trusted on first use
    known = student_dir / "known_hosts"
    assert not known.exists() or known.read_text().strip() == ""
    for path in student_dir.rglob("*"):
        if path.is_file():
            assert lab_server.user.password not in path.read_text(errors="replace"), path

    # and the pins are enforced: a file pinning another key is refused at connect
    document["profile"]["server"]["host_key_fingerprints"] = ["SHA256:" + "Q" * 43]
    document["profile"]["name"] = "Impostor"
    del document["sha256"]
    document["sha256"] = content_digest(document)
    other = tmp_path / "other.labtunnel"
    other.write_text(json.dumps(document))
    assert import_file(student, lab_server, other)[0] == 0
    wrong = labtunnel("connect", "Impostor", "--no-browser", env=student)
    assert wrong.returncode == 1 and wrong.stdout == ""
    assert "identity of" in wrong.stderr and "SHA256:" + "Q" * 43 in wrong.stderr


def test_jump_host_pins_travel_too(
    lab_server: LabServer,
    config_dir: Path,
    real_keyring: str,
    http_service: HttpService,
    tmp_path: Path,
) -> None:
    admin = cli_env(config_dir, real_keyring)
    remote = f"{http_service.host}:{http_service.port}"
    # the harness's second sshd is reachable only through the first one
    assert add_password_profile(lab_server, admin, "gateway", "--remote", remote).returncode == 0
    connect_once(admin, "gateway", "--accept-new-host-key")
    added = labtunnel(
        "profile",
        "add",
        "inner",
        "--host",
        lab_server.jump_target_host,
        "--port",
        str(lab_server.jump_target_port),
        "--user",
        lab_server.user.name,
        "--password-stdin",
        "--jump",
        "gateway",
        "--remote",
        remote,
        env=admin,
        stdin=lab_server.user.password + "\n",
    )
    assert added.returncode == 0, added.stderr
    connect_once(admin, "inner", "--accept-new-host-key")
    shared = tmp_path / "inner.labtunnel"
    exported = labtunnel("profile", "export", "inner", str(shared), env=admin)
    assert exported.returncode == 0, exported.stderr
    document = json.loads(shared.read_text())["profile"]
    assert set(document["server"]["host_key_fingerprints"]) <= set(
        lab_server.jump_target_fingerprints.values()
    )
    assert document["jump"]["host"] == lab_server.host
    assert set(document["jump"]["host_key_fingerprints"]) <= set(
        lab_server.host_key_fingerprints.values()
    )

    student = cli_env(fresh_config(tmp_path, "student"), real_keyring)
    code, stderr = import_file(
        student, lab_server, shared, "--name", "Lab via gateway", "--same-password-for-jump"
    )
    assert code == 0, stderr
    by_name = {p["name"]: p for p in profiles_of(student)}
    assert set(by_name) == {"Lab via gateway", lab_server.host}
    jump = by_name[lab_server.host]
    assert by_name["Lab via gateway"]["jump"] == {
        "host": "",
        "port": 22,
        "username": "",
        "profile_id": jump["id"],
    }
    assert jump["pinned_fingerprints"] == document["jump"]["host_key_fingerprints"]
    fetch_blob(student, "Lab via gateway", http_service)


def test_tampered_truncated_and_malformed_files_are_refused(
    config_dir: Path, tmp_path: Path, real_keyring: str
) -> None:
    env = cli_env(config_dir, real_keyring)
    content = {
        "format": "labtunnel-lab-profile",
        "version": 1,
        "profile": {
            "name": "GPU lab",
            "server": {
                "host": "gpu.lab.example.edu",
                "port": 22,
                "host_key_fingerprints": ["SHA256:" + "A" * 43],
            },
            "jump": None,
            "target": {"kind": "jupyter", "app": "lab", "env": "", "workdir": ""},
        },
    }
    good = json.dumps({**content, "sha256": content_digest(content)}, indent=2)

    def attempt(name: str, text: str) -> str:
        path = tmp_path / name
        path.write_text(text)
        result = labtunnel("profile", "import", str(path), "--user", "carol", env=env, stdin="")
        assert result.returncode == 1, result.stderr
        assert profiles_of(env) == []
        last = result.stderr.strip().splitlines()[-1]
        assert last.startswith("labtunnel: ") and str(path) in last
        return last

    tampered = good.replace("gpu.lab.example.edu", "gpu.evil.example.com")
    assert "was changed after it was exported" in attempt("tampered.labtunnel", tampered)
    assert "incomplete" in attempt("cut.labtunnel", good[: len(good) // 2])
    bad = json.loads(good)
    bad["profile"]["server"]["port"] = 70000
    bad["profile"]["target"]["app"] = "vscode"
    del bad["sha256"]
    bad["sha256"] = content_digest(bad)
    message = attempt("bad.labtunnel", json.dumps(bad))
    assert "SSH port 70000" in message and "Jupyter app" in message
    assert "not a LabTunnel lab profile" in attempt("other.labtunnel", '{"profiles": []}')

    # the good one does import (without a password: nothing is asked, none stored)
    path = tmp_path / "good.labtunnel"
    path.write_text(good)
    ok = labtunnel("profile", "import", str(path), "--user", "carol", env=env, stdin="")
    assert ok.returncode == 0, ok.stderr
    assert "set-password" in ok.stderr
    [profile] = profiles_of(env)
    assert profile["username"] == "carol"

"""RememberedServers: what LabTunnel started per profile, on disk."""

from __future__ import annotations

import json
import logging
import stat
import threading
from pathlib import Path

import pytest

from labtunnel.core.profiles.remembered import RememberedServer, RememberedServers


@pytest.mark.posix
def test_round_trip_across_instances(tmp_path: Path) -> None:
    path = tmp_path / "cfg" / "state.json"
    first = RememberedServers(path)
    assert first.get("p1") is None
    first.remember("p1", RememberedServer(123, 8901, 1700000000.5, "lab"))
    first.remember("p2", RememberedServer(None, 8902, 1.0, ""))
    first.remember("p3", RememberedServer(124, 0, 2.0, "lab"))  # on a Unix socket
    second = RememberedServers(path)
    assert second.get("p1") == RememberedServer(123, 8901, 1700000000.5, "lab")
    assert second.get("p2") == RememberedServer(None, 8902, 1.0, "")
    assert second.get("p3") == RememberedServer(124, 0, 2.0, "lab")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    data = json.loads(path.read_text())
    assert set(data["jupyter"]["p1"]) == {"pid", "port", "started_at", "app"}  # no token field


def test_forget_only_the_given_server(tmp_path: Path) -> None:
    store = RememberedServers(tmp_path / "state.json")
    store.remember("p1", RememberedServer(123, 8901, 1.0))
    store.forget("p1", only=RememberedServer(999, 8901, 0.0))
    assert store.get("p1") is not None
    store.forget("p1", only=RememberedServer(123, 8901, 0.0))
    assert store.get("p1") is None
    store.forget("p1")  # nothing left: no error
    assert RememberedServers(tmp_path / "state.json").get("p1") is None


@pytest.mark.parametrize(
    "content",
    [b"{not json", b"[1, 2]", b'{"jupyter": []}', b"\xff\xfe\x00garbage"],
)
def test_corrupt_file_is_set_aside(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, content: bytes
) -> None:
    path = tmp_path / "state.json"
    path.write_bytes(content)
    store = RememberedServers(path)
    with caplog.at_level(logging.WARNING, logger="labtunnel.core.profiles.remembered"):
        assert store.get("p1") is None
    [backup] = list(tmp_path.glob("state.json.corrupt-*"))
    assert backup.read_bytes() == content
    assert "unusable" in caplog.text
    store.remember("p1", RememberedServer(1, 2, 3.0))
    assert RememberedServers(path).get("p1") == RememberedServer(1, 2, 3.0)


def test_bad_entries_are_dropped_others_kept(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    path.write_text(
        json.dumps(
            {
                "schema": 1,
                "other_feature": {"keep": True},
                "jupyter": {
                    "good": {"pid": 5, "port": 8888, "started_at": 2.0, "app": "notebook"},
                    "bad_port": {"pid": 5, "port": 70000, "started_at": 2.0},
                    "socket_without_pid": {"pid": None, "port": 0, "started_at": 2.0},
                    "bad_pid": {"pid": "5", "port": 8888, "started_at": 2.0},
                    "not_a_dict": 7,
                },
            }
        )
    )
    store = RememberedServers(path)
    assert store.get("good") == RememberedServer(5, 8888, 2.0, "notebook")
    assert store.get("bad_port") is None and store.get("bad_pid") is None
    store.remember("new", RememberedServer(6, 8889, 3.0))
    data = json.loads(path.read_text())
    assert data["other_feature"] == {"keep": True}
    assert set(data["jupyter"]) == {"good", "new"}


def test_concurrent_writers(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    store = RememberedServers(path)

    def work(n: int) -> None:
        for i in range(20):
            store.remember(f"p{n}-{i}", RememberedServer(n, 1000 + i, float(i)))

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    data = json.loads(path.read_text())
    assert len(data["jupyter"]) == 160
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_unwritable_path_only_warns_even_as_root(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    store = RememberedServers(blocker / "state.json")  # parent is a file
    with caplog.at_level(logging.WARNING, logger="labtunnel.core.profiles.remembered"):
        store.remember("p1", RememberedServer(1, 2, 3.0))
    assert store.get("p1") == RememberedServer(1, 2, 3.0)
    assert "cannot write" in caplog.text


def test_local_ports_are_remembered_beside_servers(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    store = RememberedServers(path)
    assert store.local_port("p1") is None
    store.remember("p1", RememberedServer(10, 8888, 1.0, "lab"))
    store.remember_local_port("p1", 41234)
    again = RememberedServers(path)
    assert again.local_port("p1") == 41234
    assert again.get("p1") == RememberedServer(10, 8888, 1.0, "lab")
    data = json.loads(path.read_text())
    data["local_ports"]["p1"] = 70000
    path.write_text(json.dumps(data))
    assert RememberedServers(path).local_port("p1") is None


def test_extra_forward_ports_are_remembered_by_name(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    first = RememberedServers(path)
    first.remember_local_port("p1", 8000)
    first.remember_forward_port("p1", "TensorBoard", 50123)
    first.remember_forward_port("p1", "MLflow", 50124)
    first.remember_forward_port("p2", "TensorBoard", 50200)
    again = RememberedServers(path)
    assert again.forward_port("p1", "TensorBoard") == 50123
    assert again.forward_port("p1", "MLflow") == 50124
    assert again.forward_port("p2", "TensorBoard") == 50200
    assert again.forward_port("p1", "Dashboard") is None
    assert again.local_port("p1") == 8000


def test_bad_forward_port_entries_are_ignored(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    path.write_text(
        json.dumps(
            {"schema": 1, "forward_ports": {"p1": {"a": "x", "b": 70000, "c": True}, "p2": 5}}
        )
    )
    remembered = RememberedServers(path)
    assert [remembered.forward_port("p1", n) for n in "abc"] == [None, None, None]
    assert remembered.forward_port("p2", "a") is None
    remembered.remember_forward_port("p2", "a", 40000)
    assert RememberedServers(path).forward_port("p2", "a") == 40000

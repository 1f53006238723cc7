"""Fixtures over the real-component harness; the API is documented in tests/harness/__init__.py."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.harness import (  # noqa: E402
    HarnessUnavailable,
    HttpService,
    LabServer,
    RemoteService,
    ServiceFactory,
    start_lab_server,
    unavailable,
)
from tests.harness.keyring_env import real_keyring_service  # noqa: E402
from tests.harness.slurm import SlurmCluster, start_slurm_cluster  # noqa: E402

_setup_seconds: list[float] = []
_slurm_seconds: dict[str, float] = {}


@pytest.fixture(scope="session")
def lab_server(request: pytest.FixtureRequest) -> Iterator[LabServer]:
    try:
        server = start_lab_server()
    except HarnessUnavailable as exc:
        unavailable(str(exc))
    _setup_seconds.append(server.setup_seconds)
    failed_before = request.session.testsfailed
    try:
        yield server
    finally:
        failed = request.session.testsfailed > failed_before
        server.close(ROOT / ".test-artifacts" / f"harness-{os.getpid()}" if failed else None)


@pytest.fixture(autouse=True)
def _reset_lab_faults(request: pytest.FixtureRequest) -> Iterator[None]:
    """A test that leaves the server dropped, down or without sshd does not break the next."""
    yield
    if "lab_server" in request.fixturenames:
        request.getfixturevalue("lab_server").reset_faults()


@pytest.fixture(scope="session")
def slurm_cluster(request: pytest.FixtureRequest, lab_server: LabServer) -> Iterator[SlurmCluster]:
    """A real Slurm cluster (login + two compute nodes) for lab_server's users; see
    tests/harness/slurm/__init__.py."""
    try:
        cluster = start_slurm_cluster(lab_server)
    except HarnessUnavailable as exc:
        unavailable(str(exc))
    _slurm_seconds["setup"] = cluster.setup_seconds
    failed_before = request.session.testsfailed
    try:
        yield cluster
    finally:
        failed = request.session.testsfailed > failed_before
        started = time.monotonic()
        cluster.close(ROOT / ".test-artifacts" / f"slurm-{os.getpid()}" if failed else None)
        _slurm_seconds["teardown"] = time.monotonic() - started


@pytest.fixture(autouse=True)
def _reset_slurm_cluster(request: pytest.FixtureRequest) -> Iterator[None]:
    """No job of one test is left for the next; every node is up and idle again."""
    yield
    if "slurm_cluster" in request.fixturenames:
        request.getfixturevalue("slurm_cluster").reset()


@pytest.fixture
def remote_services(lab_server: LabServer) -> Iterator[ServiceFactory]:
    factory = ServiceFactory(lab_server)
    try:
        yield factory
    finally:
        factory.close()


@pytest.fixture
def echo_service(remote_services: ServiceFactory) -> RemoteService:
    return remote_services.echo()


@pytest.fixture
def sink_service(remote_services: ServiceFactory) -> RemoteService:
    return remote_services.sink()


@pytest.fixture
def http_service(remote_services: ServiceFactory) -> HttpService:
    return remote_services.http()


@pytest.fixture
def config_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = tmp_path / "labtunnel-config"
    directory.mkdir(mode=0o700)
    monkeypatch.setenv("LABTUNNEL_CONFIG_DIR", str(directory))
    monkeypatch.delenv("LABTUNNEL_LOG_DIR", raising=False)
    return directory


@pytest.fixture
def real_keyring() -> Iterator[str]:
    with real_keyring_service() as service:
        yield service


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The workflow runs the unit and GUI tests on Windows too: POSIX-only ones skip there."""
    if sys.platform != "win32":
        return
    skip = pytest.mark.skip(reason="POSIX only (/bin/sh, Unix file modes)")
    for item in items:
        if item.get_closest_marker("posix") is not None:
            item.add_marker(skip)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if _setup_seconds:
        terminalreporter.write_line(f"harness: lab server ready in {_setup_seconds[0]:.2f} s")
    if "setup" in _slurm_seconds:
        terminalreporter.write_line(
            f"harness: Slurm cluster ready in {_slurm_seconds['setup']:.2f} s"
            + (
                f", torn down in {_slurm_seconds['teardown']:.2f} s"
                if "teardown" in _slurm_seconds
                else ""
            )
        )

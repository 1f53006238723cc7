"""What the app remembers about Jupyter servers between connects (in memory only)."""

from __future__ import annotations

from dataclasses import replace

from labtunnel.core.jupyter.server import JupyterServer, LaunchInfo
from labtunnel.core.profiles.model import HostProfile, JupyterSpec
from labtunnel.core.tunnel.known import KnownServers

PROFILE = HostProfile("lab", "gpu.lab", "ada", target=JupyterSpec(env="~/venv"))
SERVER = JupyterServer("http://127.0.0.1:8888/", "127.0.0.1", 8888, token="t0ken", pid=42)


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_server_that_answered_is_known_until_it_is_old() -> None:
    clock = Clock()
    known = KnownServers(keep_for=60, clock=clock)
    known.answered(PROFILE, replace(SERVER, launch=LaunchInfo()))
    assert known.get(PROFILE) == SERVER  # a found server for the next connect: no launch
    clock.now += 59
    known.answered(PROFILE, SERVER)  # answered again: its time starts over
    clock.now += 59
    assert known.get(PROFILE) == SERVER
    clock.now += 2
    assert known.get(PROFILE) is None


def test_a_server_without_a_token_is_never_kept() -> None:
    """Any program on the port answers the check like a password-only Jupyter would."""
    known = KnownServers()
    known.answered(PROFILE, replace(SERVER, token="", password=True))
    assert known.get(PROFILE) is None


def test_a_changed_profile_or_a_stopped_server_is_forgotten() -> None:
    known = KnownServers()
    known.answered(PROFILE, SERVER)
    assert known.get(PROFILE.with_changes(name="renamed")) == SERVER
    assert known.get(PROFILE.with_changes(target=JupyterSpec(env="~/other"))) is None
    assert known.get(PROFILE) is None  # gone for good
    known.answered(PROFILE, SERVER)
    known.forget(PROFILE.id, replace(SERVER, pid=43))  # another server: not this one
    assert known.get(PROFILE) == SERVER
    known.forget(PROFILE.id, SERVER)
    assert known.get(PROFILE) is None

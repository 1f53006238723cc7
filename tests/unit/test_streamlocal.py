"""The probe that switches Unix-socket channels off when paramiko changes under them."""

from __future__ import annotations

import paramiko
import pytest

from labtunnel.core.ssh.fast import streamlocal


def test_probe_accepts_this_paramiko() -> None:
    assert streamlocal._probe() is True


@pytest.mark.parametrize("name", ["_next_channel", "_sanitize_window_size", "_send_user_message"])
def test_probe_refuses_a_paramiko_without_the_bookkeeping(
    monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    monkeypatch.delattr(paramiko.Transport, name)
    assert streamlocal._probe() is False


def test_probe_refuses_a_channel_without_its_setup_methods(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delattr(paramiko.Channel, "_set_window")
    assert streamlocal._probe() is False


def test_switched_off_it_raises_before_touching_the_transport(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(streamlocal, "STREAMLOCAL_AVAILABLE", False)
    with pytest.raises(streamlocal.StreamLocalUnavailable):
        streamlocal.open_streamlocal_channel(object(), "/tmp/x.sock")  # type: ignore[arg-type]

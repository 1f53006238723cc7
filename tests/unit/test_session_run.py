"""SshSession.run when the connection dies under a command: the caller gets SessionLost,
never paramiko's EOFError (seen in a stats thread: channel.close() on a transport that
had just died raised EOFError over the SessionLost, and the thread died with it)."""

from __future__ import annotations

from typing import cast

import paramiko
import pytest

from labtunnel.core.errors import SessionLost
from labtunnel.core.ssh.session import SshEndpoint, SshSession


class DyingChannel:
    """A channel whose connection is gone: every send fails, the close that sends
    CHANNEL_CLOSE too."""

    def __init__(self) -> None:
        self.close_tried = False

    def exec_command(self, command: str) -> None:
        raise EOFError()

    def close(self) -> None:
        self.close_tried = True
        raise EOFError()


class DyingTransport:
    def __init__(self) -> None:
        self.channel = DyingChannel()

    def open_session(self, timeout: float) -> DyingChannel:
        return self.channel

    def is_active(self) -> bool:
        return False


def test_a_connection_dying_under_a_command_is_session_lost() -> None:
    transport = DyingTransport()
    # no keepalive threads: only run()'s handling of the failure is under test
    session = object.__new__(SshSession)
    session.transport = cast(paramiko.Transport, transport)
    session.endpoint = SshEndpoint("lab.example", 22, "ada")
    with pytest.raises(SessionLost) as lost:
        session.run("true", timeout=5)
    assert "exec_failed" in str(lost.value)
    assert transport.channel.close_tried

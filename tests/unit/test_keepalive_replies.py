"""Keepalive replies are noted where they arrive (paramiko's transport thread), so the
prober need not wait for them; a paramiko without that hook gets the waiting prober."""

from __future__ import annotations

from typing import Any

import paramiko
from paramiko.common import MSG_REQUEST_FAILURE, MSG_REQUEST_SUCCESS

from labtunnel.core.ssh.keepalive import _note_replies


class FakeTransport:
    def __init__(self) -> None:
        self.handled: list[str] = []
        self._handler_table: dict[int, Any] = {
            MSG_REQUEST_SUCCESS: lambda m: self.handled.append("success"),
            MSG_REQUEST_FAILURE: lambda m: self.handled.append("failure"),
        }

    def _send_user_message(self, message: paramiko.Message) -> None:
        pass


def test_a_reply_is_noted_before_paramiko_handles_it() -> None:
    transport = FakeTransport()
    noted: list[str] = []
    assert _note_replies(transport, lambda: noted.append("reply"))  # type: ignore[arg-type]
    transport._handler_table[MSG_REQUEST_FAILURE](paramiko.Message())
    transport._handler_table[MSG_REQUEST_SUCCESS](paramiko.Message())
    assert noted == ["reply", "reply"]
    assert transport.handled == ["failure", "success"]  # paramiko's handling goes on


def test_without_the_hook_the_prober_waits_for_replies_itself() -> None:
    class Older:
        pass

    assert not _note_replies(Older(), lambda: None)  # type: ignore[arg-type]
    partial = FakeTransport()
    del partial._handler_table[MSG_REQUEST_FAILURE]
    assert not _note_replies(partial, lambda: None)  # type: ignore[arg-type]
    assert partial.handled == []

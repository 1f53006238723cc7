"""The harness's teardown runs every step even when one fails, and then says what failed."""

from __future__ import annotations

import pytest
from tests.harness.errors import HarnessError, Teardown


def test_every_step_runs_and_the_failures_are_raised_together() -> None:
    ran: list[str] = []

    def fails(name: str) -> None:
        ran.append(name)
        raise OSError(f"{name} failed")

    teardown = Teardown("lab server")
    teardown.attempt(fails, "sshd")
    teardown.attempt(ran.append, "namespace")
    teardown.attempt(fails, "user")
    with pytest.raises(HarnessError, match="lab server teardown") as caught:
        teardown.done()
    assert ran == ["sshd", "namespace", "user"]
    assert "sshd failed" in str(caught.value) and "user failed" in str(caught.value)
    assert isinstance(caught.value.__cause__, OSError)


def test_nothing_failed_raises_nothing() -> None:
    teardown = Teardown("slurm cluster")
    teardown.attempt(lambda: None)
    teardown.done()

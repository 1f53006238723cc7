"""Errors of the harness and the skip-or-fail rule."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any, NoReturn

import pytest

REQUIRE_ENV = "LABTUNNEL_REQUIRE_HARNESS"


class HarnessError(RuntimeError):
    """Setting up or driving a harness component failed (a bug or a broken machine)."""


class HarnessUnavailable(HarnessError):
    """A component cannot exist on this machine (not root, no netns, package missing)."""


class Teardown:
    """Runs every step of a component's teardown even when some fail, then raises one
    HarnessError naming them all (:meth:`done`): a failed kill must not leave the rest."""

    def __init__(self, component: str) -> None:
        self.component = component
        self.errors: list[BaseException] = []

    def attempt(self, step: Callable[..., object], *args: Any) -> None:
        try:
            step(*args)
        except Exception as exc:
            self.errors.append(exc)

    def done(self) -> None:
        if self.errors:
            raise HarnessError(f"{self.component} teardown: {self.errors!r}") from self.errors[0]


def harness_required() -> bool:
    """True under ``LABTUNNEL_REQUIRE_HARNESS=1`` (tests/run_all.sh and CI)."""
    return os.environ.get(REQUIRE_ENV) == "1"


def unavailable(reason: str) -> NoReturn:
    """Skip the test, or fail it when the harness is required."""
    if harness_required():
        pytest.fail(f"test harness unavailable: {reason} ({REQUIRE_ENV}=1)", pytrace=False)
    pytest.skip(f"test harness unavailable: {reason}")

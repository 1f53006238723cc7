"""Errors of the harness and the skip-or-fail rule."""

from __future__ import annotations

import os
from typing import NoReturn

import pytest

REQUIRE_ENV = "LABTUNNEL_REQUIRE_HARNESS"


class HarnessError(RuntimeError):
    """Setting up or driving a harness component failed (a bug or a broken machine)."""


class HarnessUnavailable(HarnessError):
    """A component cannot exist on this machine (not root, no netns, package missing)."""


def harness_required() -> bool:
    """True under ``LABTUNNEL_REQUIRE_HARNESS=1`` (tests/run_all.sh and CI)."""
    return os.environ.get(REQUIRE_ENV) == "1"


def unavailable(reason: str) -> NoReturn:
    """Skip the test, or fail it when the harness is required."""
    if harness_required():
        pytest.fail(f"test harness unavailable: {reason} ({REQUIRE_ENV}=1)", pytrace=False)
    pytest.skip(f"test harness unavailable: {reason}")

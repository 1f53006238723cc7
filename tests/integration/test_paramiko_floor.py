"""The forwarder tests on the lowest paramiko pyproject.toml allows.

The fast paths reach into paramiko's internals, so pyproject.toml bounds paramiko to the
versions the suite tests: the highest is what ``.venv`` resolves to (every other test),
the lowest runs here, in ``.venv-paramiko-floor`` (tests/run_all.sh makes it: that
paramiko alone, everything else from .venv). The forwarder and hostile-server tests run
there in their own pytest, every way (fast, windows, stock), against their own lab server.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest
from tests.harness import unavailable

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
FLOOR_VENV = ROOT / ".venv-paramiko-floor"
TESTS = ("tests/integration/test_forwarder_real.py", "tests/integration/test_hostile_server.py")


def paramiko_floor() -> str:
    text = (ROOT / "pyproject.toml").read_text()
    match = re.search(r'"paramiko>=([0-9.]+),<([0-9.]+)"', text)
    assert match, "pyproject.toml bounds paramiko on both sides"
    return match.group(1)


@pytest.mark.timeout(600)
def test_the_forwarder_tests_pass_on_the_lowest_paramiko() -> None:
    python = FLOOR_VENV / "bin" / "python"
    if not python.exists():
        unavailable(f"no {FLOOR_VENV.name}: run tests/run_all.sh once (it makes it)")
    version = subprocess.run(
        [str(python), "-c", "import paramiko; print(paramiko.__version__)"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    floor = paramiko_floor()
    assert [int(x) for x in version.split(".")][: len(floor.split("."))] == [
        int(x) for x in floor.split(".")
    ], f"{FLOOR_VENV.name} has paramiko {version}, pyproject.toml's floor is {floor}"
    run = subprocess.run(
        [str(python), "-m", "pytest", *TESTS, "-q", "-p", "no:cacheprovider", "-rs"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=580,
        env=dict(os.environ),
    )
    tail = run.stdout[-4000:] + run.stderr[-2000:]
    assert run.returncode == 0, tail
    assert re.search(r"\b\d+ passed\b", run.stdout), tail
    # the fast paths ran on this paramiko: only the documented skips, none for "does not
    # have what the fast paths need"
    assert "does not have what the fast paths need" not in run.stdout, tail

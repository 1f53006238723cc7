"""The Linux bundle builds with PyInstaller, passes its --self-test, and its tray starts and
quits cleanly under Xvfb (packaging/smoke_test.sh does the work)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]


def test_linux_bundle_builds_and_runs(tmp_path: Path) -> None:
    env = dict(
        os.environ,
        LABTUNNEL_BUILD_PYTHON=sys.executable,
        LABTUNNEL_DIST_DIR=str(tmp_path / "dist"),
    )
    env.pop("DISPLAY", None)
    result = subprocess.run(
        ["bash", str(ROOT / "packaging" / "smoke_test.sh")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    print(result.stdout[-3000:])
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "self-test took" in result.stdout

"""Shared by the tests of what users install: a private temp dir, a clean environment, and
the tray app of an install run under Xvfb + trayer until its icon is on the screen."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from tests.harness.desktop import Desktop, svg_fill

ROOT = Path(__file__).resolve().parents[2]
#: the tray icon an app without any connection shows, and the colour of its background
IDLE_ICON = ROOT / "resources" / "icons" / "tray-idle.svg"
#: at least this many icon-coloured pixels in the panel: a quarter of a 24 x 24 icon
MIN_ICON_PIXELS = 24 * 24 // 4
TRAY_STARTED = "LabTunnel tray started"


@contextlib.contextmanager
def private_dir(kind: str) -> Iterator[Path]:
    """A temp dir named after this test process, removed afterwards (pytest would keep
    tmp_path, and with it hundreds of MB of venv, for three sessions)."""
    path = Path(tempfile.mkdtemp(prefix=f"labtunnel-{kind}-{os.getpid()}-"))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def user_env(base: Mapping[str, str], config_dir: Path, **extra: str) -> dict[str, str]:
    """The test session's environment (D-Bus, keyring) as a user's: nothing that points
    Python or LabTunnel at this checkout, and its own config folder."""
    env = {
        k: v
        for k, v in base.items()
        if k not in ("PYTHONPATH", "PYTHONHOME", "LABTUNNEL_RESOURCES", "LABTUNNEL_LOG_DIR")
        and not k.startswith("PYTEST_")
    }
    env.update(LABTUNNEL_CONFIG_DIR=str(config_dir), **extra)
    return env


@dataclass(frozen=True)
class TrayRun:
    log: str  # the app's own log file
    stderr: str
    started_after: float  # seconds from start to "LabTunnel tray started"
    drawn_after: float  # seconds from start to the icon's pixels on the screen
    icon_pixels: int
    exit_code: int


def run_tray_until_drawn(
    argv: Sequence[str],
    env: Mapping[str, str],
    desktop: Desktop,
    config_dir: Path,
    *,
    cwd: Path,
    start_timeout: float = 120.0,
) -> TrayRun:
    """Start ``argv`` (an install's tray app), wait until the idle icon's colour fills
    part of the tray panel, then SIGTERM it; it must quit by itself."""
    colour = svg_fill(IDLE_ICON)
    before = desktop.count_colour(colour, desktop.panel)
    assert before < MIN_ICON_PIXELS // 10, f"the empty panel already shows {before} icon pixels"
    log_file = config_dir / "logs" / "labtunnel.log"
    stderr_file = cwd / "app.stderr"
    started = time.monotonic()
    with open(stderr_file, "wb") as stderr:
        proc = subprocess.Popen(
            list(argv),
            cwd=cwd,
            env=desktop.env(env),
            stdin=subprocess.DEVNULL,
            stdout=stderr,
            stderr=stderr,
        )
    try:
        started_after = _wait_for_log(proc, log_file, TRAY_STARTED, started, start_timeout)
        pixels = desktop.wait_for_colour(colour, desktop.panel, min_pixels=MIN_ICON_PIXELS)
        drawn_after = time.monotonic() - started
        assert proc.poll() is None, "the tray app quit by itself"
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    return TrayRun(
        log=log_file.read_text(errors="replace"),
        stderr=stderr_file.read_text(errors="replace"),
        started_after=started_after,
        drawn_after=drawn_after,
        icon_pixels=pixels,
        exit_code=code,
    )


def _wait_for_log(
    proc: subprocess.Popen[bytes], log_file: Path, line: str, started: float, timeout: float
) -> float:
    deadline = started + timeout
    while time.monotonic() < deadline:
        if log_file.exists() and line in log_file.read_text(errors="replace"):
            return time.monotonic() - started
        if proc.poll() is not None:
            raise AssertionError(f"exited {proc.returncode} before logging {line!r}")
        time.sleep(0.1)
    raise AssertionError(f"no {line!r} in {log_file} after {timeout} s")


def pip_install_env(base: Mapping[str, str]) -> dict[str, str]:
    """pip as a user runs it, quiet and never asking anything."""
    env = {k: v for k, v in base.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    env.update(PIP_DISABLE_PIP_VERSION_CHECK="1", PIP_NO_INPUT="1")
    return env


def run(
    argv: Sequence[str | Path],
    *,
    cwd: Path,
    env: Mapping[str, str],
    timeout: float = 300,
    input: str | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run ``argv`` with text output captured; fail the test with the output on error."""
    result = subprocess.run(
        [str(a) for a in argv],
        cwd=cwd,
        env=dict(env),
        input=input,
        stdin=None if input is not None else subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert result.returncode == 0, (
        f"{argv[:3]} exited {result.returncode}\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    )
    return result

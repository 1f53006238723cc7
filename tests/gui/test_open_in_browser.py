"""Issue 12.3: the Jupyter token never reaches a command line when the tray opens the
browser (every local user's ``ps`` shows argv, and the forwarded port is open to them).

The real app opens the browser its own way, on a real X display (Xvfb), with ``$BROWSER``
naming a fake browser that records its argv and stays running, like a real one."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from tests.harness.browser import (
    fake_browser,
    kill_with_children,
    page_path,
    page_target,
    processes_showing,
)
from tests.harness.desktop import virtual_desktop

pytestmark = pytest.mark.gui

HERE = Path(__file__).resolve().parent
TOKEN = "f00dfeed" * 6
URL = f"http://127.0.0.1:48888/lab?token={TOKEN}"


def wait_for_line(
    path: Path, process: subprocess.Popen[bytes], output: Path, timeout: float
) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists() and path.read_text().strip():
            return path.read_text().splitlines()[0]
        if process.poll() is not None:
            break
        time.sleep(0.05)
    raise AssertionError(f"the browser was never started (driver: {output.read_text()})")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc and Xvfb")
def test_open_in_browser_puts_no_token_on_any_command_line(tmp_path: Path) -> None:
    work = tmp_path / "work"
    work.mkdir(mode=0o700)
    _script, log, browser_env = fake_browser(tmp_path)
    (tmp_path / "desktop").mkdir()
    with virtual_desktop(tmp_path / "desktop") as desktop:
        env = desktop.env(os.environ)
        env.update(browser_env)
        env.update(
            LABTUNNEL_DRIVER_DIR=str(work),
            LABTUNNEL_DRIVER_URL=URL,
            XDG_RUNTIME_DIR=str(work),  # private (0700): the page goes there
        )
        output = tmp_path / "driver.out"  # a file: the browser it starts inherits it
        driver = subprocess.Popen(
            [sys.executable, str(HERE / "browser_driver.py")],
            env=env,
            stdout=output.open("wb"),
            stderr=subprocess.STDOUT,
        )
        browser_pid = 0
        try:
            line = wait_for_line(log, driver, output, 30)
            browser_pid = int(line.split()[0])
            showing = processes_showing(TOKEN)
            assert showing == {}, f"the token is on these command lines: {showing}"
            page_url = line.split()[1]
            assert page_url.startswith("file://"), line
            page = page_path(page_url)
            assert stat.S_IMODE(page.stat().st_mode) == 0o600
            assert stat.S_IMODE(page.parent.stat().st_mode) == 0o700
            assert page.parent.parent == work
            assert page_target(page_url) == URL
            (work / "done").touch()
            assert driver.wait(30) == 0, output.read_text()
            assert "disconnected" in output.read_text()
            assert not page.exists(), "the page outlived its tunnel"
        finally:
            if browser_pid:
                kill_with_children(browser_pid)
            if driver.poll() is None:
                driver.kill()
            driver.wait(10)

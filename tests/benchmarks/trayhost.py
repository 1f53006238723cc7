"""A real X display with a real system tray: Xvfb + trayer (Debian's packages).

The tray app then shows its icon in trayer (not the fallback window it shows offscreen), as
on a lab member's desktop; ``xdotool`` clicks it and picks menu items, as a person would.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType

from tests.harness._proc import stop_popen


class TrayHost:
    def __init__(self) -> None:
        self.display = ""
        self._xvfb: subprocess.Popen[bytes] | None = None
        self._trayer: subprocess.Popen[bytes] | None = None
        self._tmp = Path(tempfile.mkdtemp(prefix=f"labtunnel-tray-{os.getpid()}-"))

    @staticmethod
    def available() -> str | None:
        """None, or what is missing."""
        missing = [tool for tool in ("Xvfb", "trayer", "xdotool") if shutil.which(tool) is None]
        return f"not installed: {', '.join(missing)}" if missing else None

    def start(self) -> TrayHost:
        try:
            self._start()
        except BaseException:
            self.stop()
            raise
        return self

    def _start(self) -> None:
        read_fd, write_fd = os.pipe()
        self._xvfb = subprocess.Popen(
            [
                "Xvfb",
                "-displayfd",
                str(write_fd),
                "-screen",
                "0",
                "1280x800x24",
                "-nolisten",
                "tcp",
            ],
            pass_fds=(write_fd,),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=(self._tmp / "xvfb.log").open("wb"),
        )
        os.close(write_fd)
        with os.fdopen(read_fd) as reader:
            number = reader.readline().strip()
        if not number.isdigit():
            raise RuntimeError(f"Xvfb did not start: {(self._tmp / 'xvfb.log').read_text()}")
        self.display = f":{number}"
        self._trayer = subprocess.Popen(
            [
                "trayer",
                "--edge",
                "top",
                "--align",
                "right",
                "--widthtype",
                "request",
                "--height",
                "32",
                "--SetDockType",
                "true",
            ],
            env=self.env(),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=(self._tmp / "trayer.log").open("wb"),
        )
        self.panel_window(timeout=10.0)

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in ("WAYLAND_DISPLAY",)}
        env["DISPLAY"] = self.display
        return env

    def xdotool(self, *args: str) -> str:
        return subprocess.run(
            ["xdotool", *args], env=self.env(), capture_output=True, text=True, timeout=10
        ).stdout

    def panel_window(self, timeout: float = 5.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            # the panel (its name is "panel"), not trayer's hidden 10x10 leader window
            found = self.xdotool("search", "--onlyvisible", "--class", "trayer").split()
            if found:
                return found[0]
            time.sleep(0.05)
        raise RuntimeError("trayer's panel did not appear")

    def panel_geometry(self) -> tuple[int, int, int, int]:
        """x, y, width, height of trayer's panel."""
        out = self.xdotool("getwindowgeometry", self.panel_window())
        pos = re.search(r"Position: (-?\d+),(-?\d+)", out)
        size = re.search(r"Geometry: (\d+)x(\d+)", out)
        if not pos or not size:
            raise RuntimeError(f"no geometry for trayer's panel: {out!r}")
        return int(pos[1]), int(pos[2]), int(size[1]), int(size[2])

    def wait_for_icons(self, count: int = 1, timeout: float = 20.0) -> None:
        """Until the panel is wide enough for ``count`` icons (trayer grows with them)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            _x, _y, width, height = self.panel_geometry()
            if width >= count * (height - 12):  # 24 px for one icon, 46 for two
                return
            time.sleep(0.05)
        raise RuntimeError("no icon showed up in the tray")

    def click_icon(self, button: int = 1) -> None:
        """Click the (first) icon in the tray."""
        x, y, width, height = self.panel_geometry()
        self.xdotool(
            "mousemove",
            str(x + min(width, height) // 2),
            str(y + height // 2),
            "click",
            str(button),
        )

    def screenshot(self, path: Path) -> None:
        subprocess.run(
            ["import", "-window", "root", str(path)], env=self.env(), check=False, timeout=20
        )

    def stop(self) -> None:
        for proc in (self._trayer, self._xvfb):
            if proc is not None:
                stop_popen(proc)
        self._trayer = self._xvfb = None
        shutil.rmtree(self._tmp, ignore_errors=True)

    def __enter__(self) -> TrayHost:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

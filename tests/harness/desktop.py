"""A real X desktop for tests of what a user sees: Xvfb, a trayer panel as the system tray,
and the screen's pixels (ImageMagick's ``import``), to check that an icon is really drawn.

    with virtual_desktop(tmp_path) as desktop:
        app = subprocess.Popen([...], env=desktop.env(os.environ))
        desktop.wait_for_colour(ICON_COLOUR, desktop.panel, min_pixels=100)
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from . import _proc
from .errors import HarnessError, unavailable

TOOLS = ("Xvfb", "trayer", "xdotool", "import")
SCREEN = (1024, 768)
PANEL_HEIGHT = 24

RGB = tuple[int, int, int]


@dataclass(frozen=True)
class Area:
    x: int
    y: int
    width: int
    height: int

    @property
    def crop(self) -> str:
        return f"{self.width}x{self.height}+{self.x}+{self.y}"


@dataclass(frozen=True)
class Desktop:
    display: str  # ":N"
    panel: Area  # the strip along the top edge where trayer shows the tray icons

    def env(self, base: Mapping[str, str]) -> dict[str, str]:
        """``base`` with this display; no Wayland and Qt's X11 platform, so the app uses
        the XEmbed tray that trayer hosts."""
        env = {k: v for k, v in base.items() if k not in ("WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
        env.update(DISPLAY=self.display, QT_QPA_PLATFORM="xcb")
        return env

    def pixels(self, area: Area) -> list[RGB]:
        """The screen's pixels in ``area``, row by row."""
        raw = subprocess.run(
            ["import", "-window", "root", "-crop", area.crop, "-depth", "8", "rgb:-"],
            env={**os.environ, "DISPLAY": self.display},
            capture_output=True,
            timeout=20,
            check=True,
        ).stdout
        if len(raw) != area.width * area.height * 3:
            raise HarnessError(f"import gave {len(raw)} bytes for {area.crop}")
        return [(raw[i], raw[i + 1], raw[i + 2]) for i in range(0, len(raw), 3)]

    def count_colour(self, colour: RGB, area: Area, tolerance: int = 24) -> int:
        """How many pixels in ``area`` are within ``tolerance`` (per channel) of ``colour``."""
        return sum(
            1
            for pixel in self.pixels(area)
            if all(abs(a - b) <= tolerance for a, b in zip(pixel, colour, strict=True))
        )

    def wait_for_colour(
        self, colour: RGB, area: Area, *, min_pixels: int, timeout: float = 20.0
    ) -> int:
        """Wait until ``area`` shows at least ``min_pixels`` of ``colour``; return the count."""
        deadline = time.monotonic() + timeout
        count = 0
        while time.monotonic() < deadline:
            count = self.count_colour(colour, area)
            if count >= min_pixels:
                return count
            time.sleep(0.2)
        raise HarnessError(
            f"{area.crop} showed {count} pixels of #{bytes(colour).hex()} after {timeout} s"
            f" (wanted {min_pixels})"
        )


def svg_fill(svg: Path) -> RGB:
    """The first ``fill="#rrggbb"`` of an SVG icon (the background shape of ours)."""
    match = re.search(r'fill="#([0-9a-fA-F]{6})"', svg.read_text())
    if match is None:
        raise HarnessError(f"no fill colour in {svg}")
    value = bytes.fromhex(match.group(1))
    return (value[0], value[1], value[2])


def _start_xvfb(log: Path) -> tuple[subprocess.Popen[bytes], str]:
    read_fd, write_fd = os.pipe()
    with open(log, "wb") as out:
        xvfb = subprocess.Popen(
            [
                *("Xvfb", "-displayfd", str(write_fd), "-nolisten", "tcp", "-noreset"),
                *("-screen", "0", f"{SCREEN[0]}x{SCREEN[1]}x24"),
            ],
            pass_fds=(write_fd,),
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=out,
        )
    os.close(write_fd)
    with os.fdopen(read_fd) as pipe:
        number = pipe.readline().strip()
    if not number:
        _proc.stop_popen(xvfb)
        raise HarnessError(f"Xvfb did not start: {log.read_text(errors='replace')[-500:]}")
    return xvfb, f":{number}"


def _panel_up(display: str) -> bool:
    found = subprocess.run(
        ["xdotool", "search", "--onlyvisible", "--class", "trayer"],
        env={**os.environ, "DISPLAY": display},
        capture_output=True,
        text=True,
        check=False,
        timeout=10,
    )
    return bool(found.stdout.strip())


@contextlib.contextmanager
def virtual_desktop(workdir: Path) -> Iterator[Desktop]:
    """Xvfb and a trayer panel along the top edge; both stopped (by PID) afterwards."""
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if missing:
        unavailable(f"missing {', '.join(missing)} (tests/run_all.sh installs them)")
    started: list[subprocess.Popen[bytes]] = []
    try:
        xvfb, display = _start_xvfb(workdir / "xvfb.log")
        started.append(xvfb)
        trayer = subprocess.Popen(
            [
                *("trayer", "--edge", "top", "--align", "right", "--SetDockType", "true"),
                *("--widthtype", "percent", "--width", "100", "--height", str(PANEL_HEIGHT)),
            ],
            env={**os.environ, "DISPLAY": display},
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        started.append(trayer)
        deadline = time.monotonic() + 15
        while not _panel_up(display):
            if time.monotonic() > deadline or trayer.poll() is not None:
                raise HarnessError("the trayer panel did not appear")
            time.sleep(0.1)
        yield Desktop(display, Area(0, 0, SCREEN[0], PANEL_HEIGHT))
    finally:
        for proc in reversed(started):
            _proc.stop_popen(proc)

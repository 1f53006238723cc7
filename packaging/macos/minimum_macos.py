"""The oldest macOS a bundle runs on: the highest minimum among what goes into it.

Every wheel says in its platform tag which macOS it was built for (PySide6 6.11:
``macosx_13_0_universal2``; 6.12: ``macosx_14_0``), and so does the Python build
(``MACOSX_DEPLOYMENT_TARGET``). The app's ``LSMinimumSystemVersion`` is the highest of
them, so macOS refuses to open the app on a version where a library would fail to load,
instead of the app crashing at start. packaging/labtunnel.spec uses this at build time.

    python packaging/macos/minimum_macos.py      # prints it, and what decides it
"""

from __future__ import annotations

import importlib.metadata
import re
import sysconfig
from collections.abc import Iterable

_MACOS_TAG = re.compile(r"macosx_(\d+)_(\d+)_")
#: what macOS on Apple silicon started with: nothing arm64 runs below it
FLOOR = (11, 0)


def wheel_minimum(tags: Iterable[str]) -> tuple[int, int] | None:
    """The lowest macOS named by a wheel's tags (a wheel may carry several), or None
    for a pure-Python or non-macOS wheel."""
    versions = [
        (int(match[1]), int(match[2])) for tag in tags for match in _MACOS_TAG.finditer(tag)
    ]
    return min(versions) if versions else None


def _installed_wheel_tags() -> dict[str, list[str]]:
    tags: dict[str, list[str]] = {}
    for dist in importlib.metadata.distributions():
        text = dist.read_text("WHEEL") or ""
        found = [
            line.partition(":")[2].strip()
            for line in text.splitlines()
            if line.startswith("Tag:") and "macosx_" in line
        ]
        if found:
            tags[dist.metadata["Name"]] = found
    return tags


def _python_minimum() -> tuple[int, int] | None:
    target = sysconfig.get_config_var("MACOSX_DEPLOYMENT_TARGET")
    if not target:
        return None
    major, _, minor = str(target).partition(".")
    return int(major), int(minor or 0)


def minimum_macos(
    wheel_tags: dict[str, list[str]] | None = None,
    python_minimum: tuple[int, int] | None = None,
) -> tuple[str, dict[str, str]]:
    """("13.0", {what: its minimum}) for the installed wheels and this Python."""
    tags = _installed_wheel_tags() if wheel_tags is None else wheel_tags
    python = _python_minimum() if wheel_tags is None else python_minimum
    reasons: dict[str, tuple[int, int]] = {}
    for name, wheel in tags.items():
        needs = wheel_minimum(wheel)
        if needs is not None:
            reasons[name] = needs
    if python is not None:
        reasons["Python"] = python
    highest = max([FLOOR, *reasons.values()])
    text = {name: f"{v[0]}.{v[1]}" for name, v in sorted(reasons.items())}
    return f"{highest[0]}.{highest[1]}", text


if __name__ == "__main__":
    version, reasons = minimum_macos()
    print(version)
    for name, needs in reasons.items():
        print(f"  {name}: macOS {needs}")

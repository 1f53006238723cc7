"""Launch at login, per platform: one small module each, behind the UI's LoginItem protocol
(``is_supported()``, ``is_enabled()``, ``set_enabled(bool)`` raising OSError).

Every implementation writes to a place it is given, so tests point it at a temp folder
(or a fake registry) and never touch the real login items.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Protocol

APP_ID = "labtunnel"


class LoginItem(Protocol):
    def is_supported(self) -> bool: ...

    def is_enabled(self) -> bool: ...

    def set_enabled(self, enabled: bool) -> None: ...


class UnsupportedLoginItem:
    def is_supported(self) -> bool:
        return False

    def is_enabled(self) -> bool:
        return False

    def set_enabled(self, enabled: bool) -> None:
        raise OSError("launch at login is not available on this platform")


def launch_command(
    executable: str | None = None, frozen: bool | None = None, platform: str | None = None
) -> list[str]:
    """What the login item starts: the bundle's own executable, or ``python -m labtunnel``
    (with no arguments LabTunnel starts the tray). On Windows a source install uses
    pythonw.exe when it is there, so no console window opens at login."""
    executable = executable if executable is not None else sys.executable
    frozen = frozen if frozen is not None else bool(getattr(sys, "frozen", False))
    platform = platform if platform is not None else sys.platform
    if frozen:
        return [executable]
    if platform == "win32" and executable.lower().endswith("python.exe"):
        windowless = executable[: -len("python.exe")] + "pythonw.exe"
        if Path(windowless).is_file():
            executable = windowless
    return [executable, "-m", "labtunnel"]


def login_item_for_platform(
    platform: str | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    home: Path | None = None,
    command: Sequence[str] | None = None,
) -> LoginItem:
    """The login item of this (or the named) platform, writing to the user's real place;
    UnsupportedLoginItem elsewhere."""
    platform = platform if platform is not None else sys.platform
    env = os.environ if environ is None else environ
    home = home if home is not None else Path.home()
    argv = list(command) if command is not None else launch_command(platform=platform)
    if platform == "win32":
        from labtunnel.core.platform.autostart.windows import RunKeyRegistry, WindowsLoginItem

        return WindowsLoginItem(RunKeyRegistry(), argv)
    if platform == "darwin":
        from labtunnel.core.platform.autostart.macos import MacLoginItem

        return MacLoginItem(home / "Library" / "LaunchAgents", argv)
    if platform.startswith(("linux", "freebsd", "openbsd", "netbsd")):
        from labtunnel.core.platform.autostart.linux import XdgLoginItem, autostart_dir

        return XdgLoginItem(autostart_dir(env, home), argv)
    return UnsupportedLoginItem()

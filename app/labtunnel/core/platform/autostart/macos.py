"""macOS: a LaunchAgent property list in ~/Library/LaunchAgents, read by launchd at login.

Nothing is loaded with launchctl now: the switch is about the next login, and the app
is already running. The agent starts the app through ``/bin/sh``: when the app has been
deleted (dragged to the Trash), the agent removes its own file at the next login instead
of failing there at every login. An app that runs from a temporary copy (App
Translocation: opened from the disk image or straight from Downloads) gets no agent at
all: the path would be gone after the next restart (:class:`AppNotInstalled`).
"""

from __future__ import annotations

import contextlib
import os
import plistlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from labtunnel.core.platform.atomic import atomic_write_text

#: the app bundle's CFBundleIdentifier (packaging/labtunnel.spec uses it too)
BUNDLE_ID = "org.labtunnel.LabTunnel"


#: run by /bin/sh at login: $0 is the agent's own file, "$@" the app's command line
_START_OR_REMOVE = 'if [ -x "$1" ]; then exec "$@"; fi; rm -f "$0"'


class AppNotInstalled(OSError):
    """The app runs from a place that will not exist at the next login (App
    Translocation, a mounted disk image): it must be moved to Applications first."""

    def __init__(self, executable: str) -> None:
        super().__init__(f"the app runs from a temporary location: {executable}")
        self.executable = executable


def is_temporary_location(executable: str) -> bool:
    """Translocated (a randomized read-only copy macOS makes of a quarantined app) or
    on a read-only volume such as the opened disk image."""
    if "/AppTranslocation/" in executable:
        return True
    if not executable.startswith("/Volumes/"):
        return False
    try:
        return bool(os.statvfs(executable).f_flag & os.ST_RDONLY)
    except OSError:
        return False


def agent_arguments(agent_path: Path, command: Sequence[str]) -> list[str]:
    return ["/bin/sh", "-c", _START_OR_REMOVE, str(agent_path), *command]


def agent_plist(label: str, arguments: Sequence[str]) -> dict[str, Any]:
    return {
        "Label": label,
        "ProgramArguments": list(arguments),
        "RunAtLoad": True,
        # a menu-bar app: only in a graphical login session, and never restarted after Quit
        "LimitLoadToSessionType": "Aqua",
        "ProcessType": "Interactive",
        "KeepAlive": False,
    }


class MacLoginItem:
    def __init__(self, agents_dir: Path, command: Sequence[str], label: str = BUNDLE_ID) -> None:
        self.agents_dir = agents_dir
        self.command = list(command)
        self.label = label

    @property
    def path(self) -> Path:
        return self.agents_dir / f"{self.label}.plist"

    def is_supported(self) -> bool:
        return True

    @property
    def arguments(self) -> list[str]:
        return agent_arguments(self.path, self.command)

    def is_enabled(self) -> bool:
        """On only when the agent starts this very program (a moved app shows off); an
        agent written by an older LabTunnel (the command alone) counts too."""
        try:
            with self.path.open("rb") as handle:
                data = plistlib.load(handle)
        except (OSError, plistlib.InvalidFileException, ValueError):
            return False
        return (
            isinstance(data, dict)
            and data.get("ProgramArguments") in (self.arguments, self.command)
            and data.get("Disabled") is not True
        )

    def set_enabled(self, enabled: bool) -> None:
        if enabled:
            if self.command and is_temporary_location(self.command[0]):
                raise AppNotInstalled(self.command[0])
            text = plistlib.dumps(agent_plist(self.label, self.arguments)).decode("utf-8")
            # launchd ignores agents that others may write to
            atomic_write_text(self.path, text, mode=0o644)
        else:
            with contextlib.suppress(FileNotFoundError):
                self.path.unlink()

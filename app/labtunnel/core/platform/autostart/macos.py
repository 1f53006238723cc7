"""macOS: a LaunchAgent property list in ~/Library/LaunchAgents, read by launchd at login.

Nothing is loaded with launchctl now: the switch is about the next login, and the app
is already running.
"""

from __future__ import annotations

import contextlib
import plistlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from labtunnel.core.platform.atomic import atomic_write_text

#: the app bundle's CFBundleIdentifier (packaging/labtunnel.spec uses it too)
BUNDLE_ID = "org.labtunnel.LabTunnel"


def agent_plist(label: str, command: Sequence[str]) -> dict[str, Any]:
    return {
        "Label": label,
        "ProgramArguments": list(command),
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

    def is_enabled(self) -> bool:
        """On only when the agent starts this very program (a moved app shows off)."""
        try:
            with self.path.open("rb") as handle:
                data = plistlib.load(handle)
        except (OSError, plistlib.InvalidFileException, ValueError):
            return False
        return (
            isinstance(data, dict)
            and data.get("ProgramArguments") == self.command
            and data.get("Disabled") is not True
        )

    def set_enabled(self, enabled: bool) -> None:
        if enabled:
            text = plistlib.dumps(agent_plist(self.label, self.command)).decode("utf-8")
            # launchd ignores agents that others may write to
            atomic_write_text(self.path, text, mode=0o644)
        else:
            with contextlib.suppress(FileNotFoundError):
                self.path.unlink()

"""The "Launch at login" switch, behind a small interface the packaging code implements."""

from __future__ import annotations

from typing import Protocol

from PySide6.QtCore import QCoreApplication

from labtunnel.core.platform.autostart.macos import AppNotInstalled

translate = QCoreApplication.translate


class LoginItem(Protocol):
    def is_supported(self) -> bool: ...

    def is_enabled(self) -> bool: ...

    def set_enabled(self, enabled: bool) -> None:
        """Raises OSError when the platform refuses."""


class UnsupportedLoginItem:
    """Used until a platform implementation is passed in: the menu shows the switch disabled."""

    def is_supported(self) -> bool:
        return False

    def is_enabled(self) -> bool:
        return False

    def set_enabled(self, enabled: bool) -> None:
        raise OSError("launch at login is not available on this platform")


def login_item_problem(error: OSError) -> str | None:
    """A sentence for a refusal that has a fix the person can do; None: say the reason."""
    if isinstance(error, AppNotInstalled):
        return translate(
            "LoginItem",
            "LabTunnel is running from the disk image or the Downloads folder, a place "
            "macOS does not keep. Drag LabTunnel to the Applications folder, open it from "
            "there, and turn on Launch at login again.",
        )
    return None

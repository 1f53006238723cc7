"""The "Launch at login" switch, behind a small interface the packaging code implements."""

from __future__ import annotations

from typing import Protocol


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

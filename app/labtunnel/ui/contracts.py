"""What the UI needs from its collaborators, so tests can pass small fakes."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

from PySide6.QtCore import QUrl

from labtunnel.core.events import TunnelStatus
from labtunnel.core.profiles.model import HostProfile

#: opens a URL in the user's browser or file manager (QDesktopServices.openUrl by default)
OpenUrl = Callable[[QUrl], object]
#: puts text on the clipboard
SetClipboard = Callable[[str], None]


class TunnelControl(Protocol):
    """The part of labtunnel.core.tunnel.tunnel.TunnelManager the tray uses. Every call
    returns at once; results arrive as events through the bridge."""

    def connect(self, profile_id: str) -> None: ...

    def prepare(self, profile_id: str) -> None:
        """The menu to connect it opened: a connect is likely (may log in ahead)."""
        ...

    def disconnect(self, profile_id: str) -> None: ...

    def stop_jupyter(self, profile_id: str) -> None: ...

    def start_jupyter_again(self, profile_id: str) -> None: ...

    def refresh_stats(self, profile_id: str) -> None: ...

    def shutdown_kernels(self, profile_id: str, kernel_ids: Sequence[str]) -> None: ...

    def test_connection(
        self, profile: HostProfile, password: str | None = None, passphrase: str | None = None
    ) -> None: ...

    def status(self, profile_id: str) -> TunnelStatus: ...

    def network_changed(self) -> None: ...

    def close(self, timeout: float = 5.0) -> object: ...


class HostKeyTrust(Protocol):
    def trust(self, host: str, port: int, key_type: str, key_base64: str) -> None: ...

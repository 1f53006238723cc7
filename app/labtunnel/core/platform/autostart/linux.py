"""Linux and other XDG desktops: a .desktop file in $XDG_CONFIG_HOME/autostart."""

from __future__ import annotations

import contextlib
from collections.abc import Mapping, Sequence
from pathlib import Path

from labtunnel.core.platform.atomic import atomic_write_text
from labtunnel.core.platform.autostart import APP_ID

_RESERVED = set(" \t\n\"'\\><~|&;$*?#()`")


def autostart_dir(environ: Mapping[str, str], home: Path) -> Path:
    config_home = environ.get("XDG_CONFIG_HOME", "")
    # the spec says a relative XDG_CONFIG_HOME is invalid and must be ignored
    base = Path(config_home) if config_home and Path(config_home).is_absolute() else None
    return (base or home / ".config") / "autostart"


def exec_quote(argument: str) -> str:
    """One argument of an ``Exec=`` line (Desktop Entry spec: quoting, ``%%``)."""
    escaped = argument.replace("%", "%%")
    if not any(c in _RESERVED for c in argument) and argument:
        return escaped
    for char in ("\\", '"', "`", "$"):
        escaped = escaped.replace(char, "\\" + char)
    # the file format unescapes backslashes once more before Exec is split
    return '"' + escaped.replace("\\", "\\\\") + '"'


def desktop_entry(command: Sequence[str], name: str = "LabTunnel") -> str:
    return (
        "[Desktop Entry]\n"
        "Type=Application\n"
        f"Name={name}\n"
        "Comment=Reach Jupyter on your lab's server from the system tray\n"
        f"Exec={' '.join(exec_quote(a) for a in command)}\n"
        f"Icon={APP_ID}\n"
        "Terminal=false\n"
        "X-GNOME-Autostart-enabled=true\n"
    )


def _entry_values(text: str) -> dict[str, str]:
    values: dict[str, str] = {}
    section = ""
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("["):
            section = line
        elif section == "[Desktop Entry]" and "=" in line and not line.startswith("#"):
            key, _, value = line.partition("=")
            values.setdefault(key.strip(), value.strip())
    return values


class XdgLoginItem:
    def __init__(self, directory: Path, command: Sequence[str], file_name: str = APP_ID) -> None:
        self.directory = directory
        self.command = list(command)
        self.file_name = file_name

    @property
    def path(self) -> Path:
        return self.directory / f"{self.file_name}.desktop"

    def is_supported(self) -> bool:
        return True

    def is_enabled(self) -> bool:
        """On when the entry starts this very program and the desktop has not switched it
        off (``Hidden=true`` or GNOME's ``X-GNOME-Autostart-enabled=false``)."""
        try:
            values = _entry_values(self.path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError):
            return False
        expected = " ".join(exec_quote(a) for a in self.command)
        return (
            values.get("Exec") == expected
            and values.get("Hidden", "false").lower() != "true"
            and values.get("X-GNOME-Autostart-enabled", "true").lower() != "false"
        )

    def set_enabled(self, enabled: bool) -> None:
        if enabled:
            atomic_write_text(self.path, desktop_entry(self.command), mode=0o644)
        else:
            with contextlib.suppress(FileNotFoundError):
                self.path.unlink()

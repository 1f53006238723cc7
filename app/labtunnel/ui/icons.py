"""Tray and window icons, one per tray state; a black mask (template) icon on macOS."""

from __future__ import annotations

import sys

from PySide6.QtGui import QIcon

from labtunnel.ui.resources import icon_path
from labtunnel.ui.state import TrayState

APP_ICON = "labtunnel.svg"


def _file_name(state: TrayState, template: bool) -> str:
    return f"tray-{state.value}-template.svg" if template else f"tray-{state.value}.svg"


def use_template_icons() -> bool:
    """The macOS menu bar recolours mask icons for light and dark mode itself."""
    return sys.platform == "darwin"


def tray_icon(state: TrayState, template: bool | None = None) -> QIcon:
    as_template = use_template_icons() if template is None else template
    icon = QIcon(str(icon_path(_file_name(state, as_template))))
    if as_template:
        icon.setIsMask(True)
    return icon


def app_icon() -> QIcon:
    return QIcon(str(icon_path(APP_ICON)))


def missing_icons() -> list[str]:
    """Icon files the app needs but cannot find (for a self-test of a bundle)."""
    names = [APP_ICON] + [_file_name(s, t) for s in TrayState for t in (False, True)]
    return [name for name in names if not icon_path(name).is_file()]

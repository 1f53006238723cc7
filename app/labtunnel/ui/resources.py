"""Finds the shipped resources (icons, translations) in a checkout or a frozen bundle."""

from __future__ import annotations

import os
import sys
from pathlib import Path

RESOURCES_ENV = "LABTUNNEL_RESOURCES"


def resources_dir() -> Path:
    """``$LABTUNNEL_RESOURCES``, else ``resources/`` inside a PyInstaller bundle, else the
    checkout's top-level ``resources/`` (app/labtunnel/ui/ -> repository root)."""
    override = os.environ.get(RESOURCES_ENV)
    if override:
        return Path(override)
    bundle = getattr(sys, "_MEIPASS", None)
    if isinstance(bundle, str):
        return Path(bundle) / "resources"
    return Path(__file__).resolve().parents[3] / "resources"


def icon_path(name: str) -> Path:
    return resources_dir() / "icons" / name

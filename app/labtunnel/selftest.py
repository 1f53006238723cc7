"""``labtunnel --self-test``: is everything the app needs inside this install (or bundle)?

Checks the version, the SSH crypto, the modules loaded on demand, a usable keyring
backend (and the platform's backend module), the icons (files, and rendered by Qt's SVG
plugins when PySide6 is there) and the translations, and that the Qt bindings keep
Python's reference counts. Prints one
line per check; the exit code is non-zero when any fails.
"""

from __future__ import annotations

import os
import platform
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from labtunnel import __version__
from labtunnel.ui.resources import resources_dir

#: the keyring backend module each platform needs (frozen apps only get what is named)
PLATFORM_BACKENDS = {
    "linux": "keyring.backends.SecretService",
    "darwin": "keyring.backends.macOS",
    "win32": "keyring.backends.Windows",
}

Check = Callable[[], str]


class CheckFailed(Exception):
    pass


def check_crypto() -> str:
    import paramiko
    from cryptography.hazmat.primitives.asymmetric import ed25519

    ed25519.Ed25519PrivateKey.generate().sign(b"labtunnel")
    return f"paramiko {paramiko.__version__}"


def check_keyring() -> str:
    import importlib

    import keyring

    from labtunnel.core.errors import SecretStoreUnavailable
    from labtunnel.core.profiles.secrets import check_backend_is_secure

    wanted = PLATFORM_BACKENDS.get(sys.platform)
    if wanted is not None:
        try:
            importlib.import_module(wanted)
        except ImportError as exc:
            raise CheckFailed(f"{wanted} is not in this install: {exc}") from exc
    backend = keyring.get_keyring()
    name = f"{type(backend).__module__}.{type(backend).__qualname__}"
    try:
        check_backend_is_secure(backend)
    except SecretStoreUnavailable as exc:
        raise CheckFailed(f"no usable keyring: {name}") from exc
    return name


def required_icons() -> list[Path]:
    icons = resources_dir() / "icons"
    found = sorted(icons.glob("*.svg"))
    if not found:
        raise CheckFailed(f"no icons in {icons}")
    return found


def check_icons() -> str:
    icons = required_icons()
    try:
        from labtunnel.ui.icons import missing_icons
    except ImportError:
        return f"{len(icons)} SVG files (PySide6 not installed: not rendered)"
    missing = missing_icons()
    if missing:
        raise CheckFailed("missing " + ", ".join(missing))
    _qt_app()
    from PySide6.QtGui import QIcon, QImage
    from PySide6.QtSvg import QSvgRenderer

    broken = []
    for path in icons:
        # QSvgRenderer: QtSvg itself; QImage: the qsvg image plugin; QIcon: the icon engine
        renderer = QSvgRenderer(str(path))
        image = QImage(str(path))
        pixmap = QIcon(str(path)).pixmap(32, 32)
        if not renderer.isValid() or image.isNull() or pixmap.isNull():
            broken.append(path.name)
    if broken:
        raise CheckFailed("Qt cannot render " + ", ".join(broken))
    return f"{len(icons)} SVG icons rendered by Qt"


def check_loaded_on_demand() -> str:
    """The modules imported by name when first needed (each CLI command's, the error
    sentences'): a bundler that follows only written-out imports could leave them out."""
    import importlib

    from labtunnel.cli import COMMANDS
    from labtunnel.messages.base import DESCRIBER_MODULES, describers

    missing = []
    for module in [*COMMANDS.values(), *(f"labtunnel.messages.{m}" for m in DESCRIBER_MODULES)]:
        try:
            importlib.import_module(module)
        except ImportError as exc:
            missing.append(f"{module} ({exc})")
    if missing:
        raise CheckFailed("not in this install: " + ", ".join(missing))
    return f"{len(COMMANDS)} commands, {len(describers())} error sentences"


def check_translations() -> str:
    folder = resources_dir() / "translations"
    if not folder.is_dir():
        raise CheckFailed(f"{folder} is missing")
    files = sorted(folder.glob("*.qm"))
    try:
        from PySide6.QtCore import QTranslator
    except ImportError:
        return f"{folder}: {len(files)} .qm file(s) (PySide6 not installed: not loaded)"
    _qt_app()
    bad = [f.name for f in files if not QTranslator().load(str(f))]
    if bad:
        raise CheckFailed("cannot load " + ", ".join(bad))
    names = ", ".join(f.stem for f in files) or "none yet, English only"
    return f"{folder} ({names})"


def check_qt_bindings() -> str:
    try:
        from labtunnel.ui.qt_bindings import describe, dropped_references
    except ImportError:
        return "PySide6 not installed: not checked"
    import PySide6

    lost = dropped_references()
    if lost:
        raise CheckFailed(describe(lost))
    return f"PySide6 {PySide6.__version__} keeps reference counts"


_app_holder: list[object] = []


def _qt_app() -> None:
    """A GUI application on the offscreen platform: rendering needs one, a screen not."""
    from PySide6.QtGui import QGuiApplication

    if QGuiApplication.instance() is None:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
        _app_holder.append(QGuiApplication(["labtunnel-self-test"]))


CHECKS: list[tuple[str, Check]] = [
    ("ssh", check_crypto),
    ("commands and sentences", check_loaded_on_demand),
    ("keyring", check_keyring),
    ("icons", check_icons),
    ("translations", check_translations),
    ("qt bindings", check_qt_bindings),
]


def run_self_test(out: TextIO | None = None) -> int:
    stream = out if out is not None else sys.stdout
    frozen = "bundle" if getattr(sys, "frozen", False) else "source"
    print(
        f"LabTunnel {__version__} ({frozen}; Python {platform.python_version()}; {sys.platform})",
        file=stream,
    )
    print(f"resources: {resources_dir()}", file=stream)
    failed = 0
    for name, check in CHECKS:
        try:
            detail = check()
        except Exception as exc:  # a self-test reports every failure, whatever it is
            failed += 1
            print(f"FAIL {name}: {exc}", file=stream)
        else:
            print(f"ok   {name}: {detail}", file=stream)
    print("self-test " + ("passed" if not failed else f"FAILED ({failed})"), file=stream)
    return 1 if failed else 0

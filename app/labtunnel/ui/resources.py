"""Where the shipped resources are: icons, translations, the desktop entry, the MIME type.

They are the package ``labtunnel.resources``: the build maps the repository's top-level
``resources/`` folder there (pyproject.toml), so a wheel, an sdist, an editable install
and a PyInstaller bundle all carry them. They are read through :mod:`importlib.resources`,
which finds them wherever the package was imported from. Qt opens files by name, so when
the package is not a folder on disk (imported from a zip) its files are copied once into
a private temporary folder. A checkout run without any install (``PYTHONPATH=app``) uses
the top-level ``resources/`` itself; ``$LABTUNNEL_RESOURCES`` overrides everything.
"""

from __future__ import annotations

import atexit
import importlib.resources
import os
import shutil
import sys
import tempfile
import threading
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    if sys.version_info >= (3, 11):
        from importlib.resources.abc import Traversable
    else:
        from importlib.abc import Traversable

RESOURCES_ENV = "LABTUNNEL_RESOURCES"
RESOURCES_PACKAGE = "labtunnel.resources"
#: app/labtunnel/ui/ -> the repository root's resources/ (only for an uninstalled checkout)
CHECKOUT_RESOURCES = Path(__file__).resolve().parents[3] / "resources"

_extracted: dict[str, Path] = {}
_extract_lock = threading.Lock()


def resources_dir() -> Path:
    """A folder on disk holding ``icons/``, ``translations/``, ``labtunnel.desktop`` and
    ``labtunnel-mime.xml``."""
    override = os.environ.get(RESOURCES_ENV)
    if override:
        return Path(override)
    try:
        package = importlib.resources.files(RESOURCES_PACKAGE)
    except ModuleNotFoundError:
        return CHECKOUT_RESOURCES
    if isinstance(package, Path):
        return package
    return _on_disk(package)


def icon_path(name: str) -> Path:
    return resources_dir() / "icons" / name


def _on_disk(package: Traversable) -> Path:
    """A copy of ``package`` in a temporary folder (made once, removed at exit)."""
    key = str(package)
    with _extract_lock:
        if key not in _extracted:
            target = Path(tempfile.mkdtemp(prefix="labtunnel-resources-"))
            atexit.register(shutil.rmtree, target, ignore_errors=True)
            _copy_tree(package, target)
            _extracted[key] = target
        return _extracted[key]


def _copy_tree(source: Traversable, target: Path) -> None:
    for item in source.iterdir():
        if item.name == "__pycache__" or item.name.endswith((".py", ".pyc")):
            continue
        if item.is_dir():
            (target / item.name).mkdir()
            _copy_tree(item, target / item.name)
        else:
            (target / item.name).write_bytes(item.read_bytes())

"""Folders only this user can enter, for files other local users must not see or plant:
the single-instance socket, the browser's redirect pages."""

from __future__ import annotations

import contextlib
import os
import stat
import sys
from collections.abc import Mapping
from pathlib import Path

RUNTIME_ENV = "XDG_RUNTIME_DIR"


def is_private_folder(folder: Path) -> bool:
    """A real folder (not a link) of this user that nobody else may enter or write to.
    On Windows the per-user folders are private by their access rights."""
    try:
        info = folder.lstat()
    except OSError:
        return False
    if not stat.S_ISDIR(info.st_mode):
        return False
    if sys.platform == "win32":
        return True
    return info.st_uid == os.geteuid() and info.st_mode & 0o077 == 0


def private_folders(config_dir: Path, environ: Mapping[str, str] | None = None) -> list[Path]:
    """Where private runtime files may go, best first: ``$XDG_RUNTIME_DIR`` when it is
    private (Linux: /run/user/UID), then the config folder (made 0700 when missing)."""
    env = os.environ if environ is None else environ
    runtime = env.get(RUNTIME_ENV, "")
    found: list[Path] = []
    if runtime and Path(runtime).is_absolute() and is_private_folder(Path(runtime)):
        found.append(Path(runtime))
    config = config_dir.expanduser()
    try:
        config.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError:
        return found
    if is_private_folder(config):
        found.append(config)
    return found


def make_private_folder(folder: Path) -> Path:
    """``folder`` (in a private parent), created 0700; raises OSError when it exists and
    is not a private folder of this user."""
    with contextlib.suppress(FileExistsError):
        folder.mkdir(mode=0o700)
    if not is_private_folder(folder):
        raise OSError(f"{folder} is not a private folder of this user")
    return folder

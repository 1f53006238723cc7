"""Lab profile files opened from the desktop.

Windows and Linux start ``labtunnel FILE.labtunnel`` (a second launch hands the file to
the running instance). macOS instead sends the running app a QFileOpenEvent, also for
the double click that launched it: this filter catches those.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, Signal
from PySide6.QtGui import QFileOpenEvent

SUFFIX = ".labtunnel"


def lab_profile_argument(args: Sequence[str]) -> Path | None:
    """The lab profile among the command-line arguments (the last one named *.labtunnel)."""
    for arg in reversed(args):
        if arg.lower().endswith(SUFFIX) and not arg.startswith("-"):
            return Path(arg).expanduser().absolute()
    return None


class FileOpenWatcher(QObject):
    """Install on the QApplication; ``opened`` carries the path of each lab profile."""

    opened = Signal(object)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.FileOpen and isinstance(event, QFileOpenEvent):
            name = event.file() or event.url().toLocalFile()
            if name.lower().endswith(SUFFIX):
                self.opened.emit(Path(name))
                return True
        return super().eventFilter(watched, event)

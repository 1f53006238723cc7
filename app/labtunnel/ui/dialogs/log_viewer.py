"""The app's recent log, with "Copy" and "Open log folder".

The file handler already redacts secrets; the text is redacted once more on
display in case the file came from an older version.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication, QUrl
from PySide6.QtGui import QFontDatabase, QTextCursor
from PySide6.QtWidgets import (
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from labtunnel.core.logs import LOG_FILE_NAME, redact
from labtunnel.ui.contracts import OpenUrl, SetClipboard
from labtunnel.ui.dialogs.common import action_row, prepare_window

translate = QCoreApplication.translate

TAIL_BYTES = 256 * 1024


def read_tail(path: Path, limit: int = TAIL_BYTES) -> str:
    """The last ``limit`` bytes of ``path``, starting at a whole line."""
    try:
        with path.open("rb") as handle:
            size = handle.seek(0, 2)
            handle.seek(max(0, size - limit))
            data = handle.read()
    except FileNotFoundError:
        return ""
    if len(data) == limit and b"\n" in data:
        data = data.split(b"\n", 1)[1]
    return data.decode("utf-8", "replace")


class LogViewer(QWidget):
    def __init__(
        self,
        log_dir: Path,
        open_url: OpenUrl,
        set_clipboard: SetClipboard,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.log_dir = log_dir
        self._open_url = open_url
        self._set_clipboard = set_clipboard
        prepare_window(self, translate("LogViewer", "LabTunnel log"))
        layout = QVBoxLayout(self)
        self.text = QPlainTextEdit(self)
        self.text.setReadOnly(True)
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        layout.addWidget(self.text)
        texts = (
            translate("LogViewer", "Refresh"),
            translate("LogViewer", "Copy"),
            translate("LogViewer", "Open log folder"),
        )
        row, (self.refresh_button, self.copy_button, self.folder_button) = action_row(
            self, texts, self.close
        )
        layout.addLayout(row)
        self.refresh_button.clicked.connect(self.refresh)
        self.copy_button.clicked.connect(self.copy)
        self.folder_button.clicked.connect(self.open_folder)
        self.resize(820, 480)
        self.refresh()

    @property
    def log_file(self) -> Path:
        return self.log_dir / LOG_FILE_NAME

    def refresh(self) -> None:
        text = redact(read_tail(self.log_file))
        if not text:
            text = translate("LogViewer", "The log is empty so far ({path}).").format(
                path=self.log_file
            )
        self.text.setPlainText(text)
        self.text.moveCursor(QTextCursor.MoveOperation.End)

    def copy(self) -> None:
        self._set_clipboard(self.text.toPlainText())

    def open_folder(self) -> None:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self._open_url(QUrl.fromLocalFile(str(self.log_dir)))

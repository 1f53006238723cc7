"""Small widgets the dialogs share."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QFontDatabase, QIcon
from PySide6.QtWidgets import (
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QWidget,
)

from labtunnel.ui.icons import app_icon

#: the colour of what needs fixing before a dialog can go on
PROBLEM_STYLE = "color: #c5221f;"


def monospace_label(text: str, parent: QWidget | None = None) -> QLabel:
    """A fingerprint or path the user may want to select and compare."""
    label = QLabel(text, parent)
    label.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def heading_label(text: str, parent: QWidget | None = None) -> QLabel:
    label = QLabel(text, parent)
    font = QFont(label.font())
    font.setPointSizeF(font.pointSizeF() * 1.25)
    font.setBold(True)
    label.setFont(font)
    label.setWordWrap(True)
    return label


def wrapped_label(text: str, parent: QWidget | None = None) -> QLabel:
    label = QLabel(text, parent)
    label.setWordWrap(True)
    return label


def prepare_window(window: QWidget, title: str) -> None:
    """Title and icon; top-level windows of a tray app must come to the front themselves."""
    window.setWindowTitle(title)
    window.setWindowIcon(app_icon())


def fit_to_contents(window: QWidget) -> None:
    """Height for the real width. A window's first size comes from its size hint, which
    guesses word-wrapped text narrower (and so taller) than it ends up: a gap would
    show under every wrapped label, mostly with Chinese text."""
    layout = window.layout()
    if layout is None or not layout.hasHeightForWidth():
        return
    window.ensurePolished()
    width = max(window.sizeHint().width(), window.minimumWidth())
    height = max(layout.totalHeightForWidth(width), window.minimumHeight())
    window.resize(width, height)


def bring_to_front(window: QWidget) -> None:
    first_show = not window.isVisible() and not window.testAttribute(Qt.WidgetAttribute.WA_Resized)
    if first_show and not isinstance(window, QMessageBox):
        fit_to_contents(window)
    window.show()
    window.setWindowState(window.windowState() & ~Qt.WindowState.WindowMinimized)
    window.raise_()
    window.activateWindow()


def plain_buttons(box: QDialogButtonBox) -> QDialogButtonBox:
    """Some styles put icons on standard buttons only: keep every button text-only."""
    for button in box.buttons():
        button.setIcon(QIcon())
    return box


def problem_label(parent: QWidget) -> QLabel:
    """A hidden red, wrapping label for what is wrong; shown when there is something."""
    label = QLabel(parent)
    label.setStyleSheet(PROBLEM_STYLE)
    label.setWordWrap(True)
    label.hide()
    return label


def accept_cancel_buttons(
    parent: QWidget,
    accept_text: str,
    on_accept: Callable[[], object],
    on_cancel: Callable[[], object],
) -> tuple[QDialogButtonBox, QPushButton]:
    """The dialog's own action (default button) and Cancel, text-only."""
    buttons = QDialogButtonBox(parent)
    accept = buttons.addButton(accept_text, QDialogButtonBox.ButtonRole.AcceptRole)
    accept.setDefault(True)
    accept.clicked.connect(on_accept)
    buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
    buttons.rejected.connect(on_cancel)
    return plain_buttons(buttons), accept


def action_row(
    parent: QWidget, texts: tuple[str, ...], on_close: Callable[[], object]
) -> tuple[QHBoxLayout, list[QPushButton]]:
    """A window's own buttons on the left, Close on the right."""
    row = QHBoxLayout()
    buttons = [QPushButton(text, parent) for text in texts]
    for button in buttons:
        row.addWidget(button)
    row.addStretch(1)
    close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, parent)
    close.rejected.connect(on_close)
    row.addWidget(plain_buttons(close))
    return row, buttons

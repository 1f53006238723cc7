"""Settings: default lab server (and connecting to it at start), language, launch at
login, notifications, the opt-in check for a newer version."""

from __future__ import annotations

import logging
from html import escape

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from labtunnel.core.errors import LabTunnelError
from labtunnel.core.profiles.model import HostProfile
from labtunnel.core.updates import UpdateCheckFailed, UpdateStatus, check_for_update
from labtunnel.ui.dialogs.common import (
    accept_cancel_buttons,
    prepare_window,
    problem_label,
    wrapped_label,
)
from labtunnel.ui.i18n import ui_language
from labtunnel.ui.login_item import LoginItem, login_item_problem
from labtunnel.ui.settings import AppSettings, SettingsStore
from labtunnel.ui.texts import error_text
from labtunnel.ui.update_check import CheckFunction, UpdateChecker, result_text

log = logging.getLogger(__name__)
translate = QCoreApplication.translate

NOTE_STYLE = "background: #fff8e1; border: 1px solid #f0c36d; border-radius: 4px; padding: 6px;"


class SettingsDialog(QDialog):
    #: the settings were saved (AppSettings)
    saved = Signal(object)

    def __init__(
        self,
        settings: SettingsStore,
        profiles: list[HostProfile],
        login_item: LoginItem,
        running_language: str,
        parent: QWidget | None = None,
        update_check: CheckFunction = check_for_update,
    ) -> None:
        super().__init__(parent)
        self._settings = settings
        self._login_item = login_item
        self._running_language = running_language
        current = settings.get()
        prepare_window(self, translate("Settings", "LabTunnel settings"))
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.default_combo = QComboBox(self)
        self.default_combo.addItem(translate("Settings", "The first in the list"), "")
        for profile in profiles:
            self.default_combo.addItem(profile.name, profile.id)
        self.default_combo.setCurrentIndex(
            max(0, self.default_combo.findData(current.default_profile))
        )
        self.default_combo.setToolTip(
            translate("Settings", "Connected by a double click on the tray icon.")
        )
        form.addRow(translate("Settings", "Default lab server:"), self.default_combo)
        self.connect_box = QCheckBox(
            translate("Settings", "Connect to the default lab server when LabTunnel starts"), self
        )
        self.connect_box.setChecked(current.connect_at_start)
        self.connect_box.setToolTip(
            translate(
                "Settings",
                "The browser is not opened: choose Open in browser in the menu when you need it.",
            )
        )
        form.addRow("", self.connect_box)
        self.language_combo = QComboBox(self)
        # each language in its own words, so anyone can find theirs
        self.language_combo.addItem(translate("Settings", "System language"), "system")
        self.language_combo.addItem("English", "en")
        self.language_combo.addItem("简体中文", "zh_CN")
        self.language_combo.setCurrentIndex(max(0, self.language_combo.findData(current.language)))
        self.language_combo.currentIndexChanged.connect(lambda _i: self._language_changed())
        form.addRow(translate("Settings", "Language:"), self.language_combo)
        layout.addLayout(form)
        self.restart_note = wrapped_label(
            translate("Settings", "The new language is used after LabTunnel restarts.")
        )
        self.restart_note.setStyleSheet(NOTE_STYLE)
        self.restart_note.hide()
        layout.addWidget(self.restart_note)
        self.launch_box = QCheckBox(translate("Settings", "Start LabTunnel when I log in"), self)
        supported = login_item.is_supported()
        self.launch_box.setEnabled(supported)
        self.launch_box.setChecked(supported and login_item.is_enabled())
        if not supported:
            self.launch_box.setToolTip(translate("Settings", "Not available on this system."))
        layout.addWidget(self.launch_box)
        self.notifications_box = QCheckBox(
            translate("Settings", "Show notifications (connected, lost, failed)"), self
        )
        self.notifications_box.setChecked(current.notifications)
        layout.addWidget(self.notifications_box)
        layout.addLayout(self._build_update_row(current, update_check))
        self.problem = problem_label(self)
        layout.addWidget(self.problem)
        buttons, self.save_button = accept_cancel_buttons(
            self, translate("Settings", "Save"), self.save, self.reject
        )
        layout.addWidget(buttons)
        self.setMinimumWidth(420)

    def _build_update_row(self, current: AppSettings, check: CheckFunction) -> QVBoxLayout:
        column = QVBoxLayout()
        self.updates_box = QCheckBox(
            translate("Settings", "Check for a newer version when LabTunnel starts"), self
        )
        self.updates_box.setChecked(current.check_updates)
        self.updates_box.setToolTip(
            translate(
                "Settings",
                "Asks GitHub which LabTunnel release is the latest. Nothing about you or "
                "your computer is sent.",
            )
        )
        row = QHBoxLayout()
        row.addWidget(self.updates_box, 1)
        self.check_now_button = QPushButton(translate("Settings", "Check now"), self)
        self.check_now_button.clicked.connect(self.check_now)
        row.addWidget(self.check_now_button)
        column.addLayout(row)
        self.update_result = QLabel(self)
        self.update_result.setWordWrap(True)
        self.update_result.setTextFormat(Qt.TextFormat.RichText)
        self.update_result.setOpenExternalLinks(True)
        self.update_result.hide()
        column.addWidget(self.update_result)
        self.updates = UpdateChecker(check, parent=self)
        self.updates.finished.connect(self._update_checked)
        return column

    def check_now(self) -> None:
        """A click is consent for this one request, whether or not the box is ticked."""
        if self.updates.start():
            self.check_now_button.setEnabled(False)
            self.update_result.setText(escape(translate("Settings", "Checking…")))
            self.update_result.show()

    def _update_checked(self, result: object) -> None:
        self.check_now_button.setEnabled(True)
        if not isinstance(result, (UpdateStatus, UpdateCheckFailed)):
            return
        text = escape(result_text(result))
        if isinstance(result, UpdateStatus) and result.newer_available:
            link = translate("Settings", "Download it from the release page")
            text += f' <a href="{escape(result.latest.page)}">{escape(link)}</a>'
        self.update_result.setText(text)
        self.update_result.show()

    def chosen(self) -> AppSettings:
        default = self.default_combo.currentData()
        language = self.language_combo.currentData()
        return AppSettings(
            default_profile=default if isinstance(default, str) else "",
            language=language if isinstance(language, str) else "system",
            launch_at_login=self.launch_box.isChecked(),
            notifications=self.notifications_box.isChecked(),
            connect_at_start=self.connect_box.isChecked(),
            check_updates=self.updates_box.isChecked(),
        )

    def restart_needed(self) -> bool:
        return ui_language(self.chosen().language) != self._running_language

    def _language_changed(self) -> None:
        self.restart_note.setVisible(self.restart_needed())
        self.adjustSize()

    def save(self) -> bool:
        chosen = self.chosen()
        item = self._login_item
        if item.is_supported() and chosen.launch_at_login != item.is_enabled():
            try:
                item.set_enabled(chosen.launch_at_login)
            except OSError as exc:
                log.warning("launch at login not changed: %s", exc)
                self._show_problem(
                    login_item_problem(exc)
                    or translate(
                        "Settings", "Launch at login could not be changed: {reason}"
                    ).format(reason=exc.strerror or str(exc))
                )
                self.launch_box.setChecked(item.is_enabled())
                return False
        try:
            self._settings.save(chosen)
        except LabTunnelError as exc:
            self._show_problem(error_text(exc))
            return False
        self.saved.emit(chosen)
        self.accept()
        return True

    def _show_problem(self, text: str) -> None:
        self.problem.setText(text)
        self.problem.show()

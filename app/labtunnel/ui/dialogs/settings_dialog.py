"""Settings: default lab server (and connecting to it at start), language, launch at
login, notifications."""

from __future__ import annotations

import logging

from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QVBoxLayout,
    QWidget,
)

from labtunnel.core.errors import LabTunnelError
from labtunnel.core.profiles.model import HostProfile
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
        self.problem = problem_label(self)
        layout.addWidget(self.problem)
        buttons, self.save_button = accept_cancel_buttons(
            self, translate("Settings", "Save"), self.save, self.reject
        )
        layout.addWidget(buttons)
        self.setMinimumWidth(420)

    def chosen(self) -> AppSettings:
        default = self.default_combo.currentData()
        language = self.language_combo.currentData()
        return AppSettings(
            default_profile=default if isinstance(default, str) else "",
            language=language if isinstance(language, str) else "system",
            launch_at_login=self.launch_box.isChecked(),
            notifications=self.notifications_box.isChecked(),
            connect_at_start=self.connect_box.isChecked(),
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

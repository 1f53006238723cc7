"""Loads the UI translation for the system locale (the .qm files come with issue 7)."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

from labtunnel.ui.resources import resources_dir


def install_translators(app: QCoreApplication, locale: QLocale | None = None) -> list[QTranslator]:
    """Qt's own strings and LabTunnel's; missing files simply leave English."""
    chosen = locale or QLocale.system()
    installed: list[QTranslator] = []
    for name, folder in (
        ("qtbase", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)),
        ("labtunnel", str(resources_dir() / "translations")),
    ):
        translator = QTranslator(app)
        if translator.load(chosen, name, "_", folder) and app.installTranslator(translator):
            installed.append(translator)
    return installed

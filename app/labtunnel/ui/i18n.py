"""The UI's language: English (the source texts) or Simplified Chinese (``zh_CN``).

The setting "system" follows the system's preferred languages in order: the first
one LabTunnel has wins, English is the last resort. Any Chinese counts as
Simplified Chinese (the only Chinese there is; whoever prefers English over it
picks English in Settings).
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

from labtunnel.ui.resources import resources_dir

log = logging.getLogger(__name__)

ENGLISH = "en"
SIMPLIFIED_CHINESE = "zh_CN"
#: languages with a translation file (English needs none)
TRANSLATED = (SIMPLIFIED_CHINESE,)


def translations_dir() -> Path:
    return resources_dir() / "translations"


def _language_of(locale: QLocale) -> str | None:
    if locale.language() == QLocale.Language.English:
        return ENGLISH
    if locale.language() == QLocale.Language.Chinese:
        return SIMPLIFIED_CHINESE
    return None


def ui_language(setting: str = "system", system: QLocale | None = None) -> str:
    """``en`` or ``zh_CN``, from the setting ("system", "en", "zh_CN")."""
    if setting in (ENGLISH, *TRANSLATED):
        return setting
    locale = system if system is not None else QLocale.system()
    for name in [*locale.uiLanguages(), locale.name()]:
        language = _language_of(QLocale(name))
        if language is not None:
            return language
    return ENGLISH


class Translators:
    """The installed translators (Qt's own and LabTunnel's), swapped as a pair."""

    def __init__(self, app: QCoreApplication) -> None:
        self._app = app
        self._installed: list[QTranslator] = []
        self.language = ENGLISH

    @property
    def installed(self) -> list[QTranslator]:
        return list(self._installed)

    def install(self, language: str) -> bool:
        """Switch to ``language`` ("en" removes the translators). False when LabTunnel's
        file for it is missing or broken: the UI then stays English."""
        self.remove()
        if language == ENGLISH:
            return True
        ours = QTranslator(self._app)
        if not ours.load(f"labtunnel_{language}", str(translations_dir())):
            log.warning("no %s translation in %s: using English", language, translations_dir())
            ours.deleteLater()
            return False
        # Qt's own words (Cancel, Close, Yes): nice to have, not required
        qt = QTranslator(self._app)
        qt_folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
        if qt.load(f"qtbase_{language}", qt_folder) and self._app.installTranslator(qt):
            self._installed.append(qt)
        else:
            log.info("no Qt translation for %s in %s", language, qt_folder)
            qt.deleteLater()
        self._app.installTranslator(ours)
        self._installed.append(ours)
        self.language = language
        log.info("user interface language: %s", language)
        return True

    def remove(self) -> None:
        for translator in self._installed:
            self._app.removeTranslator(translator)
            translator.deleteLater()
        self._installed.clear()
        self.language = ENGLISH

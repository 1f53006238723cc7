"""The app's settings, kept in the profile file's ``settings`` object (so they follow the
same atomic-write and refuse-when-unreadable rules as the profiles).

A value of the wrong type (an older version, a hand edit) reads as its default
instead of stopping the app.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from typing import Any

from labtunnel.core.errors import LabTunnelError
from labtunnel.core.profiles.store import ProfileStore

log = logging.getLogger(__name__)

#: "system" follows the system's language; the others force one
LANGUAGES = ("system", "en", "zh_CN")

DEFAULT_PROFILE = "default_profile"
LANGUAGE = "language"
LAUNCH_AT_LOGIN = "launch_at_login"
NOTIFICATIONS = "notifications"
CONNECT_AT_START = "connect_at_start"
CHECK_UPDATES = "check_updates"


@dataclass(frozen=True)
class AppSettings:
    #: profile id opened by a double click on the tray icon; "" = the first profile
    default_profile: str = ""
    language: str = "system"
    #: what the user last chose; the login item itself is the truth about the platform
    launch_at_login: bool = False
    notifications: bool = True
    #: connect to the default profile once the tray (or its fallback window) is up
    connect_at_start: bool = False
    #: ask GitHub's Releases API for a newer version at start (opt-in: off by default)
    check_updates: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            DEFAULT_PROFILE: self.default_profile,
            LANGUAGE: self.language,
            LAUNCH_AT_LOGIN: self.launch_at_login,
            NOTIFICATIONS: self.notifications,
            CONNECT_AT_START: self.connect_at_start,
            CHECK_UPDATES: self.check_updates,
        }


def settings_from_dict(data: dict[str, Any]) -> AppSettings:
    defaults = AppSettings()
    default_profile = data.get(DEFAULT_PROFILE, defaults.default_profile)
    language = data.get(LANGUAGE, defaults.language)
    launch = data.get(LAUNCH_AT_LOGIN, defaults.launch_at_login)
    notifications = data.get(NOTIFICATIONS, defaults.notifications)
    connect = data.get(CONNECT_AT_START, defaults.connect_at_start)
    updates = data.get(CHECK_UPDATES, defaults.check_updates)
    return AppSettings(
        default_profile=default_profile if isinstance(default_profile, str) else "",
        language=language if language in LANGUAGES else defaults.language,
        launch_at_login=launch if isinstance(launch, bool) else defaults.launch_at_login,
        notifications=(
            notifications if isinstance(notifications, bool) else defaults.notifications
        ),
        connect_at_start=connect if isinstance(connect, bool) else defaults.connect_at_start,
        check_updates=updates if isinstance(updates, bool) else defaults.check_updates,
    )


class SettingsStore:
    """Reads and writes :class:`AppSettings` through the profile store."""

    def __init__(self, store: ProfileStore) -> None:
        self._store = store

    def get(self) -> AppSettings:
        """Defaults when the profile file cannot be read (the app reports that elsewhere)."""
        try:
            return settings_from_dict(self._store.settings())
        except LabTunnelError as exc:
            log.warning("settings not read, using defaults: %s", exc)
            return AppSettings()

    def save(self, settings: AppSettings) -> AppSettings:
        """Raises LabTunnelError (ProfileStoreLocked, ProfileFileUnwritable)."""
        if settings.language not in LANGUAGES:
            raise ValueError(f"unknown language {settings.language!r}")
        self._store.update_settings(settings.to_dict())
        log.info(
            "settings saved: language %s, notifications %s, launch at login %s, "
            "connect at start %s, update check %s",
            settings.language,
            "on" if settings.notifications else "off",
            "on" if settings.launch_at_login else "off",
            "on" if settings.connect_at_start else "off",
            "on" if settings.check_updates else "off",
        )
        return settings

    def change(self, **changes: Any) -> AppSettings:
        return self.save(replace(self.get(), **changes))

    def notifications_on(self) -> bool:
        return self.get().notifications

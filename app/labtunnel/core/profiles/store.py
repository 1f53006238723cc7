"""Profiles on disk: versioned JSON, atomic writes, never secrets.

A file that cannot be read (bad JSON, bad fields, a newer schema) is never
overwritten: it is copied aside, reported, and saving is refused until the user
moves it away or fixes it.
"""

from __future__ import annotations

import json
import shutil
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from labtunnel.core.errors import (
    ProfileFileUnwritable,
    ProfileNotFound,
    ProfileStoreCorrupt,
    ProfileStoreLocked,
    ProfileStoreTooNew,
)
from labtunnel.core.platform.atomic import atomic_write_text
from labtunnel.core.profiles.model import (
    HostProfile,
    profile_from_dict,
    profile_to_dict,
    validate_profile,
)

SCHEMA_VERSION = 1


class ProfileStore:
    """Thread-safe access to the profile file. Call :meth:`load` first."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.RLock()
        self._profiles: list[HostProfile] = []
        self._settings: dict[str, Any] = {}
        self._load_error: Exception | None = None
        self._loaded = False

    # --- reading ------------------------------------------------------------------

    def load(self) -> list[HostProfile]:
        """Read the file. Raises ProfileStoreCorrupt or ProfileStoreTooNew (and then
        refuses every save until a later load succeeds)."""
        with self._lock:
            self._loaded = True
            self._load_error = None
            try:
                self._profiles, self._settings = self._read()
            except (ProfileStoreCorrupt, ProfileStoreTooNew) as exc:
                self._profiles, self._settings = [], {}
                self._load_error = exc
                raise
            return list(self._profiles)

    def _read(self) -> tuple[list[HostProfile], dict[str, Any]]:
        try:
            raw = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return [], {}
        except (OSError, UnicodeDecodeError) as exc:
            raise ProfileStoreCorrupt(str(self.path), f"cannot read: {exc}") from exc
        try:
            data = json.loads(raw)
            if not isinstance(data, Mapping):
                raise ValueError("the top level must be an object")
            version = data.get("schema")
            if not isinstance(version, int) or isinstance(version, bool):
                raise ValueError("missing schema version")
            if version > SCHEMA_VERSION:
                raise ProfileStoreTooNew(str(self.path), version, SCHEMA_VERSION)
            items = data.get("profiles", [])
            if not isinstance(items, list):
                raise ValueError("'profiles' must be a list")
            profiles: list[HostProfile] = []
            for index, item in enumerate(items, start=1):
                try:
                    profiles.append(profile_from_dict(item))
                except ValueError as exc:
                    raise ValueError(f"profile {index}: {exc}") from exc
            if len({p.id for p in profiles}) != len(profiles):
                raise ValueError("two profiles share one id")
            settings = data.get("settings", {})
            if not isinstance(settings, Mapping):
                raise ValueError("'settings' must be an object")
        except ProfileStoreTooNew:
            raise
        except (ValueError, RecursionError) as exc:
            raise ProfileStoreCorrupt(str(self.path), str(exc), self._keep_copy()) from exc
        return profiles, dict(settings)

    def _keep_copy(self) -> str | None:
        """Copy the unreadable file aside so even a later manual fix loses nothing."""
        stamp = time.strftime("%Y%m%d-%H%M%S")
        backup = self.path.with_name(f"{self.path.name}.unreadable-{stamp}")
        try:
            shutil.copy2(self.path, backup)
        except OSError:
            return None
        return str(backup)

    @property
    def load_error(self) -> Exception | None:
        return self._load_error

    def profiles(self) -> list[HostProfile]:
        with self._lock:
            self._ensure_loaded()
            return list(self._profiles)

    def get(self, name_or_id: str) -> HostProfile:
        with self._lock:
            self._ensure_loaded()
            for profile in self._profiles:
                if profile.id == name_or_id:
                    return profile
            wanted = name_or_id.strip().casefold()
            for profile in self._profiles:
                if profile.name.strip().casefold() == wanted:
                    return profile
        raise ProfileNotFound(name_or_id)

    def settings(self) -> dict[str, Any]:
        with self._lock:
            self._ensure_loaded()
            return dict(self._settings)

    # --- writing ------------------------------------------------------------------

    def add(self, profile: HostProfile, check_files: bool = True) -> HostProfile:
        with self._lock:
            self._ensure_writable()
            validate_profile(profile, self._profiles, check_files)
            self._save([*self._profiles, profile], self._settings)
            return profile

    def update(self, profile: HostProfile, check_files: bool = True) -> HostProfile:
        with self._lock:
            self._ensure_writable()
            index = self._index_of(profile.id)
            validate_profile(profile, self._profiles, check_files)
            profiles = list(self._profiles)
            profiles[index] = profile
            self._save(profiles, self._settings)
            return profile

    def remove(self, profile_id: str) -> HostProfile:
        with self._lock:
            self._ensure_writable()
            index = self._index_of(profile_id)
            profiles = list(self._profiles)
            removed = profiles.pop(index)
            self._save(profiles, self._settings)
            return removed

    def update_settings(self, changes: Mapping[str, Any]) -> dict[str, Any]:
        with self._lock:
            self._ensure_writable()
            settings = {**self._settings, **changes}
            self._save(self._profiles, settings)
            return dict(settings)

    def _index_of(self, profile_id: str) -> int:
        for index, existing in enumerate(self._profiles):
            if existing.id == profile_id:
                return index
        raise ProfileNotFound(profile_id)

    def _ensure_loaded(self) -> None:
        if not self._loaded:
            self.load()

    def _ensure_writable(self) -> None:
        if not self._loaded:
            self.load()
        if self._load_error is not None:
            raise ProfileStoreLocked(str(self.path))

    def _save(self, profiles: list[HostProfile], settings: dict[str, Any]) -> None:
        document = {
            "schema": SCHEMA_VERSION,
            "profiles": [profile_to_dict(p) for p in profiles],
            "settings": settings,
        }
        text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
        try:
            atomic_write_text(self.path, text)
        except OSError as exc:
            raise ProfileFileUnwritable(str(self.path), exc.strerror or str(exc)) from exc
        self._profiles = profiles
        self._settings = dict(settings)

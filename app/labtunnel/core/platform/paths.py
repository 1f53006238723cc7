"""Where LabTunnel keeps its files.

``LABTUNNEL_CONFIG_DIR`` moves the whole configuration (tests, portable installs);
``LABTUNNEL_LOG_DIR`` moves the logs.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP_DIR_NAME = "LabTunnel"


@dataclass(frozen=True)
class AppPaths:
    config_dir: Path
    log_dir: Path

    @property
    def profiles_file(self) -> Path:
        return self.config_dir / "profiles.json"

    @property
    def known_hosts_file(self) -> Path:
        return self.config_dir / "known_hosts"

    @property
    def state_file(self) -> Path:
        """Remembers what LabTunnel started on servers (Jupyter pid/port per profile)."""
        return self.config_dir / "state.json"

    @property
    def keys_dir(self) -> Path:
        """Private keys LabTunnel made ("Use a key instead of my password"), mode 0700."""
        return self.config_dir / "keys"

    def ensure(self) -> None:
        for directory in (self.config_dir, self.log_dir):
            directory.mkdir(parents=True, exist_ok=True)
            if os.name == "posix":
                directory.chmod(0o700)


def default_paths(environ: dict[str, str] | None = None) -> AppPaths:
    env = os.environ if environ is None else environ
    config = env.get("LABTUNNEL_CONFIG_DIR")
    config_dir = Path(config) if config else Path(platformdirs.user_config_dir(APP_DIR_NAME, False))
    log = env.get("LABTUNNEL_LOG_DIR")
    if log:
        log_dir = Path(log)
    elif config:
        log_dir = Path(config) / "logs"
    else:
        log_dir = Path(platformdirs.user_log_dir(APP_DIR_NAME, False))
    return AppPaths(config_dir=config_dir, log_dir=log_dir)

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from labtunnel.core.platform.paths import default_paths


@pytest.mark.posix
def test_config_dir_override_and_private_folders(tmp_path: Path) -> None:
    paths = default_paths({"LABTUNNEL_CONFIG_DIR": str(tmp_path / "cfg")})
    assert paths.config_dir == tmp_path / "cfg"
    assert paths.log_dir == tmp_path / "cfg" / "logs"
    assert paths.profiles_file == tmp_path / "cfg" / "profiles.json"
    paths.ensure()
    for folder in (paths.config_dir, paths.log_dir):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700


def test_log_dir_override(tmp_path: Path) -> None:
    paths = default_paths({"LABTUNNEL_CONFIG_DIR": "c", "LABTUNNEL_LOG_DIR": str(tmp_path)})
    assert paths.log_dir == tmp_path


def test_platform_defaults_name_the_app() -> None:
    paths = default_paths({})
    assert "LabTunnel" in str(paths.config_dir)
    assert "LabTunnel" in str(paths.log_dir)

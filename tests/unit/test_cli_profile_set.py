"""``labtunnel profile add --gpu`` and ``profile set``, run in-process on a temp config."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from labtunnel.cli import main
from labtunnel.core.platform.paths import default_paths
from labtunnel.core.profiles.model import GpuMode, GpuSetting, JupyterApp, JupyterSpec
from labtunnel.core.profiles.store import ProfileStore


def stored(config_dir: Path, name: str) -> JupyterSpec:
    store = ProfileStore(default_paths().profiles_file)
    target = store.get(name).target
    assert isinstance(target, JupyterSpec)
    return target


def add(name: str, *extra: str) -> int:
    return main(["profile", "add", name, "--host", "gpu.lab", "--user", "ann", "--agent", *extra])


def test_gpu_is_set_at_add_and_changed_with_set(
    config_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert add("plain") == 0
    assert stored(config_dir, "plain").gpu == GpuSetting()
    assert add("pinned", "--gpu", "1") == 0
    assert stored(config_dir, "pinned").gpu == GpuSetting(GpuMode.FIXED, (1,))

    capsys.readouterr()
    assert main(["profile", "set", "plain", "--gpu", "none", "--jupyter-env", "torch"]) == 0
    assert "Saved the changes to “plain”." in capsys.readouterr().err
    target = stored(config_dir, "plain")
    assert (target.gpu.mode, target.env, target.app) == (GpuMode.NONE, "torch", JupyterApp.AUTO)
    # options left out keep their values
    assert main(["profile", "set", "plain", "--gpu", "0,2"]) == 0
    target = stored(config_dir, "plain")
    assert (str(target.gpu), target.env) == ("0,2", "torch")

    assert main(["profile", "show", "plain", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["target"]["gpu"] == "0,2"


def test_bad_gpu_or_nothing_to_change_is_said_plainly(
    config_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert add("lab") == 0
    capsys.readouterr()
    assert main(["profile", "set", "lab", "--gpu", "seven"]) == 1
    err = capsys.readouterr().err
    assert "GPU “seven” is not a GPU setting: use any, all, none or GPU numbers" in err
    assert add("other", "--gpu", "x") == 1
    assert "is not a GPU setting" in capsys.readouterr().err
    assert main(["profile", "set", "lab"]) == 1
    assert "Nothing to change" in capsys.readouterr().err
    assert stored(config_dir, "lab").gpu == GpuSetting()


def test_remote_forward_has_no_jupyter_settings(
    config_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert add("db", "--remote", "127.0.0.1:5432") == 0
    capsys.readouterr()
    assert main(["profile", "set", "db", "--gpu", "1"]) == 1
    assert "not Jupyter" in capsys.readouterr().err

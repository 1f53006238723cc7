"""``labtunnel profile add --slurm …`` and ``profile set`` with the job's options,
run in-process on a temp config."""

from __future__ import annotations

from pathlib import Path

import pytest

from labtunnel.cli import main
from labtunnel.core.platform.paths import default_paths
from labtunnel.core.profiles.model import JupyterSpec
from labtunnel.core.profiles.slurm import SlurmJob
from labtunnel.core.profiles.store import ProfileStore


def job_of(name: str) -> SlurmJob | None:
    target = ProfileStore(default_paths().profiles_file).get(name).target
    assert isinstance(target, JupyterSpec)
    return target.slurm


def add(name: str, *extra: str) -> int:
    return main(["profile", "add", name, "--host", "login", "--user", "ann", "--agent", *extra])


def test_slurm_at_add_then_changed_and_turned_off_with_set(
    config_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert add("hpc", "--slurm", "--partition", "gpu", "--gpus", "1",
               "--sbatch-option=--constraint=a100") == 0  # fmt: skip
    assert job_of("hpc") == SlurmJob("gpu", 1, extra_options=("--constraint=a100",))
    assert main(["profile", "set", "hpc", "--time", "2:00:00", "--gpus", "2"]) == 0
    assert job_of("hpc") == SlurmJob("gpu", 2, time_limit="2:00:00",
                                     extra_options=("--constraint=a100",))  # fmt: skip
    assert main(["profile", "set", "hpc", "--sbatch-option=--exclusive"]) == 0
    job = job_of("hpc")
    assert job is not None and job.extra_options == ("--exclusive",)
    assert main(["profile", "set", "hpc", "--no-slurm"]) == 0
    assert job_of("hpc") is None

    assert add("plain") == 0
    capsys.readouterr()
    assert main(["profile", "set", "plain", "--gpus", "1"]) == 2
    assert "--gpus only go with --slurm" in capsys.readouterr().err
    assert main(["profile", "set", "plain", "--slurm", "--qos", "long"]) == 0
    assert job_of("plain") == SlurmJob(qos="long")
    assert main(["profile", "set", "plain", "--no-slurm", "--gpus", "1"]) == 2
    assert main(["profile", "set", "plain", "--time", "soon"]) == 1
    assert "is not a Slurm time limit" in capsys.readouterr().err

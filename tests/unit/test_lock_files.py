"""The hashed lock files the release bundles and the workflow's test jobs install from
(packaging/requirements/*.txt, made by lock.sh) must still satisfy pyproject.toml on
every platform the bundles are built for, and pin every package with hashes."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from packaging import markers as packaging_markers  # pytest depends on packaging
from packaging import requirements as packaging_requirements
from packaging import utils as packaging_utils

tomllib = pytest.importorskip("tomllib")

ROOT = Path(__file__).resolve().parents[2]
LOCKS = ROOT / "packaging" / "requirements"
#: the bundles' Python (lock.sh, .github/workflows/build.yml) on each runner
TARGETS = {
    "windows": {"sys_platform": "win32", "os_name": "nt", "platform_system": "Windows"},
    "macos": {"sys_platform": "darwin", "os_name": "posix", "platform_system": "Darwin"},
    "linux": {"sys_platform": "linux", "os_name": "posix", "platform_system": "Linux"},
}
PYTHON = {"python_version": "3.11", "python_full_version": "3.11.9"}


@dataclass(frozen=True)
class Pin:
    name: str
    version: str
    marker: str
    hashes: int


def read_lock(path: Path) -> list[Pin]:
    pins: list[Pin] = []
    text = path.read_text()
    # one entry: "name==version [; marker] \" then "--hash=..." lines, then comments
    for block in re.split(r"\n(?=[A-Za-z0-9])", text):
        first, *rest = block.strip().splitlines()
        if first.startswith("#"):
            continue
        match = re.fullmatch(r"([A-Za-z0-9._-]+)==([^\s;]+)\s*(?:;\s*(.*?))?\s*\\?", first)
        assert match, f"{path.name}: not a pinned line: {first!r}"
        hashes = sum(1 for line in rest if line.strip().startswith("--hash=sha256:"))
        pins.append(Pin(match[1], match[2], match[3] or "", hashes))
    return pins


def dependencies(extra: str | None = None) -> list[packaging_requirements.Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    lines = list(project["dependencies"])
    if extra:
        lines += [
            line
            for line in project["optional-dependencies"][extra]
            if not line.startswith("labtunnel")
        ]
    return [packaging_requirements.Requirement(line) for line in lines]


def applies(marker: str, environment: dict[str, str]) -> bool:
    return not marker or packaging_markers.Marker(marker).evaluate(environment)


@pytest.mark.parametrize(("lock", "extra"), [("bundle.txt", None), ("test.txt", "test")])
@pytest.mark.parametrize("target", sorted(TARGETS))
def test_lock_satisfies_pyproject_on_each_platform(
    lock: str, extra: str | None, target: str
) -> None:
    environment = {**TARGETS[target], **PYTHON}
    pins = read_lock(LOCKS / lock)
    chosen = {
        packaging_utils.canonicalize_name(p.name): p.version
        for p in pins
        if applies(p.marker, environment)
    }
    for requirement in dependencies(extra):
        if requirement.marker is not None and not requirement.marker.evaluate(environment):
            continue
        name = packaging_utils.canonicalize_name(requirement.name)
        assert name in chosen, f"{lock} has no {requirement.name} for {target}: run lock.sh"
        assert requirement.specifier.contains(chosen[name], prereleases=True), (
            f"{lock}: {requirement.name}=={chosen[name]} does not satisfy {requirement} "
            f"on {target}: run packaging/requirements/lock.sh"
        )


@pytest.mark.parametrize("lock", ["bundle.txt", "test.txt"])
def test_every_pin_has_hashes(lock: str) -> None:
    pins = read_lock(LOCKS / lock)
    assert pins
    assert [p.name for p in pins if p.hashes == 0] == []


def test_bundles_get_pyside_that_keeps_reference_counts() -> None:
    """The bundles' Python is 3.11: PySide6 6.12.0 would abort them at Quit."""
    environment = {**TARGETS["macos"], **PYTHON}
    [pyside] = [
        p
        for p in read_lock(LOCKS / "bundle.txt")
        if p.name == "pyside6-essentials" and applies(p.marker, environment)
    ]
    assert tuple(int(n) for n in pyside.version.split(".")[:2]) < (6, 12)

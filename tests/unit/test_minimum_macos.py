"""LSMinimumSystemVersion comes from what the bundle holds (packaging/macos/minimum_macos.py)."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

SCRIPT = Path(__file__).resolve().parents[2] / "packaging" / "macos" / "minimum_macos.py"


def load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("minimum_macos", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_highest_wheel_minimum_decides() -> None:
    minimum = load().minimum_macos
    version, reasons = minimum(
        {
            "PySide6-Essentials": ["cp310-abi3-macosx_13_0_universal2"],
            "cryptography": ["cp311-abi3-macosx_11_0_arm64"],
            "bcrypt": ["cp39-abi3-macosx_10_12_universal2"],
        },
        python_minimum=(11, 0),
    )
    assert version == "13.0"
    assert reasons == {
        "PySide6-Essentials": "13.0",
        "Python": "11.0",
        "bcrypt": "10.12",
        "cryptography": "11.0",
    }


def test_pyside_6_12_needs_macos_14() -> None:
    version, _ = load().minimum_macos(
        {"PySide6-Essentials": ["cp310-abi3-macosx_14_0_universal2"]}, python_minimum=(10, 9)
    )
    assert version == "14.0"


def test_never_below_the_first_apple_silicon_macos() -> None:
    version, reasons = load().minimum_macos({"six": ["py3-none-any"]}, python_minimum=(10, 9))
    assert version == "11.0"
    assert reasons == {"Python": "10.9"}


def test_a_wheel_with_several_tags_needs_the_lowest() -> None:
    tags = ["cp311-cp311-macosx_10_9_x86_64", "cp311-cp311-macosx_11_0_arm64"]
    assert load().wheel_minimum(tags) == (10, 9)
    assert load().wheel_minimum(["py3-none-any"]) is None

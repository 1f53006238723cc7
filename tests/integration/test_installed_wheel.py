"""What ``pip install labtunnel`` gives a user: the sdist built from this checkout, the wheel
built from that sdist (as PyPI users get it), installed into a fresh venv outside the
checkout. It must carry its icons and translations, pass ``--self-test``, draw its tray
icon on a real tray (pixels under Xvfb + trayer), speak Chinese, and find its resources
even when imported from the wheel as a zip.

Built and installed once per session (about 15 s; dependencies come from pip's cache).
"""

from __future__ import annotations

import json
import os
import re
import sys
import tarfile
import textwrap
import time
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from tests.harness.desktop import virtual_desktop
from tests.integration.installed_app import (
    ROOT,
    pip_install_env,
    private_dir,
    run,
    run_tray_until_drawn,
    user_env,
)

pytestmark = pytest.mark.integration

RESOURCES = ROOT / "resources"
#: what the wheel must carry from resources/, by path inside the package
SHIPPED = sorted(
    [
        *(f"icons/{p.name}" for p in (RESOURCES / "icons").glob("*.svg")),
        *(f"translations/{p.name}" for p in (RESOURCES / "translations").glob("*.qm")),
        "labtunnel.desktop",
        "labtunnel-mime.xml",
        "__init__.py",
    ]
)


@dataclass(frozen=True)
class Install:
    sdist: Path
    wheel: Path
    venv: Path
    work: Path  # outside the checkout: the install's cwd
    build_seconds: float
    install_seconds: float

    @property
    def python(self) -> Path:
        return self.venv / "bin" / "python"

    def site_packages(self) -> Path:
        found = list(self.venv.glob("lib/python3*/site-packages"))
        assert len(found) == 1, found
        return found[0]


@pytest.fixture(scope="module")
def install() -> Iterator[Install]:
    with private_dir("wheel") as work:
        dist = work / "dist"
        env = pip_install_env(os.environ)
        started = time.monotonic()
        # sdist first, then the wheel from the unpacked sdist: what PyPI and pip do
        run([sys.executable, "-m", "build", "--outdir", dist, ROOT], cwd=work, env=env)
        build_seconds = time.monotonic() - started
        (sdist,) = dist.glob("labtunnel-*.tar.gz")
        (wheel,) = dist.glob("labtunnel-*.whl")
        venv = work / "venv"
        started = time.monotonic()
        run([sys.executable, "-m", "venv", venv], cwd=work, env=env)
        run([venv / "bin" / "python", "-m", "pip", "install", "-q", wheel], cwd=work, env=env)
        install_seconds = time.monotonic() - started
        print(f"sdist + wheel built in {build_seconds:.1f} s, installed in {install_seconds:.1f} s")
        yield Install(sdist, wheel, venv, work, build_seconds, install_seconds)


def test_the_wheel_carries_the_resources(install: Install) -> None:
    with zipfile.ZipFile(install.wheel) as wheel:
        names = wheel.namelist()
    in_package = sorted(
        n.removeprefix("labtunnel/resources/")
        for n in names
        if n.startswith("labtunnel/resources/")
    )
    assert in_package == SHIPPED
    assert "labtunnel/py.typed" in names
    assert not [n for n in names if n.startswith(("tests/", "resources/", "app/"))]


def test_the_sdist_carries_the_resources(install: Install) -> None:
    with tarfile.open(install.sdist) as sdist:
        names = {n.split("/", 1)[1] for n in sdist.getnames() if "/" in n}
    assert {f"resources/{name}" for name in SHIPPED} <= names
    assert {"setup.py", "pyproject.toml", "app/labtunnel/py.typed"} <= names


WHERE_FROM_SNIPPET = (
    "import json, sys, labtunnel; print(json.dumps([labtunnel.__file__, sys.path]))"
)


def test_the_install_is_not_the_checkout(install: Install) -> None:
    result = run(
        [
            install.python,
            "-c",
            "import json, sys, labtunnel; print(json.dumps([labtunnel.__file__, sys.path]))",
        ],
        cwd=install.work,
        env=user_env(os.environ, install.work / "config"),
    )
    module_file, path = json.loads(result.stdout)
    assert Path(module_file).is_relative_to(install.site_packages())
    assert not [p for p in path if p and Path(p).resolve().is_relative_to(ROOT)]


def test_self_test_of_the_installed_wheel(install: Install) -> None:
    result = run(
        [install.venv / "bin" / "labtunnel", "--self-test"],
        cwd=install.work,
        env=user_env(os.environ, install.work / "config"),
        timeout=60,
    )
    print(result.stdout)
    lines = result.stdout.splitlines()
    assert f"resources: {install.site_packages() / 'labtunnel' / 'resources'}" in lines
    icons = len(list((RESOURCES / "icons").glob("*.svg")))
    assert f"ok   icons: {icons} SVG icons rendered by Qt" in lines
    assert any(
        line.startswith("ok   translations:") and "labtunnel_zh_CN" in line for line in lines
    )
    assert "self-test passed" in lines


def _a_translated_message() -> tuple[str, str, str]:
    """(context, source, Chinese) of the first finished, plain message in the .ts file."""
    tree = ET.parse(RESOURCES / "translations" / "labtunnel_zh_CN.ts")  # noqa: S314 (ours)
    for context in tree.getroot().iter("context"):
        for message in context.iter("message"):
            translation = message.find("translation")
            source = message.findtext("source") or ""
            if (
                translation is not None
                and translation.get("type") is None
                and translation.text
                and "%" not in source
                and message.get("numerus") is None
            ):
                return context.findtext("name") or "", source, translation.text
    raise AssertionError("no finished translation in the .ts file")


CHINESE_SNIPPET = textwrap.dedent(
    """
    import json, sys
    from PySide6.QtCore import QCoreApplication
    from labtunnel.ui.i18n import Translators, translations_dir
    context, source = json.loads(sys.stdin.read())
    app = QCoreApplication([])
    translators = Translators(app)
    loaded = translators.install("zh_CN")
    translated = QCoreApplication.translate(context, source)
    print(json.dumps([loaded, str(translations_dir()), translated]))
    """
)


def test_chinese_loads_from_the_installed_wheel(install: Install) -> None:
    context, source, chinese = _a_translated_message()
    result = run(
        [install.python, "-c", CHINESE_SNIPPET],
        cwd=install.work,
        env=user_env(os.environ, install.work / "config", QT_QPA_PLATFORM="offscreen"),
        input=json.dumps([context, source]),
    )
    loaded, folder, translated = json.loads(result.stdout)
    assert loaded
    assert Path(folder).is_relative_to(install.site_packages())
    assert translated == chinese != source


ZIP_SNIPPET = textwrap.dedent(
    """
    import io, json, sys
    sys.path.insert(0, sys.argv[1])
    import labtunnel
    from labtunnel.selftest import run_self_test
    from labtunnel.ui.resources import resources_dir
    out = io.StringIO()
    code = run_self_test(out)
    print(json.dumps([labtunnel.__file__, str(resources_dir()), code, out.getvalue()]))
    """
)


def test_resources_found_when_imported_from_a_zip(install: Install) -> None:
    """A wheel is a zip: imported from it directly (zipimport), the resources are not files
    on disk, so they are copied into a temp folder that is gone when the app exits."""
    result = run(
        [install.python, "-c", ZIP_SNIPPET, install.wheel],
        cwd=install.work,
        env=user_env(os.environ, install.work / "config"),
        timeout=60,
    )
    module_file, folder, code, report = json.loads(result.stdout)
    assert module_file.startswith(str(install.wheel) + os.sep), module_file
    assert re.fullmatch(r".*/labtunnel-resources-[^/]+", folder), folder
    assert code == 0, report
    assert "ok   icons" in report and "ok   translations" in report
    assert not Path(folder).exists(), "the extracted resources outlived the process"


def test_tray_icon_of_the_installed_wheel_is_drawn(install: Install) -> None:
    with private_dir("wheel-tray") as work, virtual_desktop(work) as desktop:
        config = work / "config"
        config.mkdir(mode=0o700)
        tray = run_tray_until_drawn(
            [str(install.venv / "bin" / "labtunnel")],
            user_env(os.environ, config),
            desktop,
            config,
            cwd=work,
        )
    print(
        f"tray started {tray.started_after:.1f} s, icon drawn {tray.drawn_after:.1f} s "
        f"({tray.icon_pixels} pixels)"
    )
    assert tray.exit_code == 0, tray.stderr
    assert "No Icon set" not in tray.stderr
    assert "Traceback" not in tray.stderr + tray.log
    assert "the tray icon cannot be shown" not in tray.log

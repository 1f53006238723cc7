"""The README's first command, run as a new user would: on a fresh ``git clone``,
``bash packaging/install_and_run.sh`` installs LabTunnel (``pip install .``, not editable)
into the clone's ``.venv-app`` and execs the tray app. Under Xvfb with a real tray host
(trayer) the icon must be on the screen (its pixels), the system language (zh_CN) must
load the Chinese translation, and SIGTERM must end the app with status 0.

The clone is of this repository's HEAD commit, which is what CI tests; uncommitted
changes in a working tree are not in it. Dependencies come from pip's cache (~10 s).
"""

from __future__ import annotations

import os
import re
import shlex
from pathlib import Path

import pytest
from tests.harness import unavailable
from tests.harness.desktop import virtual_desktop
from tests.integration.installed_app import ROOT, private_dir, run, run_tray_until_drawn, user_env

pytestmark = pytest.mark.integration


def readme_first_command() -> list[str]:
    """The first line of the README's first code block, without its comment."""
    match = re.search(r"^```sh\n(.*)$", (ROOT / "README.md").read_text(), re.MULTILINE)
    assert match is not None, "the README has no sh code block"
    return shlex.split(match.group(1), comments=True)


def test_readme_names_install_and_run() -> None:
    assert readme_first_command() == ["bash", "packaging/install_and_run.sh"]


def test_readme_first_command_on_a_fresh_clone() -> None:
    if not (ROOT / ".git").exists():
        unavailable("not a git checkout: nothing to clone")
    with private_dir("readme") as work:
        clone = work / "labtunnel"
        run(["git", "clone", "-q", "--no-hardlinks", ROOT, clone], cwd=work, env=os.environ)
        config = work / "config"
        config.mkdir(mode=0o700)
        # a Chinese desktop: LabTunnel's "system" language setting follows it
        env = user_env(os.environ, config, LANG="zh_CN.UTF-8", LANGUAGE="zh_CN")
        env.pop("LC_ALL", None)
        with virtual_desktop(work) as desktop:
            tray = run_tray_until_drawn(
                readme_first_command(), env, desktop, config, cwd=clone, start_timeout=300
            )
        print(
            f"installed and tray started in {tray.started_after:.1f} s, icon drawn "
            f"{tray.drawn_after:.1f} s ({tray.icon_pixels} pixels)"
        )
        assert tray.exit_code == 0, tray.stderr[-3000:]
        assert "user interface language: zh_CN" in tray.log
        assert "No Icon set" not in tray.stderr
        assert "Traceback" not in tray.stderr + tray.log
        # a real install (files in site-packages), not an editable one pointing at the clone
        (site,) = (clone / ".venv-app" / "lib").glob("python3*/site-packages")
        assert (site / "labtunnel" / "resources" / "icons" / "tray-idle.svg").is_file()
        assert not list(site.glob("__editable__*labtunnel*"))
        assert not Path(site / "labtunnel").is_symlink()

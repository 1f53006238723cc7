"""`labtunnel connect` imports only what a connect needs, at the top of every module it
loads (a module-level import of the Slurm, sharing, key-setup or keyring code makes every
start slower; issue 13). A real connect is checked in tests/integration/test_cli_real.py."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.unit.connect_imports import CONNECT_MODULES, RUN_CLI, problems

# what `labtunnel connect NAME` does before its first packet: parse, load the settings,
# build the tunnel (its worker is not started); then which modules that loaded
DRIVER = """
import sys
from labtunnel.cli import build_parser, _command_named
argv = ["connect", "lab"]
args = build_parser(only=_command_named(argv)).parse_args(argv)
from labtunnel.core.context import AppContext
context = AppContext.create()
from labtunnel.core.tunnel.tunnel import Tunnel
Tunnel(context.store.get(args.name), context.tunnel_deps(), print)
print("\\n".join(n for n, m in sys.modules.items() if m is not None))
"""


def env_for(config: Path) -> dict[str, str]:
    return dict(os.environ, LABTUNNEL_CONFIG_DIR=str(config))


def test_connect_loads_only_the_modules_a_connect_needs(tmp_path: Path) -> None:
    key = tmp_path / "id_ed25519"
    key.write_text("not read: nothing connects\n")
    subprocess.run(
        [sys.executable, "-m", "labtunnel", "profile", "add", "lab", "--host", "gpu.lab",
         "--user", "ada", "--key", str(key)],
        env=env_for(tmp_path), check=True, capture_output=True,
    )  # fmt: skip
    run = subprocess.run(
        [sys.executable, "-c", DRIVER],
        env=env_for(tmp_path),
        capture_output=True,
        text=True,
        check=True,
    )
    modules = set(run.stdout.split())
    assert problems(modules) == []
    # and the list is not stale: every module in it is still loaded
    assert sorted(CONNECT_MODULES - modules) == []


def test_a_command_loads_its_own_module_only(tmp_path: Path) -> None:
    """`labtunnel connect --help` parses with the connect command's module alone; a
    mistyped command still gets the whole list to choose from."""
    listing = tmp_path / "modules"
    run = subprocess.run(
        [sys.executable, "-c", RUN_CLI, str(listing), "connect", "--help"],
        env=env_for(tmp_path), capture_output=True, text=True,
    )  # fmt: skip
    assert run.returncode == 0 and "--no-browser" in run.stdout
    modules = set(listing.read_text().split())
    assert "labtunnel.cli.connect_cmd" in modules
    assert not {"labtunnel.cli.profile_cmd", "labtunnel.cli.jupyter_cmd"} & modules
    wrong = subprocess.run(
        [sys.executable, "-m", "labtunnel", "conect", "x"],
        env=env_for(tmp_path), capture_output=True, text=True,
    )  # fmt: skip
    assert wrong.returncode == 2 and "check-update" in wrong.stderr and "profile" in wrong.stderr

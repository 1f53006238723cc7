from __future__ import annotations

import inspect
import plistlib
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

from labtunnel.core.platform.autostart import (
    UnsupportedLoginItem,
    launch_command,
    login_item_for_platform,
)
from labtunnel.core.platform.autostart.linux import XdgLoginItem, autostart_dir, exec_quote
from labtunnel.core.platform.autostart.macos import (
    BUNDLE_ID,
    AppNotInstalled,
    MacLoginItem,
    is_temporary_location,
)
from labtunnel.core.platform.autostart.windows import (
    RunKeyRegistry,
    WindowsLoginItem,
    command_line,
    split_command_line,
)
from labtunnel.ui import login_item as ui_login_item

FROZEN_LINUX = ["/opt/Lab Tunnel/labtunnel"]


def test_launch_command_frozen_and_from_source(tmp_path: Path) -> None:
    assert launch_command("/app/LabTunnel", frozen=True) == ["/app/LabTunnel"]
    assert launch_command("/usr/bin/python3", frozen=False, platform="linux") == [
        "/usr/bin/python3",
        "-m",
        "labtunnel",
    ]
    python = tmp_path / "python.exe"
    python.touch()
    assert launch_command(str(python), frozen=False, platform="win32")[0] == str(python)
    (tmp_path / "pythonw.exe").touch()
    assert launch_command(str(python), frozen=False, platform="win32") == [
        str(tmp_path / "pythonw.exe"),
        "-m",
        "labtunnel",
    ]


@pytest.mark.parametrize(
    "item",
    [
        XdgLoginItem(Path("/nonexistent"), ["x"]),
        MacLoginItem(Path("/nonexistent"), ["x"]),
        WindowsLoginItem(RunKeyRegistry(), ["x"]),
        UnsupportedLoginItem(),
    ],
    ids=lambda x: type(x).__name__,
)
def test_every_item_has_the_ui_protocols_methods(item: object) -> None:
    for name, member in inspect.getmembers(ui_login_item.LoginItem, inspect.isfunction):
        if name.startswith("_"):
            continue
        mine = getattr(item, name)
        assert (
            list(inspect.signature(mine).parameters)
            == list(inspect.signature(member).parameters)[1:]
        )


# --- Linux ----------------------------------------------------------------------------


def test_xdg_autostart_dir(tmp_path: Path) -> None:
    assert autostart_dir({"XDG_CONFIG_HOME": "/cfg"}, tmp_path) == Path("/cfg/autostart")
    assert autostart_dir({"XDG_CONFIG_HOME": "rel"}, tmp_path) == tmp_path / ".config/autostart"
    assert autostart_dir({}, tmp_path) == tmp_path / ".config" / "autostart"


@pytest.mark.posix
def test_linux_switch_writes_and_removes_the_desktop_file(tmp_path: Path) -> None:
    directory = tmp_path / "autostart"
    item = XdgLoginItem(directory, FROZEN_LINUX)
    assert item.is_supported() and not item.is_enabled()
    item.set_enabled(True)
    path = directory / "labtunnel.desktop"
    text = path.read_text()
    assert text.startswith("[Desktop Entry]\n") and "Type=Application\n" in text
    assert 'Exec="/opt/Lab Tunnel/labtunnel"\n' in text
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    assert item.is_enabled()
    item.set_enabled(True)  # idempotent
    assert item.is_enabled()
    item.set_enabled(False)
    assert not path.exists() and not item.is_enabled()
    item.set_enabled(False)


def test_linux_switch_is_off_when_the_desktop_disabled_it_or_the_app_moved(
    tmp_path: Path,
) -> None:
    item = XdgLoginItem(tmp_path, FROZEN_LINUX)
    item.set_enabled(True)
    original = item.path.read_text()
    item.path.write_text(original + "Hidden=true\n")
    assert not item.is_enabled()
    item.path.write_text(original.replace("Autostart-enabled=true", "Autostart-enabled=false"))
    assert not item.is_enabled()
    item.path.write_text(original)
    assert not XdgLoginItem(tmp_path, ["/elsewhere/labtunnel"]).is_enabled()
    item.path.write_bytes(b"\xff\xfe")
    assert not item.is_enabled()


def unquote_exec(value: str) -> list[str]:
    """The Desktop Entry spec's reading: string unescape, split, unquote, ``%%``."""
    value = value.replace("\\\\", "\\")
    args: list[str] = []
    current: list[str] = []
    quoted = False
    chars = iter(value)
    for char in chars:
        if quoted and char == "\\":
            current.append(next(chars))
        elif char == '"':
            quoted = not quoted
        elif char == " " and not quoted:
            args.append("".join(current))
            current = []
        else:
            current.append(char)
    args.append("".join(current))
    return [a.replace("%%", "%") for a in args]


@pytest.mark.parametrize(
    "argv",
    [
        ["/usr/bin/python3", "-m", "labtunnel"],
        ["/home/a b/Lab Tunnel/labtunnel"],
        ['/weird/"quoted"/$HOME/`x`/back\\slash/50%/labtunnel'],
    ],
)
def test_exec_line_reads_back_as_the_same_command(argv: list[str]) -> None:
    assert unquote_exec(" ".join(exec_quote(a) for a in argv)) == argv


# --- macOS ----------------------------------------------------------------------------


@pytest.mark.posix
def test_macos_switch_writes_a_launch_agent(tmp_path: Path) -> None:
    agents = tmp_path / "Library" / "LaunchAgents"
    command = ["/Applications/LabTunnel.app/Contents/MacOS/LabTunnel"]
    item = MacLoginItem(agents, command)
    assert item.is_supported() and not item.is_enabled()
    item.set_enabled(True)
    path = agents / f"{BUNDLE_ID}.plist"
    with path.open("rb") as handle:
        data = plistlib.load(handle)
    assert data["Label"] == BUNDLE_ID
    assert data["ProgramArguments"][:2] == ["/bin/sh", "-c"]
    assert data["ProgramArguments"][3:] == [str(path), *command]
    assert data["RunAtLoad"] is True and data["KeepAlive"] is False
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    assert item.is_enabled()
    assert not MacLoginItem(agents, ["/elsewhere/LabTunnel"]).is_enabled()
    item.set_enabled(False)
    assert not path.exists() and not item.is_enabled()
    item.set_enabled(False)


@pytest.mark.posix
def test_macos_agent_starts_the_app_or_removes_itself_once_the_app_is_gone(
    tmp_path: Path,
) -> None:
    """What launchd runs at login, run here by /bin/sh (the same POSIX sh)."""
    app = tmp_path / "LabTunnel.app" / "Contents" / "MacOS" / "LabTunnel"
    app.parent.mkdir(parents=True)
    started = tmp_path / "started"
    app.write_text(f'#!/bin/sh\necho "$@" > {started}\n')
    app.chmod(0o755)
    item = MacLoginItem(tmp_path / "LaunchAgents", [str(app), "--from-login"])
    item.set_enabled(True)
    with item.path.open("rb") as handle:
        arguments = plistlib.load(handle)["ProgramArguments"]
    subprocess.run(arguments, check=True, timeout=10)
    assert started.read_text() == "--from-login\n" and item.path.exists()
    shutil.rmtree(tmp_path / "LabTunnel.app")  # dragged to the Trash
    subprocess.run(arguments, check=True, timeout=10)
    assert not item.path.exists()


def test_macos_agent_is_refused_for_a_translocated_app(tmp_path: Path) -> None:
    translocated = (
        "/private/var/folders/xy/T/AppTranslocation/5D3E/d/LabTunnel.app/Contents/MacOS/LabTunnel"
    )
    item = MacLoginItem(tmp_path, [translocated])
    with pytest.raises(AppNotInstalled):
        item.set_enabled(True)
    assert not item.path.exists()
    assert is_temporary_location(translocated)
    assert not is_temporary_location("/Applications/LabTunnel.app/Contents/MacOS/LabTunnel")


def test_macos_agent_of_an_older_version_still_counts_as_on(tmp_path: Path) -> None:
    item = MacLoginItem(tmp_path, ["/Applications/LabTunnel.app/Contents/MacOS/LabTunnel"])
    item.path.write_bytes(plistlib.dumps({"Label": BUNDLE_ID, "ProgramArguments": item.command}))
    assert item.is_enabled()


def test_macos_switch_is_off_for_broken_or_disabled_agents(tmp_path: Path) -> None:
    item = MacLoginItem(tmp_path, ["/a/LabTunnel"])
    item.path.write_text("not a plist")
    assert not item.is_enabled()
    item.path.write_bytes(
        plistlib.dumps({"Label": BUNDLE_ID, "ProgramArguments": ["/a/LabTunnel"], "Disabled": True})
    )
    assert not item.is_enabled()
    item.path.write_bytes(plistlib.dumps(["a", "list"]))
    assert not item.is_enabled()


# --- Windows --------------------------------------------------------------------------


class DictRegistry:
    def __init__(self) -> None:
        self.values: dict[str, str] = {}

    def get(self, name: str) -> str | None:
        return self.values.get(name)

    def set(self, name: str, value: str) -> None:
        self.values[name] = value

    def delete(self, name: str) -> None:
        self.values.pop(name, None)


WIN_EXE = r"C:\Users\Ann Lee\AppData\Local\Programs\LabTunnel\LabTunnel.exe"


def test_windows_switch_sets_and_deletes_the_run_value() -> None:
    registry = DictRegistry()
    registry.values["OneDrive"] = "onedrive.exe /background"
    item = WindowsLoginItem(registry, [WIN_EXE])
    assert item.is_supported() and not item.is_enabled()
    item.set_enabled(True)
    assert registry.values["LabTunnel"] == f'"{WIN_EXE}"'
    assert item.is_enabled()
    item.set_enabled(False)
    assert registry.values == {"OneDrive": "onedrive.exe /background"}
    assert not item.is_enabled()
    item.set_enabled(False)


def test_windows_switch_accepts_other_quoting_but_not_another_program() -> None:
    registry = DictRegistry()
    exe = r"C:\Users\ann\AppData\Local\Programs\LabTunnel\LabTunnel.exe"
    item = WindowsLoginItem(registry, [exe])
    registry.values["LabTunnel"] = f'"{exe.upper()}"'  # as the installer writes it
    assert item.is_enabled()
    registry.values["LabTunnel"] = r'"C:\Old\LabTunnel.exe"'
    assert not item.is_enabled()


@pytest.mark.parametrize(
    "argv",
    [
        [WIN_EXE],
        [r"C:\Python311\pythonw.exe", "-m", "labtunnel"],
        ['a "quoted" arg', "trailing\\", "", 'back\\"quote'],
    ],
)
def test_windows_command_line_round_trip(argv: list[str]) -> None:
    assert split_command_line(command_line(argv)) == argv


# --- choosing the platform ------------------------------------------------------------


def test_factory_picks_the_platform_and_its_real_place(tmp_path: Path) -> None:
    linux = login_item_for_platform(
        "linux", environ={"XDG_CONFIG_HOME": str(tmp_path / "cfg")}, home=tmp_path, command=["x"]
    )
    assert isinstance(linux, XdgLoginItem)
    assert linux.path == tmp_path / "cfg" / "autostart" / "labtunnel.desktop"
    mac = login_item_for_platform("darwin", home=tmp_path, command=["x"])
    assert isinstance(mac, MacLoginItem)
    assert mac.path == tmp_path / "Library" / "LaunchAgents" / f"{BUNDLE_ID}.plist"
    windows = login_item_for_platform("win32", command=["x"])
    assert isinstance(windows, WindowsLoginItem)
    assert isinstance(windows.registry, RunKeyRegistry)
    other = login_item_for_platform("sunos5", command=["x"])
    assert not other.is_supported() and not other.is_enabled()
    with pytest.raises(OSError):
        other.set_enabled(True)
    assert not any(tmp_path.rglob("*.desktop")) and not any(tmp_path.rglob("*.plist"))


def test_factory_default_command_is_python_m_labtunnel_from_source(tmp_path: Path) -> None:
    item = login_item_for_platform("linux", environ={}, home=tmp_path)
    assert isinstance(item, XdgLoginItem)
    assert item.command[1:] == ["-m", "labtunnel"]

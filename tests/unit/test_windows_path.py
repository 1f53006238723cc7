"""``LABTUNNEL_WINDOWS_PATH=1`` takes exactly the path a Windows machine takes.

Windows' Python has no ``socket.socket.sendmsg`` and no ``os.writev``, and its select()
takes 512 sockets. A process here with both really gone (tests/benchmarks/windows_path.py
takes them away before anything is imported) and ``sys.platform`` saying win32 while the
primitives decide must decide as a process with the switch: same primitives, fast paths
on. The benchmark's "Windows path" column and the tests' "windows" runs rely on that.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

REPORT = """
import json
from labtunnel.core.ssh.fast import packetizer, primitives
print(json.dumps({**primitives.describe(), "fast_path": packetizer.FAST_PATH_AVAILABLE}))
"""

LIKE_WINDOWS = """
import importlib, json, sys
sys.path.insert(0, {benchmarks!r})
import windows_path
windows_path.emulate()
assert windows_path.looks_like_windows()
platform, sys.platform = sys.platform, "win32"
try:
    from labtunnel.core.ssh.fast import primitives  # decides here, as on Windows
finally:
    sys.platform = platform
from labtunnel.core.ssh.fast import packetizer
print(json.dumps({{**primitives.describe(), "fast_path": packetizer.FAST_PATH_AVAILABLE}}))
"""


def _run(code: str, **env: str) -> dict[str, object]:
    environ = {k: v for k, v in os.environ.items() if k != "LABTUNNEL_WINDOWS_PATH"}
    environ.update(env, PYTHONPATH=str(ROOT / "app"))
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=environ, check=True
    ).stdout
    result: dict[str, object] = json.loads(out.splitlines()[-1])
    return result


def test_the_switch_decides_as_a_machine_without_sendmsg_and_writev() -> None:
    switched = _run(REPORT, LABTUNNEL_WINDOWS_PATH="1")
    like_windows = _run(LIKE_WINDOWS.format(benchmarks=str(ROOT / "tests" / "benchmarks")))
    expected = {
        "windows_path": True,
        "sendmsg": False,
        "writev": False,
        "sockets_per_loop": 500,
        "fast_path": True,  # the selector loop and the packet path run there too
    }
    assert switched == expected
    assert like_windows == expected


def test_linux_uses_the_gathering_writes() -> None:
    assert _run(REPORT) == {
        "windows_path": False,
        "sendmsg": True,
        "writev": True,
        "sockets_per_loop": None,
        "fast_path": True,
    }

"""Does this PySide6 keep Python's reference counts straight?

PySide6 6.12.0 on Python 3.10 and 3.11 drops one reference to ``None`` on every call of
a method that returns nothing, and one to ``True`` on every signal emit. Python 3.12 and
later make those objects immortal, so nothing happens there; on 3.10/3.11 the count of
``True`` reaches zero while the interpreter finalizes after a long enough session, and
the app aborts at Quit with "Fatal Python error: bool_dealloc" (a crash reporter on
macOS and Windows). pyproject.toml keeps PySide6 below 6.12 on those Pythons; this probe
lets the self-test, the test suite and the log say so if a bad build gets installed.
"""

from __future__ import annotations

import ctypes
import sys

from PySide6.QtCore import QObject, Signal

PROBE_CALLS = 200


class _Probe(QObject):
    pinged = Signal()


def dropped_references(calls: int = PROBE_CALLS) -> dict[str, int]:
    """How many references to None and True ``calls`` void calls and emits lost
    (empty when none: the bindings are sound)."""
    probe = _Probe()
    probe.setObjectName("probe")
    probe.pinged.emit()
    before_none, before_true = sys.getrefcount(None), sys.getrefcount(True)
    for _ in range(calls):
        probe.setObjectName("probe")  # returns nothing
    for _ in range(calls):
        probe.pinged.emit()  # returns True
    lost_none = before_none - sys.getrefcount(None)
    lost_true = before_true - sys.getrefcount(True)
    probe.deleteLater()
    # give back what the probe itself took, or probing would cause the crash it looks for
    _give_back(None, lost_none)
    _give_back(True, lost_true)
    lost = {"None": lost_none, "True": lost_true}
    # a few references may come and go with other threads: only a loss on most calls counts
    return {name: count for name, count in lost.items() if count >= calls // 2}


def _give_back(singleton: object, count: int) -> None:
    for _ in range(count):
        ctypes.pythonapi.Py_IncRef(ctypes.py_object(singleton))


def describe(lost: dict[str, int]) -> str:
    import PySide6

    names = " and ".join(f"{name} ({count})" for name, count in lost.items())
    return (
        f"PySide6 {PySide6.__version__} drops references to {names} on Python "
        f"{sys.version_info.major}.{sys.version_info.minor}: the app would abort at exit; "
        'install "PySide6-Essentials<6.12" (or use Python 3.12 or later)'
    )

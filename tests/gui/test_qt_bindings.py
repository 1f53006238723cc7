"""The installed PySide6 must keep Python's reference counts straight (see
labtunnel.ui.qt_bindings): PySide6 6.12.0 on Python 3.11 does not, and the tray app then
aborts at Quit (tests/gui/test_first_session_exit.py shows the whole story)."""

from __future__ import annotations

from labtunnel.ui.qt_bindings import describe, dropped_references


def test_pyside_calls_and_emits_keep_reference_counts() -> None:
    lost = dropped_references()
    assert lost == {}, describe(lost)

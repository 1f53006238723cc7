"""Windows: a value under HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Run.

The registry is reached through :class:`Registry` (three calls), so the logic is tested
on any platform with a dictionary; :class:`RunKeyRegistry` is the real one (winreg).
"""

from __future__ import annotations

import importlib
import subprocess
from collections.abc import Sequence
from typing import Any, Protocol

RUN_KEY = r"Software\Microsoft\Windows\CurrentVersion\Run"
VALUE_NAME = "LabTunnel"


class Registry(Protocol):
    """String values of one registry key."""

    def get(self, name: str) -> str | None: ...

    def set(self, name: str, value: str) -> None: ...

    def delete(self, name: str) -> None:
        """No error when the value does not exist."""


class RunKeyRegistry:
    """The current user's Run key (no admin rights needed). Windows only."""

    def __init__(self, key_path: str = RUN_KEY) -> None:
        self.key_path = key_path

    @staticmethod
    def _winreg() -> Any:
        # imported by name: the module exists only on Windows, and mypy checks on Linux
        return importlib.import_module("winreg")

    def get(self, name: str) -> str | None:
        winreg = self._winreg()
        try:
            with winreg.OpenKey(winreg.HKEY_CURRENT_USER, self.key_path) as key:
                value, kind = winreg.QueryValueEx(key, name)
        except FileNotFoundError:
            return None
        return (
            value
            if isinstance(value, str) and kind in (winreg.REG_SZ, winreg.REG_EXPAND_SZ)
            else None
        )

    def set(self, name: str, value: str) -> None:
        winreg = self._winreg()
        with winreg.CreateKeyEx(
            winreg.HKEY_CURRENT_USER, self.key_path, 0, winreg.KEY_SET_VALUE
        ) as key:
            winreg.SetValueEx(key, name, 0, winreg.REG_SZ, value)

    def delete(self, name: str) -> None:
        winreg = self._winreg()
        try:
            with winreg.OpenKey(
                winreg.HKEY_CURRENT_USER, self.key_path, 0, winreg.KEY_SET_VALUE
            ) as key:
                winreg.DeleteValue(key, name)
        except FileNotFoundError:
            pass


def command_line(argv: Sequence[str]) -> str:
    """One string as Windows parses it back into ``argv``."""
    return subprocess.list2cmdline(list(argv))


def split_command_line(text: str) -> list[str]:
    """The inverse of :func:`command_line` (the Microsoft C runtime's rules), so a value
    an installer quoted differently still counts as the same command."""
    args: list[str] = []
    current: list[str] = []
    in_quotes = has_arg = False
    i = 0
    while i < len(text):
        char = text[i]
        if char == "\\":
            end = i
            while end < len(text) and text[end] == "\\":
                end += 1
            count = end - i
            if end < len(text) and text[end] == '"':
                current.append("\\" * (count // 2))
                if count % 2:
                    current.append('"')
                    end += 1
            else:
                current.append("\\" * count)
            i, has_arg = end, True
            continue
        if char == '"':
            in_quotes, has_arg = not in_quotes, True
        elif char in " \t" and not in_quotes:
            if has_arg:
                args.append("".join(current))
                current, has_arg = [], False
        else:
            current.append(char)
            has_arg = True
        i += 1
    if has_arg:
        args.append("".join(current))
    return args


class WindowsLoginItem:
    def __init__(
        self, registry: Registry, command: Sequence[str], value_name: str = VALUE_NAME
    ) -> None:
        self.registry = registry
        self.command = list(command)
        self.value_name = value_name

    def is_supported(self) -> bool:
        return True

    def is_enabled(self) -> bool:
        """On only when the value starts this very program (a moved install shows off,
        and switching it on again repairs the entry)."""
        value = self.registry.get(self.value_name)
        if value is None:
            return False
        # Windows paths are case-insensitive, and installers quote as they like
        return [a.casefold() for a in split_command_line(value)] == [
            a.casefold() for a in self.command
        ]

    def set_enabled(self, enabled: bool) -> None:
        if enabled:
            self.registry.set(self.value_name, command_line(self.command))
        else:
            self.registry.delete(self.value_name)

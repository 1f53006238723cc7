"""Core must stay usable without Qt: checked on the source and at import time."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import labtunnel

PACKAGE = Path(labtunnel.__file__).parent
QT_FREE = [PACKAGE / "core", PACKAGE / "cli", PACKAGE / "messages"]


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_no_qt_imports_in_core_sources() -> None:
    offenders = []
    for root in QT_FREE:
        for path in [root] if root.is_file() else root.rglob("*.py"):
            bad = {
                n
                for n in imported_modules(path)
                if n.split(".")[0] in ("PySide6", "PyQt5", "PyQt6", "shiboken6")
            }
            ui = {n for n in imported_modules(path) if n.startswith("labtunnel.ui")}
            # the one allowed door: `labtunnel` with no command starts the tray, lazily
            if path == PACKAGE / "cli" / "__init__.py":
                ui -= {"labtunnel.ui.main"}
            if bad or ui:
                offenders.append(f"{path.name}: {sorted(bad | ui)}")
    assert offenders == []


def test_importing_core_loads_no_qt() -> None:
    code = (
        "import sys, pkgutil, importlib, labtunnel.core as c\n"
        "for m in pkgutil.walk_packages(c.__path__, 'labtunnel.core.'):\n"
        "    importlib.import_module(m.name)\n"
        "import labtunnel.messages\n"
        "print(sorted(n for n in sys.modules if n.startswith(('PySide6', 'shiboken6'))))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"

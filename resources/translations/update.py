"""Re-extract LabTunnel's translatable strings and compile the translations.

    .venv/bin/python resources/translations/update.py            # lupdate + lrelease
    .venv/bin/python resources/translations/update.py --check    # only report, exit 1 if
                                                                 # anything is missing

Sources: every ``translate("Context", "text")`` in app/labtunnel/ui and every
``QT_TRANSLATE_NOOP("messages", "text")`` in app/labtunnel/messages/. ``pyside6-lupdate``
merges them into labtunnel_<lang>.ts (translations kept, vanished strings dropped);
``pyside6-lrelease`` compiles the .qm the app loads. The same strings are also found
with Python's ast module and compared with what lupdate wrote, so a call lupdate
cannot read (a variable instead of a literal) does not go unnoticed; the GUI tests
use :func:`extract` the same way.

Translate new strings in Qt Linguist (``pyside6-linguist labtunnel_zh_CN.ts``) or by
editing the .ts, then run this script again to compile.
"""

from __future__ import annotations

import argparse
import ast
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
PACKAGE = ROOT / "app" / "labtunnel"
LANGUAGES = ("zh_CN",)
#: function names whose first two literal arguments are (context, source text)
MARKERS = {"translate", "QT_TRANSLATE_NOOP"}


@dataclass(frozen=True)
class Source:
    context: str
    text: str
    file: Path
    line: int


@dataclass(frozen=True)
class Entry:
    context: str
    source: str
    translation: str
    kind: str  # "" (finished), "unfinished", "obsolete", "vanished"


def source_files() -> list[Path]:
    return [*sorted((PACKAGE / "ui").rglob("*.py")), *sorted((PACKAGE / "messages").glob("*.py"))]


def _marker_name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def _calls(path: Path) -> Iterator[Source]:
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or _marker_name(node.func) not in MARKERS:
            continue
        if len(node.args) < 2:
            continue
        context, text = node.args[0], node.args[1]
        if (
            isinstance(context, ast.Constant)
            and isinstance(context.value, str)
            and isinstance(text, ast.Constant)
            and isinstance(text.value, str)
        ):
            yield Source(context.value, text.value, path, node.lineno)


def extract(files: list[Path] | None = None) -> list[Source]:
    """Every literal (context, text) the UI translates, in file order, without repeats."""
    seen: set[tuple[str, str]] = set()
    found: list[Source] = []
    for path in files if files is not None else source_files():
        for source in _calls(path):
            key = (source.context, source.text)
            if key not in seen:
                seen.add(key)
                found.append(source)
    return found


def ts_path(language: str) -> Path:
    return HERE / f"labtunnel_{language}.ts"


def qm_path(language: str) -> Path:
    return HERE / f"labtunnel_{language}.qm"


def read_ts(path: Path) -> list[Entry]:
    entries: list[Entry] = []
    # our own file from our repository, not untrusted input
    for context in ET.parse(path).getroot().iter("context"):  # noqa: S314
        name = context.findtext("name") or ""
        for message in context.iter("message"):
            translation = message.find("translation")
            entries.append(
                Entry(
                    context=name,
                    source=message.findtext("source") or "",
                    translation=(translation.text or "") if translation is not None else "",
                    kind=(translation.get("type") or "") if translation is not None else "",
                )
            )
    return entries


def _tool(name: str) -> str:
    """pyside6-lupdate / pyside6-lrelease next to this Python, else on PATH."""
    beside = Path(sys.executable).parent / f"pyside6-{name}"
    if beside.exists():
        return str(beside)
    found = shutil.which(f"pyside6-{name}") or shutil.which(name)
    if found is None:
        raise SystemExit(f"pyside6-{name} not found: pip install PySide6-Essentials")
    return found


def lupdate(language: str) -> None:
    files = [str(p.relative_to(ROOT)) for p in source_files()]
    subprocess.run(
        [
            _tool("lupdate"),
            "-silent",
            "-no-obsolete",
            "-locations",
            "none",
            "-source-language",
            "en",
            "-target-language",
            language,
            *files,
            "-ts",
            str(ts_path(language).relative_to(ROOT)),
        ],
        cwd=ROOT,
        check=True,
    )


def lrelease(language: str) -> None:
    subprocess.run(
        [_tool("lrelease"), "-silent", str(ts_path(language)), "-qm", str(qm_path(language))],
        check=True,
    )


def report(language: str) -> int:
    """Prints what is missing; returns the number of problems."""
    entries = read_ts(ts_path(language))
    in_ts = {(e.context, e.source) for e in entries}
    problems = 0
    for source in extract():
        if (source.context, source.text) not in in_ts:
            problems += 1
            where = f"{source.file.relative_to(ROOT)}:{source.line}"
            print(f"{language}: not in the .ts (lupdate missed it?): {where} {source.text!r}")
    unfinished = [e for e in entries if e.kind or not e.translation.strip()]
    for entry in unfinished:
        print(f"{language}: untranslated [{entry.context}] {entry.source!r}")
    problems += len(unfinished)
    finished = len(entries) - len(unfinished)
    print(f"{language}: {finished} of {len(entries)} strings translated")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="only report, change nothing")
    args = parser.parse_args()
    problems = 0
    for language in LANGUAGES:
        if not args.check:
            lupdate(language)
            lrelease(language)
        problems += report(language)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

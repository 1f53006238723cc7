"""docs/security.md names the tests behind each claim: they must exist."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "security.md"


def test_every_test_the_security_page_names_exists() -> None:
    text = DOC.read_text(encoding="utf-8")
    sources = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "tests").rglob("*.py"))
    names = set(re.findall(r"`(test_[a-z0-9_]+)`", text))
    assert len(names) >= 10
    missing = sorted(n for n in names if not re.search(rf"^def {n}\(", sources, re.MULTILINE))
    assert missing == []
    paths = set(re.findall(r"`(tests/[\w/.]+)`", text))
    assert [p for p in sorted(paths) if not (ROOT / p).exists()] == []

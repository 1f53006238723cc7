"""Redirect pages: a token URL reaches the browser only through a private file."""

from __future__ import annotations

import os
import stat
import time
from pathlib import Path

import pytest
from tests.harness.browser import page_target

from labtunnel.core.platform.browser import PAGE_PREFIX, BrowserOpener, redirect_page


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    folder = tmp_path / "pages"
    folder.mkdir(mode=0o700)
    return folder


def test_a_token_url_goes_through_a_private_page(folder: Path) -> None:
    launched: list[str] = []
    opener = BrowserOpener(lambda: folder, launch=launched.append, text="Open Jupyter")
    url = "http://127.0.0.1:9/lab?token=abc&x=<\"'>"
    page = opener.open(url, key="p1")
    assert page is not None and launched == [page.as_uri()]
    assert "abc" not in launched[0]
    if os.name == "posix":
        assert stat.S_IMODE(page.stat().st_mode) == 0o600
    assert page_target(launched[0]) == url  # escaped in the HTML, exact in the script
    again = opener.open(url, key="p1")
    assert again is not None and again != page and not page.exists()  # one page per key
    opener.forget("p1")
    assert not again.exists()


def test_a_url_without_a_token_is_opened_as_it_is(folder: Path) -> None:
    launched: list[str] = []
    opener = BrowserOpener(lambda: folder, launch=launched.append)
    assert opener.open("http://127.0.0.1:9/") is None
    assert launched == ["http://127.0.0.1:9/"] and list(folder.iterdir()) == []


def test_close_removes_every_page_and_old_leftovers_go(folder: Path) -> None:
    stale = folder / f"{PAGE_PREFIX}left-by-a-crash.html"
    stale.write_text("old")
    old = time.time() - 7200
    os.utime(stale, (old, old))
    fresh = folder / f"{PAGE_PREFIX}another-labtunnel.html"
    fresh.write_text("new")
    opener = BrowserOpener(lambda: folder, launch=lambda _url: None)
    pages = [opener.open(f"http://127.0.0.1:9/?token=t{i}", key=str(i)) for i in range(3)]
    assert not stale.exists() and fresh.exists()  # another process's fresh page stays
    opener.close()
    assert all(p is not None and not p.exists() for p in pages)


def test_no_script_breaks_out_of_the_page() -> None:
    page = redirect_page("http://h/?token=</script><script>alert(1)</script>", "x")
    assert "</script><script>alert" not in page

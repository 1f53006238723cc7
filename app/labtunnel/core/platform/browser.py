"""Opening Jupyter in the default browser without its token on any command line.

A browser started with ``http://127.0.0.1:PORT/lab?token=...`` carries the token in its
argv for its whole life, and every local user's ``ps`` shows argv; the forwarded port
is open to every local user too, so the token is their way into the person's Jupyter.
Like Jupyter's own ``use_redirect_file``, a URL with a token is written into a private
page (0600, in a folder only this user can enter) that sends the browser on, and the
browser is given the page's ``file://`` URL. Pages are removed when their tunnel ends
and when the app closes; ones a crash left behind go at the next start.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import secrets
import threading
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from labtunnel.core.platform.private import make_private_folder, private_folders

log = logging.getLogger(__name__)

PAGE_PREFIX = "open-"
PAGE_SUFFIX = ".html"
#: a page older than this at start was left by a crash
STALE_AFTER_S = 3600.0

Launch = Callable[[str], object]


def launch_in_background(url: str) -> None:
    """``webbrowser.open`` (which honours ``$BROWSER``) on a thread of its own: a browser
    named in ``$BROWSER`` is waited for, and finding the default one runs programs."""
    import webbrowser  # when needed: `labtunnel connect --no-browser` never is

    threading.Thread(target=webbrowser.open, args=(url,), name="browser", daemon=True).start()


def has_secret(url: str) -> bool:
    return "token" in parse_qs(urlsplit(url).query)


def pages_folder(config_dir: Path) -> Path:
    """``$XDG_RUNTIME_DIR/labtunnel`` when the runtime folder is private, else
    ``<config>/run``; both 0700."""
    places = private_folders(config_dir)
    if not places:
        raise OSError(f"no private folder for browser pages (config folder {config_dir})")
    parent = places[0]
    return make_private_folder(parent / ("labtunnel" if parent != config_dir else "run"))


def redirect_page(url: str, text: str) -> str:
    """An HTML page that goes on to ``url`` at once (script and meta refresh), with a
    link in ``text`` for a browser that does neither. No referrer leaves it."""
    import html

    attribute = html.escape(url, quote=True)
    script = json.dumps(url).replace("</", "<\\/")
    return (
        '<!DOCTYPE html>\n<html><head><meta charset="utf-8">\n'
        '<meta name="referrer" content="no-referrer">\n'
        f'<meta http-equiv="refresh" content="0;url={attribute}">\n'
        "<title>LabTunnel</title>\n"
        f"<script>window.location.replace({script});</script>\n"
        f'</head><body><p><a href="{attribute}">{html.escape(text)}</a></p></body></html>\n'
    )


class BrowserOpener:
    """Opens URLs in the browser; one with a token goes through a private redirect page.

    ``folder`` is called when the first page is needed (so a broken config folder only
    matters then); ``text`` is the page's link, in the person's language
    (messages.browser.redirect_link)."""

    def __init__(
        self,
        folder: Callable[[], Path],
        launch: Launch = launch_in_background,
        text: str = "",
    ) -> None:
        self._folder = folder
        self._launch = launch
        self._text = text or "Jupyter"
        self._pages: dict[str, Path] = {}
        self._lock = threading.Lock()
        self._swept = False

    def open(self, url: str, key: str = "") -> Path | None:
        """Open ``url``; returns the page written for it, if any. ``key`` (a profile id)
        names the page, so :meth:`forget` can remove it. Raises OSError when no page
        can be written (the URL is then not opened: never on a command line)."""
        if not has_secret(url):
            self._launch(url)
            return None
        page = self._write(url, key)
        self._launch(page.as_uri())
        return page

    def forget(self, key: str) -> None:
        with self._lock:
            page = self._pages.pop(key, None)
        _remove(page)

    def close(self) -> None:
        with self._lock:
            pages, self._pages = list(self._pages.values()), {}
        for page in pages:
            _remove(page)

    def _write(self, url: str, key: str) -> Path:
        folder = self._folder()
        if not self._swept:
            self._swept = True
            _sweep(folder)
        name = f"{PAGE_PREFIX}{secrets.token_hex(8)}{PAGE_SUFFIX}"
        page = folder / name
        data = redirect_page(url, self._text).encode("utf-8")
        # O_EXCL: a fresh file of ours, 0600 from the first byte
        fd = os.open(page, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        with self._lock:
            previous = self._pages.get(key)
            self._pages[key] = page
        _remove(previous)
        return page


_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


def _remove(page: Path | None) -> None:
    if page is not None:
        with contextlib.suppress(FileNotFoundError):
            page.unlink()


def _sweep(folder: Path) -> None:
    """Remove pages a crashed LabTunnel left (old ones only: another LabTunnel process of
    this user may have just written its own)."""
    now = time.time()
    for page in folder.glob(f"{PAGE_PREFIX}*{PAGE_SUFFIX}"):
        with contextlib.suppress(OSError):
            if now - page.stat().st_mtime > STALE_AFTER_S:
                page.unlink()
                log.info("removed a browser page left behind: %s", page.name)

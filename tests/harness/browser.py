"""A fake browser for tests of what reaches the browser: a script that records its argv
and stays running like a real browser, made the default both through ``$BROWSER`` and
the desktop's handlers (xdg-open, Qt); what every local user's ``ps`` shows; and where a
LabTunnel redirect page sends the browser."""

from __future__ import annotations

import contextlib
import html
import json
import os
import re
import signal
from pathlib import Path
from urllib.parse import unquote, urlsplit

from labtunnel.core.platform.browser import BrowserOpener, pages_folder

FAKE_BROWSER = """#!/bin/sh
echo "$$ $*" >> "{log}"
sleep 60
"""


def processes_showing(secret: str) -> dict[int, str]:
    """Every process whose command line holds ``secret`` (what ``ps`` shows everyone)."""
    found = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                argv = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                continue
            if secret in argv:
                found[int(entry.name)] = argv
    return found


def kill_with_children(pid: int) -> None:
    """The fake browser (a shell) and its ``sleep``, by PID."""
    children = Path(f"/proc/{pid}/task/{pid}/children")
    pids = [pid, *(int(c) for c in children.read_text().split())] if children.exists() else [pid]
    for victim in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(victim, signal.SIGKILL)


def page_path(url: str) -> Path:
    """The file of a ``file://`` URL."""
    return Path(unquote(urlsplit(url).path))


def fake_browser(folder: Path) -> tuple[Path, Path, dict[str, str]]:
    """The script, its log, and an environment where it is the default browser both ways:
    ``$BROWSER`` and the desktop's handler for http, https and HTML (xdg-open, Qt)."""
    log = folder / "browser.log"
    script = folder / "fake-browser"
    script.write_text(FAKE_BROWSER.format(log=log))
    script.chmod(0o755)
    applications = folder / "xdg-data" / "applications"
    applications.mkdir(parents=True)
    (applications / "fake-browser.desktop").write_text(
        "[Desktop Entry]\nType=Application\nName=Fake browser\n"
        f"Exec={script} %u\nMimeType=x-scheme-handler/http;x-scheme-handler/https;text/html;\n"
    )
    config = folder / "xdg-config"
    config.mkdir()
    (config / "mimeapps.list").write_text(
        "[Default Applications]\n"
        + "".join(
            f"{kind}=fake-browser.desktop\n"
            for kind in ("x-scheme-handler/http", "x-scheme-handler/https", "text/html")
        )
    )
    env = {
        "BROWSER": str(script),
        "XDG_DATA_HOME": str(applications.parent),
        "XDG_CONFIG_HOME": str(config),
    }
    return script, log, env


def page_target(url: str) -> str:
    """Where a browser given ``url`` ends up: a LabTunnel redirect page (file URL) sends it
    on to the URL in its script, which its meta refresh and link must name too."""
    if not url.startswith("file://"):
        return url
    text = page_path(url).read_text(encoding="utf-8")
    script = re.search(r"window\.location\.replace\((.*?)\);", text)
    refresh = re.search(r'http-equiv="refresh" content="0;url=([^"]*)"', text)
    link = re.search(r'<a href="([^"]*)">', text)
    assert script and refresh and link, text
    target = str(json.loads(script.group(1).replace("<\\/", "</")))
    assert html.unescape(refresh.group(1)) == target == html.unescape(link.group(1))
    return target


def recording_browser(opened: list[str], config_dir: Path) -> BrowserOpener:
    """The app's own BrowserOpener (real redirect pages in ``config_dir``'s private
    folder) whose browser only records where it would go: ``opened`` gets the targets."""
    return BrowserOpener(
        lambda: pages_folder(config_dir), launch=lambda url: opened.append(page_target(url))
    )

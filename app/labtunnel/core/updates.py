"""Is a newer LabTunnel published? One GET to the GitHub Releases API, nothing else.

Opt-in (Settings; off by default). The request carries no identifier, no version, no
cookie and no query: ``GET /repos/OWNER/NAME/releases/latest`` with the headers GitHub
requires (``User-Agent: LabTunnel``, the API's ``Accept``). The answer's ``tag_name``
(``v0.2.0``) is compared with this version; drafts and pre-releases are never
"latest" on GitHub. Blocking: the tray calls it on a worker thread.
"""

from __future__ import annotations

import enum
import json
import re
import urllib.error
import urllib.request
from dataclasses import dataclass

from labtunnel import RELEASES_REPOSITORY, __version__

API_BASE = "https://api.github.com"
TIMEOUT_S = 10.0
#: the body of a "latest release" answer is a few kB; never read more than this
MAX_ANSWER_BYTES = 1_000_000
_VERSION = re.compile(r"v?(\d+(?:\.\d+)*)")


class CheckProblem(str, enum.Enum):
    OFFLINE = "offline"  # no network, DNS failed, refused, timed out
    NO_RELEASE = "no_release"  # nothing published yet (404)
    REFUSED = "refused"  # any other HTTP status (rate limit, server error)
    BAD_ANSWER = "bad_answer"  # not the JSON GitHub sends


class UpdateCheckFailed(Exception):
    def __init__(self, problem: CheckProblem, detail: str = "") -> None:
        super().__init__(f"{problem.value}: {detail}" if detail else problem.value)
        self.problem = problem
        self.detail = detail


@dataclass(frozen=True)
class Release:
    version: str  # "0.2.0"
    page: str  # the release's page, where its installers are


@dataclass(frozen=True)
class UpdateStatus:
    current: str
    latest: Release

    @property
    def newer_available(self) -> bool:
        return is_newer(self.latest.version, self.current)


def version_numbers(text: str) -> tuple[int, ...] | None:
    match = _VERSION.fullmatch(text.strip())
    if match is None:
        return None
    return tuple(int(part) for part in match[1].split("."))


def is_newer(candidate: str, current: str) -> bool:
    new, old = version_numbers(candidate), version_numbers(current)
    if new is None or old is None:
        return False
    width = max(len(new), len(old))
    return new + (0,) * (width - len(new)) > old + (0,) * (width - len(old))


def latest_release(
    repository: str = RELEASES_REPOSITORY,
    *,
    api_base: str = API_BASE,
    timeout: float = TIMEOUT_S,
) -> Release:
    """Raises UpdateCheckFailed."""
    request = urllib.request.Request(  # noqa: S310 - https (or a test's http://127.0.0.1)
        f"{api_base}/repos/{repository}/releases/latest",
        headers={"Accept": "application/vnd.github+json", "User-Agent": "LabTunnel"},
        method="GET",
    )
    try:
        # no proxy handler tricks, no cookies: urllib keeps none
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            body = response.read(MAX_ANSWER_BYTES + 1)
    except urllib.error.HTTPError as exc:
        if exc.code == 404:
            raise UpdateCheckFailed(CheckProblem.NO_RELEASE) from None
        raise UpdateCheckFailed(CheckProblem.REFUSED, f"HTTP {exc.code}") from None
    except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
        reason = getattr(exc, "reason", exc)
        raise UpdateCheckFailed(CheckProblem.OFFLINE, type(reason).__name__) from None
    except OSError as exc:
        raise UpdateCheckFailed(CheckProblem.OFFLINE, type(exc).__name__) from None
    if len(body) > MAX_ANSWER_BYTES:
        raise UpdateCheckFailed(CheckProblem.BAD_ANSWER, "too long")
    try:
        data = json.loads(body)
        tag, page = data["tag_name"], data["html_url"]
    except (ValueError, KeyError, TypeError):
        raise UpdateCheckFailed(CheckProblem.BAD_ANSWER, "not a release") from None
    if not isinstance(tag, str) or version_numbers(tag) is None:
        raise UpdateCheckFailed(CheckProblem.BAD_ANSWER, "no version in the tag")
    if not isinstance(page, str) or not page.startswith("https://"):
        raise UpdateCheckFailed(CheckProblem.BAD_ANSWER, "no release page")
    numbers = version_numbers(tag)
    assert numbers is not None
    return Release(".".join(str(n) for n in numbers), page)


def check_for_update(
    repository: str = RELEASES_REPOSITORY,
    current: str = __version__,
    *,
    api_base: str = API_BASE,
    timeout: float = TIMEOUT_S,
) -> UpdateStatus:
    """Raises UpdateCheckFailed."""
    return UpdateStatus(current, latest_release(repository, api_base=api_base, timeout=timeout))

"""Reading what the Jupyter scripts print: server listings, "not found" reports, and
keeping tokens out of anything shown or logged."""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from labtunnel.core.errors import JupyterMissing, JupyterNotFound, RemoteCommandFailed
from labtunnel.core.jupyter.env import command_tried
from labtunnel.core.jupyter.server import JupyterServer, server_from_info
from labtunnel.core.logs import BARE_HEX_TOKEN
from labtunnel.core.ssh.remote import CommandResult, Section, tail

_PLAIN_LINE = re.compile(r"^(https?://\S+)\s+::\s+(.*)$")


def parse_list_output(text: str) -> list[JupyterServer]:
    """``jupyter server/notebook list`` output: JSON lines (``--json``) or the plain
    ``URL :: DIR`` lines of old Notebook versions."""
    servers: list[JupyterServer] = []
    for raw in text.splitlines():
        line = raw.strip()
        server: JupyterServer | None = None
        if line.startswith("{"):
            with contextlib.suppress(ValueError):
                info = json.loads(line)
                if isinstance(info, dict):
                    server = server_from_info(info)
        else:
            match = _PLAIN_LINE.match(line)
            if match:
                parts = urlsplit(match.group(1))
                token = parse_qs(parts.query).get("token", [""])[0]
                with contextlib.suppress(ValueError):
                    server = server_from_info(
                        {
                            "url": match.group(1),
                            "port": parts.port,
                            "hostname": parts.hostname or "",
                            "base_url": parts.path or "/",
                            "token": token,
                            "root_dir": match.group(2).strip(),
                        }
                    )
        if server is not None:
            servers.append(server)
    return servers


@dataclass(frozen=True)
class ScanResult:
    servers: tuple[JupyterServer, ...]
    #: for a launch being waited on: is its process still there?
    watch_alive: bool | None = None
    #: the Jupyter found is outside the home where others can change it (this path)
    unsafe_path: str = ""
    #: the Jupyter found came from a known conda-style place, not the terminal's PATH
    known_place: str = ""


def _json_object(text: str) -> object:
    """The JSON value at the start of ``text`` (output a background job appended after
    it does not count)."""
    value, _end = json.JSONDecoder().raw_decode(text.strip())
    return value


def parse_scan(found: Sequence[Section], env: str) -> ScanResult:
    """Parse the listing script's sections. Raises JupyterNotFound; ValueError when
    the output has none of the expected markers."""
    names = {s.name for s in found}
    raise_not_found(found, env)
    servers: list[JupyterServer] = []
    if "RUNTIME" in names:
        for section in found:
            if section.name != "SERVER":
                continue
            with contextlib.suppress(ValueError):
                info = _json_object(section.text)
                if isinstance(info, dict):
                    server = server_from_info(info)
                    if server is not None:
                        servers.append(server)
    elif "LIST" in names:
        listed = next(s for s in found if s.name == "LIST")
        # no file times to order by: higher pid = started later, most of the time
        servers = sorted(parse_list_output(listed.text), key=lambda s: -(s.pid or 0))
    elif "BROKEN" in names:
        broken = next(s for s in found if s.name == "BROKEN")
        raise JupyterNotFound(
            command_tried(env),
            env,
            JupyterMissing.JUPYTER_BROKEN,
            detail=redact(tail(broken.text, 8)),
        )
    else:
        raise ValueError("no listing markers in output")
    watch = next((s.arg for s in found if s.name == "WATCH"), None)
    return ScanResult(
        tuple(servers),
        None if watch is None else watch == "alive",
        unsafe_path=first_arg(found, "UNSAFE"),
        known_place=first_arg(found, "KNOWN-PLACE"),
    )


def first_arg(found: Iterable[Section], name: str) -> str:
    """The argument of the first ``name`` marker, "" when there is none."""
    return next((s.arg.strip() for s in found if s.name == name), "")


def raise_not_found(found: Iterable[Section], env: str) -> None:
    """Raise JupyterNotFound when a script reported NOTFOUND (with what it searched)."""
    found = list(found)
    reason = next((s.arg for s in found if s.name == "NOTFOUND"), None)
    if reason is None:
        return
    try:
        missing = JupyterMissing(reason.strip())
    except ValueError:
        missing = JupyterMissing.NOT_ON_PATH
    shell_mode, _, shell = first_arg(found, "SHELL").partition(" ")
    raise JupyterNotFound(
        command_tried(env),
        env,
        missing,
        search_path=first_arg(found, "PATH"),
        candidates=[s.arg for s in found if s.name == "CANDIDATE"],
        shell=shell,
        shell_mode=shell_mode,
    )


_TOKEN_PATTERNS = (
    re.compile(r"(token=)[^\s&\"'#]+", re.IGNORECASE),
    re.compile(r"(Authorization:\s*token\s+)\S+", re.IGNORECASE),
    BARE_HEX_TOKEN,
)


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """Remove anything token-like (and the given secrets) from ``text``."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "<redacted>")
    for pattern in _TOKEN_PATTERNS:
        text = pattern.sub(r"\1<redacted>", text)
    return text


#: in Jupyter's log: another process took the port between picking and binding it
PORT_TAKEN = re.compile(r"is not available|already in use|Errno 98", re.IGNORECASE)
#: in Jupyter's log: a Jupyter from before --sock (traitlets warns, or refuses, the option)
SOCK_UNKNOWN = re.compile(r"Unrecognized (?:alias|flag|option)[^\n]*sock", re.IGNORECASE)
#: in Jupyter's log: the app (lab, notebook) is not installed (jupyter_core < 5 says
#: "'lab' is not a Jupyter command", 5 and later "Jupyter command `jupyter-lab` not found.")
APP_MISSING = re.compile(r"is not a Jupyter command|Jupyter command `jupyter-[\w-]+` not found")


def command_failed(
    what: str, result: CommandResult, secrets: Iterable[str] = ()
) -> RemoteCommandFailed:
    return RemoteCommandFailed(what, result.exit_status, redact(tail(result.stderr, 5), secrets))

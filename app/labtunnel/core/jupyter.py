"""Find, start, reuse and stop the user's own Jupyter server on the lab server.

Everything runs as small POSIX scripts in the user's login shell on the server
(:func:`labtunnel.core.remote.run_script`). Rules this module keeps:

- Only the user's own servers: they are found through the runtime files in the
  user's home (mode 700), exactly what ``jupyter server list`` reads, so other
  users' servers are never seen, let alone touched.
- The token never goes on a command line (``ps`` shows argv to every user of a
  shared server): Jupyter makes its own token at start, we read it back from the
  runtime file, and send it to the server only inside a script on stdin.
- Started servers are detached (setsid + nohup, output to a log file) so they
  survive disconnects, listen on the server's 127.0.0.1 only, on a port picked
  free on the server.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import logging
import re
import shlex
import ssl
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from enum import Enum
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

from labtunnel.core.errors import (
    JupyterNotFound,
    JupyterStartFailed,
    JupyterStopFailed,
    RemoteCommandFailed,
    RemoteCommandTimeout,
)
from labtunnel.core.profiles import JupyterApp, JupyterSpec
from labtunnel.core.remembered import RememberedServer, RememberedServers
from labtunnel.core.remote import (
    CommandResult,
    RemoteRunner,
    Section,
    run_script,
    sections,
    shell_path,
    tail,
)

log = logging.getLogger(__name__)

Progress = Callable[[str], None]

LOG_DIR = "$HOME/.local/share/labtunnel"
#: how many times a start is retried when another process took the picked port
START_ATTEMPTS = 3


# --- the server --------------------------------------------------------------------------


@dataclass(frozen=True)
class JupyterServer:
    """One running Jupyter server of the user, as the server sees it."""

    url: str
    #: address to forward to, as seen on the server (127.0.0.1 for loopback/wildcard)
    host: str
    port: int
    base_url: str = "/"
    #: secret: never in repr, logs or exception text
    token: str = field(default="", repr=False)
    pid: int | None = None
    root_dir: str = ""
    version: str = ""
    #: page to open: lab, notebook (``/tree``), or None for the server's default page
    app: JupyterApp | None = None
    secure: bool = False
    #: password-protected (then ``token`` is usually empty)
    password: bool = False

    @property
    def scheme(self) -> str:
        return "https" if self.secure else "http"

    def local_url(self, local_port: int) -> str:
        """The URL to open in the browser through a forward on ``local_port``."""
        page = {JupyterApp.LAB: "lab", JupyterApp.NOTEBOOK: "tree", None: ""}[self.app]
        query = f"?token={quote(self.token, safe='')}" if self.token else ""
        return f"{self.scheme}://127.0.0.1:{local_port}{self.base_url}{page}{query}"


class StopOutcome(str, Enum):
    REST = "rest"  # shut down cleanly through /api/shutdown
    TERM = "term"  # REST did not work; SIGTERM did (still a clean shutdown)
    KILL = "kill"  # SIGKILL: kernels may be left behind
    NOT_RUNNING = "not_running"  # not listed for this user: nothing was touched


# --- where Jupyter lives ------------------------------------------------------------------


class EnvKind(str, Enum):
    LOGIN = "login"  # whatever ``jupyter`` the login shell finds
    CONDA = "conda"  # a conda environment name
    VENV = "venv"  # a directory with bin/jupyter (venv, or a conda env prefix)
    EXECUTABLE = "executable"  # an absolute path to ``jupyter``
    INTERPRETER = "interpreter"  # a python with jupyter installed: ``python -m jupyter``


_PYTHON_NAME = re.compile(r"python[0-9.]*")


def classify_env(env: str) -> EnvKind:
    env = env.strip()
    if not env:
        return EnvKind.LOGIN
    if "/" in env or env.startswith("~"):
        name = env.rstrip("/").rsplit("/", 1)[-1]
        if name == "jupyter":
            return EnvKind.EXECUTABLE
        if _PYTHON_NAME.fullmatch(name):
            return EnvKind.INTERPRETER
        return EnvKind.VENV
    return EnvKind.CONDA


def command_tried(env: str) -> str:
    """The ``jupyter`` command LabTunnel runs for ``env``, as a person would type it."""
    env = env.strip()
    kind = classify_env(env)
    if kind is EnvKind.LOGIN:
        return "jupyter"
    if kind is EnvKind.CONDA:
        return f"conda activate {shlex.quote(env)} && jupyter"
    if kind is EnvKind.VENV:
        return env.rstrip("/") + "/bin/jupyter"
    if kind is EnvKind.INTERPRETER:
        return f"{env} -m jupyter"
    return env


_NOTFOUND_FUNCTION = r"""
lt_notfound() {
  echo "@@LT:NOTFOUND $1"
  echo "@@LT:PATH $PATH"
  lt_n=0
  for lt_c in "$HOME"/.local/bin/jupyter "$HOME"/*/bin/jupyter "$HOME"/*/*/bin/jupyter \
      "$HOME"/*/envs/*/bin/jupyter "$HOME"/.[!.]*/bin/jupyter "$HOME"/.[!.]*/*/bin/jupyter \
      "$HOME"/.[!.]*/envs/*/bin/jupyter "$HOME"/.pyenv/versions/*/bin/jupyter \
      /opt/*/bin/jupyter /opt/*/*/bin/jupyter /opt/*/envs/*/bin/jupyter /usr/local/bin/jupyter \
      /usr/bin/jupyter; do
    if [ -x "$lt_c" ] && [ "$lt_n" -lt 12 ]; then
      echo "@@LT:CANDIDATE $lt_c"
      lt_n=$((lt_n + 1))
    fi
  done
  exit 3
}
lt_find_py() {
  for lt_p in "$@"; do
    case $lt_p in /*) if [ -x "$lt_p" ]; then PY=$lt_p; return 0; fi;; esac
  done
  PY=
}
PY=
"""

_FIND_CONDA = r"""
lt_conda=
for lt_c in "${CONDA_EXE:-}" "$(command -v conda 2>/dev/null)" \
    "$HOME"/miniconda3/bin/conda "$HOME"/anaconda3/bin/conda "$HOME"/miniforge3/bin/conda \
    "$HOME"/mambaforge/bin/conda /opt/conda/bin/conda /opt/miniconda3/bin/conda \
    /opt/anaconda3/bin/conda /opt/miniforge3/bin/conda; do
  case $lt_c in /*) if [ -x "$lt_c" ]; then lt_conda=$lt_c; break; fi;; esac
done
[ -n "$lt_conda" ] || lt_notfound conda_missing
lt_base=${lt_conda%/*}
lt_base=${lt_base%/*}
[ -f "$lt_base/etc/profile.d/conda.sh" ] || lt_base=$("$lt_conda" info --base 2>/dev/null)
lt_activate() {
  if [ -f "$lt_base/etc/profile.d/conda.sh" ] \
      && . "$lt_base/etc/profile.d/conda.sh" >/dev/null 2>&1 \
      && conda activate "$lt_envname" >/dev/null 2>&1 && [ -n "${CONDA_PREFIX:-}" ]; then
    lt_prefix=$CONDA_PREFIX
  else
    lt_notfound conda_env_missing
  fi
}
lt_prefix=
"""

# Listing only needs the path of the env's jupyter: skip conda's (slow) activation
# when the env is where conda keeps envs by default.
_CONDA_RESOLVE = r"""
if [ "$lt_envname" = base ]; then
  lt_prefix=$lt_base
else
  for lt_d in "$lt_base/envs/$lt_envname" "$HOME/.conda/envs/$lt_envname"; do
    if [ -d "$lt_d" ]; then lt_prefix=$lt_d; break; fi
  done
fi
[ -n "$lt_prefix" ] || lt_activate
"""


def env_prologue(env: str, *, activate: bool) -> str:
    """Script that finds Jupyter for ``env`` or reports NOTFOUND and exits.

    It sets JUP (the executable), PY (a python for small helpers) and the
    positional parameters to the command that runs jupyter (``"$@" lab ...``),
    which needs no word splitting (a login profile may ``exec zsh``). With
    ``activate`` the environment is activated (PATH, conda's activation scripts)
    for what runs after it, as Jupyter and its kernels need.
    """
    env = env.strip()
    kind = classify_env(env)
    parts = [_NOTFOUND_FUNCTION]
    if kind is EnvKind.LOGIN:
        parts.append(
            "JUP=$(command -v jupyter 2>/dev/null) || JUP=\n"
            # an alias or shell function is no file we can start detached
            "case $JUP in /*) ;; *) lt_notfound not_on_path;; esac\n"
        )
    elif kind is EnvKind.CONDA:
        parts.append(f"lt_envname={shlex.quote(env)}\n")
        parts.append(_FIND_CONDA)
        parts.append("lt_activate\n" if activate else _CONDA_RESOLVE)
        parts.append(
            'JUP="$lt_prefix/bin/jupyter"\n[ -x "$JUP" ] || lt_notfound env_has_no_jupyter\n'
        )
    elif kind is EnvKind.VENV:
        parts.append(
            f"lt_env={shell_path(env.rstrip('/'))}\n"
            '[ -d "$lt_env" ] || lt_notfound env_missing\n'
            'JUP="$lt_env/bin/jupyter"\n'
            '[ -x "$JUP" ] || lt_notfound env_has_no_jupyter\n'
        )
        if activate:
            parts.append('PATH="$lt_env/bin:$PATH"\nVIRTUAL_ENV=$lt_env\nexport PATH VIRTUAL_ENV\n')
    elif kind is EnvKind.EXECUTABLE:
        parts.append(f'JUP={shell_path(env)}\n[ -x "$JUP" ] || lt_notfound not_executable\n')
        if activate:
            parts.append('PATH="${JUP%/*}:$PATH"\nexport PATH\n')
    else:
        parts.append(
            f"JUP={shell_path(env)}\n"
            '[ -x "$JUP" ] || lt_notfound not_executable\n'
            "\"$JUP\" -c 'import jupyter_core' >/dev/null 2>&1 || lt_notfound env_has_no_jupyter\n"
            "PY=$JUP\n"
            'set -- "$JUP" -m jupyter\n'
        )
        if activate:
            parts.append('PATH="${JUP%/*}:$PATH"\nexport PATH\n')
    if kind is not EnvKind.INTERPRETER:
        parts.append(
            'set -- "$JUP"\n'
            'lt_find_py "${JUP%/*}/python3" "${JUP%/*}/python" '
            '"$(command -v python3 2>/dev/null)" "$(command -v python 2>/dev/null)"\n'
        )
    return "".join(parts)


# --- scripts ------------------------------------------------------------------------------

# Reads the runtime files ``jupyter server list`` reads (jpserver-PID.json;
# nbserver-PID.json for Notebook 6 and older), newest first, skipping those whose
# process is gone. Much faster than ``jupyter server list --json``, which imports
# all of jupyter_server (2.5 s on the test machine); that and the notebook
# listings remain the fallback when ``jupyter --runtime-dir`` does not work.
_SCAN = r"""
if lt_rt=$("$@" --runtime-dir 2>/dev/null) && [ -n "$lt_rt" ]; then
  echo "@@LT:RUNTIME $lt_rt"
  if [ -d "$lt_rt" ]; then
    ls -t "$lt_rt" 2>/dev/null | while IFS= read -r lt_f; do
      case $lt_f in jpserver-*.json|nbserver-*.json) ;; *) continue;; esac
      lt_pid=${lt_f#*server-}
      lt_pid=${lt_pid%.json}
      case $lt_pid in ''|*[!0-9]*) continue;; esac
      kill -0 "$lt_pid" 2>/dev/null || continue
      echo "@@LT:SERVER $lt_f"
      cat "$lt_rt/$lt_f"
      echo
    done
  fi
else
  echo "@@LT:LEGACY"
  if lt_out=$("$@" server list --json 2>/dev/null); then
    echo "@@LT:LIST server list --json"
  elif lt_out=$("$@" notebook list --json 2>/dev/null); then
    echo "@@LT:LIST notebook list --json"
  elif lt_out=$("$@" notebook list 2>/dev/null); then
    echo "@@LT:LIST notebook list"
  else
    echo "@@LT:BROKEN"
    lt_out=$("$@" --version 2>&1 | tail -n 8)
  fi
  printf '%s\n' "$lt_out"
fi
"""

_WATCH = r"""
if kill -0 {pid} 2>/dev/null; then echo "@@LT:WATCH alive"; else echo "@@LT:WATCH dead"; fi
"""

_FREE_PORT = (
    "import socket; s = socket.socket(); s.bind(('127.0.0.1', 0)); "
    "print(s.getsockname()[1]); s.close()"
)

_START = r"""
cd {workdir} 2>/dev/null || {{ echo "@@LT:WORKDIR-MISSING"; exit 5; }}
[ -n "$PY" ] || {{ echo "@@LT:NO-PYTHON"; exit 6; }}
lt_log="{log_dir}/{log_name}"
# the log is private (it shows the token); Jupyter keeps the user's umask for notebooks
(umask 077 && mkdir -p "{log_dir}" && : >"$lt_log" && chmod 600 "$lt_log") \
  || {{ echo "@@LT:LAUNCH-FAILED log"; exit 7; }}
lt_port=$("$PY" -c {free_port}) || {{ echo "@@LT:LAUNCH-FAILED port"; exit 7; }}
set -- "$@" {app} --no-browser --ip=127.0.0.1 --port="$lt_port" --port-retries=0
[ "$(id -u)" = 0 ] && set -- "$@" --allow-root
if command -v setsid >/dev/null 2>&1; then set -- setsid nohup "$@"; else set -- nohup "$@"; fi
"$@" >"$lt_log" 2>&1 </dev/null &
echo "@@LT:STARTED $! $lt_port"
echo "@@LT:LOG $lt_log"
"""

# Runs on the server with the token on stdin (never in argv): prints the HTTP status.
_HTTP_SNIPPET = r"""
import http.client, ssl, sys
host, port, path, scheme, method = sys.argv[1:6]
token = sys.stdin.read().strip()
if scheme == "https":
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    conn = http.client.HTTPSConnection(host, int(port), timeout=5, context=context)
else:
    conn = http.client.HTTPConnection(host, int(port), timeout=5)
headers = {"Host": "127.0.0.1"}
if token:
    headers["Authorization"] = "token " + token
try:
    conn.request(method, path, headers=headers)
    print("@@LT:HTTP", conn.getresponse().status)
except Exception as exc:
    print("@@LT:HTTP 0", type(exc).__name__)
"""

_FIND_ANY_PY = (
    'PY=\nlt_find_py() { for lt_p in "$@"; do case $lt_p in /*) if [ -x "$lt_p" ]; then '
    "PY=$lt_p; return 0; fi;; esac; done; }\n"
    'lt_find_py "$(command -v python3 2>/dev/null)" "$(command -v python 2>/dev/null)"\n'
)

_HTTP_CALL = (
    'lt_http="@@LT:NOPY"\n'
    'if [ -n "$PY" ]; then lt_http=$(printf \'%s\' "$LT_TOKEN" | "$PY" -c {snippet} '
    "{host} {port} {path} {scheme} {method}); fi\n"
    'echo "$lt_http"\n'
)

# After the REST shutdown: wait for the process (only if Jupyter accepted the
# request), then SIGTERM, then SIGKILL; never signal a pid that is not Jupyter's
# (a stale runtime file whose pid was reused by another process of the user).
_STOP_WAIT = r"""
lt_gone() {{
  lt_i=0
  while kill -0 {pid} 2>/dev/null; do
    [ "$lt_i" -lt "$1" ] || return 1
    sleep 0.2
    lt_i=$((lt_i + 1))
  done
}}
case $lt_http in "@@LT:HTTP 2"*) lt_rest={rest_ticks};; *) lt_rest=0;; esac
if lt_gone "$lt_rest"; then echo "@@LT:GONE rest"; exit 0; fi
if [ -r /proc/{pid}/cmdline ] && ! tr '\0' ' ' </proc/{pid}/cmdline | grep -q jupyter; then
  echo "@@LT:NOT-JUPYTER"
  exit 0
fi
kill -TERM {pid} 2>/dev/null
if lt_gone {term_ticks}; then echo "@@LT:GONE term"; exit 0; fi
kill -KILL {pid} 2>/dev/null
if lt_gone 10; then echo "@@LT:GONE kill"; exit 0; fi
echo "@@LT:ALIVE"
"""


# --- parsing ------------------------------------------------------------------------------


def forward_host(hostname: str) -> str:
    """Where to forward to for a server that says it listens on ``hostname``."""
    hostname = hostname.strip().strip("[]")
    if hostname in ("", "localhost", "0.0.0.0", "*", "127.0.0.1"):
        return "127.0.0.1"
    if hostname in ("::", "::1"):
        return "::1"
    return hostname


def _base_url(value: Any) -> str:
    text = str(value or "/").strip()
    if not text.startswith("/"):
        text = "/" + text
    if not text.endswith("/"):
        text += "/"
    return text


def _int_field(info: Mapping[str, Any], key: str) -> int | None:
    value = info.get(key)
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


def server_from_info(info: Mapping[str, Any]) -> JupyterServer | None:
    """A server from a runtime file / ``list --json`` object; None if unusable
    (no TCP port, e.g. a server on a Unix socket)."""
    port = _int_field(info, "port")
    if port is None or not 0 < port < 65536:
        return None
    url = str(info.get("url") or "")
    parts = urlsplit(url)
    hostname = str(info.get("hostname") or parts.hostname or "")
    secure = bool(info.get("secure")) or parts.scheme == "https"
    base_url = _base_url(info.get("base_url") or parts.path or "/")
    pid = _int_field(info, "pid")
    scheme = "https" if secure else "http"
    host = forward_host(hostname)
    shown_host = f"[{host}]" if ":" in host else host
    return JupyterServer(
        url=f"{scheme}://{shown_host}:{port}{base_url}",
        host=host,
        port=port,
        base_url=base_url,
        token=str(info.get("token") or ""),
        pid=pid if pid is not None and pid > 0 else None,
        root_dir=str(info.get("root_dir") or info.get("notebook_dir") or ""),
        version=str(info.get("version") or ""),
        secure=secure,
        password=bool(info.get("password")),
    )


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


def parse_scan(stdout: str, env: str) -> ScanResult:
    """Parse the listing script's output. Raises JupyterNotFound; ValueError when
    the output has none of the expected markers."""
    found = sections(stdout)
    names = {s.name for s in found}
    _raise_not_found(found, env)
    servers: list[JupyterServer] = []
    if "RUNTIME" in names:
        for section in found:
            if section.name != "SERVER":
                continue
            with contextlib.suppress(ValueError):
                info = json.loads(section.text)
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
            command_tried(env), env, "jupyter_broken", detail=redact(tail(broken.text, 8))
        )
    else:
        raise ValueError("no listing markers in output")
    watch = next((s.arg for s in found if s.name == "WATCH"), None)
    return ScanResult(tuple(servers), None if watch is None else watch == "alive")


def _raise_not_found(found: Iterable[Section], env: str) -> None:
    found = list(found)
    reason = next((s.arg for s in found if s.name == "NOTFOUND"), None)
    if reason is None:
        return
    raise JupyterNotFound(
        command_tried(env),
        env,
        reason.strip() or "not_on_path",
        search_path=next((s.arg for s in found if s.name == "PATH"), ""),
        candidates=[s.arg for s in found if s.name == "CANDIDATE"],
    )


_TOKEN_PATTERNS = (
    re.compile(r"(token=)[^\s&\"'#]+", re.IGNORECASE),
    re.compile(r"(Authorization:\s*token\s+)\S+", re.IGNORECASE),
    re.compile(r"()\b[0-9a-f]{32,}\b"),
)


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """Remove anything token-like (and the given secrets) from ``text``."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "<redacted>")
    for pattern in _TOKEN_PATTERNS:
        text = pattern.sub(r"\1<redacted>", text)
    return text


_PORT_TAKEN = re.compile(r"is not available|already in use|Errno 98", re.IGNORECASE)
_APP_MISSING = re.compile(r"is not a Jupyter command")


@dataclass(frozen=True)
class _Launch:
    pid: int
    port: int
    log_path: str


class _PortTaken(Exception):
    pass


# --- the manager --------------------------------------------------------------------------


class JupyterManager:
    """The user's Jupyter servers on one SSH session, for one profile.

    Raises JupyterNotFound, JupyterStartFailed, JupyterStopFailed,
    RemoteCommandFailed, and the runner's RemoteCommandTimeout / SessionLost.
    """

    def __init__(
        self,
        runner: RemoteRunner,
        spec: JupyterSpec,
        *,
        remembered: RememberedServers | None,
        profile_id: str,
        command_timeout: float = 20.0,
        start_timeout: float = 60.0,
        poll_interval: float = 0.5,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self._runner = runner
        self._spec = spec
        self._remembered = remembered
        self._profile_id = profile_id
        self._command_timeout = command_timeout
        self._start_timeout = start_timeout
        self._poll_interval = poll_interval
        self._clock = clock
        self._sleep = sleep
        self._wall_clock = wall_clock

    @property
    def log_name(self) -> str:
        safe = re.sub(r"[^A-Za-z0-9_.-]", "_", self._profile_id)[:64] or "profile"
        return f"jupyter-{safe}.log"

    # --- finding ------------------------------------------------------------------------

    def list_servers(self) -> list[JupyterServer]:
        """The user's running servers, most recently started first."""
        return list(self._scan().servers)

    def find(self) -> JupyterServer | None:
        """The server this profile started last if it still runs, else the most recent."""
        servers = self.list_servers()
        remembered = self._remembered.get(self._profile_id) if self._remembered else None
        if remembered is not None:
            for server in servers:
                if _same(server, remembered):
                    return replace(server, app=_app(remembered.app))
            assert self._remembered is not None
            self._remembered.forget(self._profile_id, only=remembered)
        return servers[0] if servers else None

    def find_or_start(self, on_progress: Progress | None = None) -> JupyterServer:
        server = self.find()
        if server is not None:
            log.info("using running Jupyter pid %s port %s", server.pid, server.port)
            return server
        return self.start(on_progress)

    def _scan(self, watch_pid: int | None = None) -> ScanResult:
        script = env_prologue(self._spec.env, activate=False) + _SCAN
        if watch_pid is not None:
            script += _WATCH.format(pid=int(watch_pid))
        result = run_script(
            self._runner, script, timeout=self._command_timeout, label="jupyter list"
        )
        try:
            return parse_scan(result.stdout, self._spec.env)
        except ValueError:
            raise _failed("jupyter list", result) from None

    # --- starting -----------------------------------------------------------------------

    def start(self, on_progress: Progress | None = None) -> JupyterServer:
        """Start a new server for this profile and wait until it is listed."""
        progress = on_progress or _ignore
        progress("starting_jupyter")
        started = self._clock()
        deadline = started + self._start_timeout
        for _attempt in range(START_ATTEMPTS):
            launch = self._launch()
            log.info("launched Jupyter pid %s port %s", launch.pid, launch.port)
            progress("waiting_jupyter")
            try:
                server = self._wait_listed(launch, started, deadline)
            except _PortTaken:
                log.info("port %s was taken before Jupyter bound it; retrying", launch.port)
                continue
            if self._remembered is not None:
                self._remembered.remember(
                    self._profile_id,
                    RememberedServer(
                        server.pid, server.port, self._wall_clock(), self._spec.app.value
                    ),
                )
            log.info("Jupyter ready after %.1f s", self._clock() - started)
            return server
        raise JupyterStartFailed("launch_failed", "port taken on every attempt")

    def _launch(self) -> _Launch:
        app = "notebook" if self._spec.app is JupyterApp.NOTEBOOK else "lab"
        script = env_prologue(self._spec.env, activate=True) + _START.format(
            workdir=shell_path(self._spec.workdir),
            log_dir=LOG_DIR,
            log_name=self.log_name,
            free_port=shlex.quote(_FREE_PORT),
            app=app,
        )
        result = run_script(
            self._runner, script, timeout=self._command_timeout, label="jupyter start"
        )
        found = sections(result.stdout)
        _raise_not_found(found, self._spec.env)
        by_name = {s.name: s for s in found}
        if "WORKDIR-MISSING" in by_name:
            raise JupyterStartFailed("workdir_missing", workdir=self._spec.workdir or "~")
        if "NO-PYTHON" in by_name:
            raise JupyterStartFailed("no_python")
        started = by_name.get("STARTED")
        fields = started.arg.split() if started is not None else []
        if len(fields) != 2 or not all(f.isdigit() for f in fields):
            detail = by_name["LAUNCH-FAILED"].arg if "LAUNCH-FAILED" in by_name else ""
            raise JupyterStartFailed(
                "launch_failed", redact(tail(f"{detail}\n{result.stderr}", 10))
            )
        log_path = by_name["LOG"].arg if "LOG" in by_name else ""
        return _Launch(int(fields[0]), int(fields[1]), log_path)

    def _wait_listed(self, launch: _Launch, started: float, deadline: float) -> JupyterServer:
        while True:
            scan = self._scan(watch_pid=launch.pid)
            for server in scan.servers:
                if server.port == launch.port:
                    return replace(server, app=self._spec.app)
            if scan.watch_alive is False:
                log_tail = self._log_tail(launch.log_path)
                if _PORT_TAKEN.search(log_tail):
                    raise _PortTaken()
                raise JupyterStartFailed(
                    "app_missing" if _APP_MISSING.search(log_tail) else "exited",
                    log_tail,
                    launch.log_path,
                    self._clock() - started,
                    self._spec.workdir,
                )
            if self._clock() >= deadline:
                # left running: if it comes up later, the next connect finds it
                raise JupyterStartFailed(
                    "timeout",
                    self._log_tail(launch.log_path),
                    launch.log_path,
                    self._start_timeout,
                    self._spec.workdir,
                )
            self._sleep(self._poll_interval)

    def _log_tail(self, log_path: str, lines: int = 40) -> str:
        if not log_path:
            return ""
        try:
            result = run_script(
                self._runner,
                f"tail -n {int(lines)} {shlex.quote(log_path)} 2>/dev/null\n",
                timeout=self._command_timeout,
                label="jupyter log",
            )
        except RemoteCommandTimeout:
            return ""
        return redact(result.stdout.strip())

    # --- watching -----------------------------------------------------------------------

    def is_alive(self, server: JupyterServer) -> bool:
        """Does the server still run and answer on the server side? (Tells "Jupyter
        is down" from "the tunnel is down".) A timeout counts as alive (it is slow,
        not proven gone); SessionLost propagates."""
        script = _FIND_ANY_PY
        if server.pid is not None:
            script += f'kill -0 {server.pid} 2>/dev/null || {{ echo "@@LT:DEAD"; exit 0; }}\n'
        script += f"LT_TOKEN={shlex.quote(server.token)}\n" + self._http_call(
            server, server.base_url + "api/status", "GET"
        )
        try:
            result = run_script(
                self._runner, script, timeout=self._command_timeout, label="jupyter status"
            )
        except RemoteCommandTimeout:
            log.warning("is_alive check of Jupyter port %s timed out", server.port)
            return True
        by_name = {s.name: s for s in sections(result.stdout)}
        if "DEAD" in by_name:
            return False
        if "NOPY" in by_name:
            return server.pid is not None
        if "HTTP" not in by_name:
            raise _failed("jupyter status", result, secrets=(server.token,))
        return _answers(by_name["HTTP"].arg, server)

    def probe_local(self, local_port: int, server: JupyterServer, timeout: float) -> bool:
        """GET ``{base_url}api/status`` through the local forward: True when Jupyter
        answers (200 with the token; any answer for a password-only server)."""
        status = http_status(
            "127.0.0.1",
            local_port,
            server.base_url + "api/status",
            server.token,
            timeout,
            secure=server.secure,
        )
        return _answers(str(status), server)

    # --- stopping -----------------------------------------------------------------------

    def stop(self, server: JupyterServer) -> StopOutcome:
        """Shut ``server`` down: REST /api/shutdown with its token, run on the
        server, then SIGTERM, then SIGKILL. Only a server listed for this user
        (same pid and port) is touched; otherwise returns NOT_RUNNING."""
        listed = next((s for s in self.list_servers() if _same_server(s, server)), None)
        if listed is None:
            self._forget(server)
            return StopOutcome.NOT_RUNNING
        script = _FIND_ANY_PY + f"LT_TOKEN={shlex.quote(listed.token)}\n"
        script += self._http_call(listed, listed.base_url + "api/shutdown", "POST")
        if listed.pid is not None:
            script += _STOP_WAIT.format(pid=int(listed.pid), rest_ticks=75, term_ticks=50)
        result = run_script(
            self._runner, script, timeout=self._command_timeout + 35, label="jupyter stop"
        )
        by_name = {s.name: s for s in sections(result.stdout)}
        if listed.pid is None:
            outcome = self._wait_unlisted(listed)
        elif "GONE" in by_name:
            outcome = StopOutcome(by_name["GONE"].arg.strip())
        elif "NOT-JUPYTER" in by_name:
            raise JupyterStopFailed(listed.pid, listed.port, "pid_is_not_jupyter")
        else:
            http = by_name["HTTP"].arg if "HTTP" in by_name else "-"
            raise JupyterStopFailed(listed.pid, listed.port, f"still_running http={http}")
        self._forget(listed)
        log.info("stopped Jupyter pid %s port %s (%s)", listed.pid, listed.port, outcome.value)
        return outcome

    def _wait_unlisted(self, server: JupyterServer) -> StopOutcome:
        deadline = self._clock() + 15.0
        while self._clock() < deadline:
            if not any(_same_server(s, server) for s in self.list_servers()):
                return StopOutcome.REST
            self._sleep(self._poll_interval)
        raise JupyterStopFailed(server.pid, server.port, "still_listed")

    def _forget(self, server: JupyterServer) -> None:
        if self._remembered is not None:
            self._remembered.forget(
                self._profile_id, only=RememberedServer(server.pid, server.port, 0.0)
            )

    @staticmethod
    def _http_call(server: JupyterServer, path: str, method: str) -> str:
        return _HTTP_CALL.format(
            snippet=shlex.quote(_HTTP_SNIPPET),
            host=shlex.quote(server.host),
            port=int(server.port),
            path=shlex.quote(path),
            scheme=server.scheme,
            method=method,
        )


# --- helpers ------------------------------------------------------------------------------


def http_status(
    host: str,
    port: int,
    path: str,
    token: str,
    timeout: float,
    *,
    secure: bool = False,
) -> int:
    """Status of a GET with ``Authorization: token``; 0 when there is no answer.

    The Host header says 127.0.0.1: Jupyter refuses other hosts (DNS rebinding
    protection), and that is what a browser on the forward sends.
    """
    conn: http.client.HTTPConnection
    if secure:
        # the transport is the SSH tunnel; a user's https server has a self-made cert
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        conn = http.client.HTTPSConnection(host, port, timeout=timeout, context=context)
    else:
        conn = http.client.HTTPConnection(host, port, timeout=timeout)
    headers = {"Host": f"127.0.0.1:{port}"}
    if token:
        headers["Authorization"] = f"token {token}"
    try:
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        response.read()
        return response.status
    except (OSError, http.client.HTTPException):
        return 0
    finally:
        conn.close()


def _answers(status_text: str, server: JupyterServer) -> bool:
    fields = status_text.split()
    status = int(fields[0]) if fields and fields[0].isdigit() else 0
    if server.token:
        return status == 200
    return 0 < status < 500


def _same(server: JupyterServer, remembered: RememberedServer) -> bool:
    if server.port != remembered.port:
        return False
    return remembered.pid is None or server.pid is None or server.pid == remembered.pid


def _same_server(listed: JupyterServer, wanted: JupyterServer) -> bool:
    if listed.port != wanted.port or listed.host != wanted.host:
        return False
    return wanted.pid is None or listed.pid == wanted.pid


def _app(value: str) -> JupyterApp | None:
    try:
        return JupyterApp(value)
    except ValueError:
        return None


def _failed(what: str, result: CommandResult, secrets: Iterable[str] = ()) -> RemoteCommandFailed:
    return RemoteCommandFailed(what, result.exit_status, redact(tail(result.stderr, 5), secrets))


def _ignore(_step: str) -> None:
    pass

"""Find, start, reuse and stop the user's own Jupyter server on the lab server.

Everything runs as small POSIX scripts (``scripts/``) on the server, in the environment
the user's own terminal has there (:func:`labtunnel.core.ssh.remote.run_script`). Rules
this module keeps:

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

import logging
import re
import shlex
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from labtunnel.core.errors import (
    JupyterEnvUnsafe,
    JupyterStartFailed,
    JupyterStartProblem,
    JupyterStopFailed,
    LabTunnelError,
    RemoteCommandTimeout,
)
from labtunnel.core.events import TunnelStep
from labtunnel.core.jupyter.env import env_prologue
from labtunnel.core.jupyter.parsing import (
    APP_MISSING,
    PORT_TAKEN,
    SOCK_UNKNOWN,
    ScanResult,
    command_failed,
    first_arg,
    parse_scan,
    raise_not_found,
    redact,
)
from labtunnel.core.jupyter.scripts import script, source
from labtunnel.core.jupyter.server import (
    JupyterServer,
    LaunchInfo,
    StopOutcome,
    answers,
    http_status,
)
from labtunnel.core.jupyter.sockets import SocketFallback, UnixSocketOpener, socket_reachable
from labtunnel.core.profiles.model import JupyterApp, JupyterSpec
from labtunnel.core.profiles.remembered import RememberedServer, RememberedServers
from labtunnel.core.ssh.remote import RemoteRunner, Section, run_script, shell_path, tail

if TYPE_CHECKING:
    from labtunnel.core.jupyter.prelaunch import LaunchPlan

log = logging.getLogger(__name__)

Progress = Callable[[TunnelStep], None]
Warn = Callable[[LabTunnelError], None]

#: where started servers write their (private) logs, as a shell word
LOG_DIR = '"$HOME"/.local/share/labtunnel'
#: how many times a start is retried when another process took the picked port
START_ATTEMPTS = 3


@dataclass(frozen=True)
class _Launch:
    pid: int
    port: int
    log_path: str
    app: JupyterApp
    sock: str = ""


class _PortTaken(Exception):
    pass


class _NoSock(Exception):
    """The Jupyter just launched does not know --sock."""


# --- the manager --------------------------------------------------------------------------


class JupyterManager:
    """The user's Jupyter servers on one SSH session, for one profile.

    Raises JupyterNotFound, JupyterStartFailed, JupyterStopFailed,
    RemoteCommandFailed, and the runner's RemoteCommandTimeout / SessionLost.
    ``on_warning`` hears what is worth telling but stops nothing (JupyterEnvUnsafe),
    once per manager.
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
        on_warning: Warn | None = None,
        sockets: UnixSocketOpener | None = None,
    ) -> None:
        self._runner = runner
        #: opens channels to Unix sockets (the SSH session): servers LabTunnel starts
        #: listen on a private socket when it can; None: on TCP, as before
        self._sockets = sockets
        self._spec = spec
        self._remembered = remembered
        self._profile_id = profile_id
        self._command_timeout = command_timeout
        self._start_timeout = start_timeout
        self._poll_interval = poll_interval
        self._clock = clock
        self._sleep = sleep
        self._wall_clock = wall_clock
        self._on_warning = on_warning
        self._warned: set[str] = set()

    @property
    def log_name(self) -> str:
        safe = re.sub(r"[^A-Za-z0-9_.-]", "_", self._profile_id)[:64] or "profile"
        return f"jupyter-{safe}.log"

    # --- finding ------------------------------------------------------------------------

    def list_servers(self) -> list[JupyterServer]:
        """The user's running servers, most recently started first."""
        return list(self._scan().servers)

    def find(self) -> JupyterServer | None:
        """The server this profile started last if it still runs, else the most recent
        (one on a Unix socket only when this session can reach it)."""
        servers, skipped = self._reachable(self.list_servers())
        remembered = self._remembered.get(self._profile_id) if self._remembered else None
        if remembered is not None:
            for server in servers:
                if _same(server, remembered):
                    return replace(server, app=_app(remembered.app), skipped_socket=skipped)
            assert self._remembered is not None
            self._remembered.forget(self._profile_id, only=remembered)
        return replace(servers[0], skipped_socket=skipped) if servers else None

    def _reachable(
        self, servers: list[JupyterServer]
    ) -> tuple[list[JupyterServer], SocketFallback | None]:
        if self._sockets is None:
            return servers, None
        reachable: list[JupyterServer] = []
        skipped: SocketFallback | None = None
        for server in servers:
            why = socket_reachable(self._sockets, server.sock) if server.sock else None
            if why is None:
                reachable.append(server)
            else:
                log.warning(
                    "Jupyter pid %s on a Unix socket is out of reach: %s", server.pid, why.value
                )
                skipped = skipped or why
        return reachable, skipped

    def find_or_start(self, on_progress: Progress | None = None) -> JupyterServer:
        server = self.find()
        if server is not None:
            log.info("using running Jupyter pid %s port %s", server.pid, server.port)
            return server
        return self.start(on_progress)

    def _scan(self, watch_pid: int | None = None) -> ScanResult:
        text = env_prologue(self._spec.env, activate=False) + source("scan")
        if watch_pid is not None:
            text += script("watch", lt_watch_pid=int(watch_pid))
        result = run_script(self._runner, text, timeout=self._command_timeout, label="jupyter list")
        found = result.sections()
        try:
            scan = parse_scan(found, self._spec.env)
        except ValueError:
            raise command_failed("jupyter list", result) from None
        self._note(found)
        return scan

    def _note(self, found: list[Section]) -> None:
        """Log how Jupyter was found; warn (once) about an environment others can change."""
        shell = first_arg(found, "SHELL")
        place = first_arg(found, "KNOWN-PLACE")
        if "shell" not in self._warned:
            self._warned.add("shell")
            log.info(
                "login shell on the server: %s%s",
                shell or "-",
                f"; Jupyter in {place}" if place else "",
            )
        unsafe = first_arg(found, "UNSAFE")
        if unsafe and "unsafe" not in self._warned:
            self._warned.add("unsafe")
            log.warning(
                "Jupyter environment %r: %s can be changed by others", self._spec.env, unsafe
            )
            if self._on_warning is not None:
                self._on_warning(JupyterEnvUnsafe(unsafe, self._spec.env))

    # --- starting -----------------------------------------------------------------------

    def start(self, on_progress: Progress | None = None) -> JupyterServer:
        """Start a new server for this profile and wait until it is listed."""
        progress = on_progress or _ignore
        progress(TunnelStep.STARTING_JUPYTER)
        started = self._clock()
        deadline = started + self._start_timeout
        # only a start needs the socket folder and the GPUs (a connect that finds its
        # Jupyter running does not pay for these imports)
        from labtunnel.core.jupyter.prelaunch import plan_launch

        plan = plan_launch(self._runner, self._sockets, self._spec.gpu, profile_id=self._profile_id)
        for _attempt in range(START_ATTEMPTS):
            launch = self._launch(plan)
            log.info("launched Jupyter pid %s port %s", launch.pid, launch.port)
            progress(TunnelStep.WAITING_JUPYTER)
            try:
                server = self._wait_listed(launch, started, deadline)
            except _PortTaken:
                log.info("port %s was taken before Jupyter bound it; retrying", launch.port)
                continue
            except _NoSock:
                log.warning("this Jupyter has no --sock: starting it on TCP instead")
                plan = plan.on_tcp(SocketFallback.JUPYTER_TOO_OLD)
                continue
            server = replace(server, launch=LaunchInfo(plan.listen.fallback, plan.gpu))
            if self._remembered is not None:
                self._remembered.remember(
                    self._profile_id,
                    RememberedServer(server.pid, server.port, self._wall_clock(), launch.app.value),
                )
            log.info("Jupyter ready after %.1f s", self._clock() - started)
            return server
        raise JupyterStartFailed(JupyterStartProblem.LAUNCH_FAILED, "port taken on every attempt")

    def _launch(self, plan: LaunchPlan) -> _Launch:
        cuda = plan.gpu.visible_devices
        text = env_prologue(self._spec.env, activate=True) + script(
            "start",
            lt_workdir=shell_path(self._spec.workdir),
            lt_log_dir=LOG_DIR,
            lt_log_name=shlex.quote(self.log_name),
            lt_app=self._spec.app.value,
            lt_sock=shlex.quote(plan.listen.socket_path),
            lt_cuda_set=int(cuda is not None),
            lt_cuda=shlex.quote(cuda or ""),
        )
        result = run_script(
            self._runner, text, timeout=self._command_timeout, label="jupyter start"
        )
        found = result.sections()
        raise_not_found(found, self._spec.env)
        self._note(found)
        by_name = {s.name: s for s in found}
        if "WORKDIR-MISSING" in by_name:
            raise JupyterStartFailed(
                JupyterStartProblem.WORKDIR_MISSING, workdir=self._spec.workdir or "~"
            )
        if "NO-PYTHON" in by_name:
            raise JupyterStartFailed(JupyterStartProblem.NO_PYTHON)
        if "LOG-DIR-UNSAFE" in by_name:
            raise JupyterStartFailed(
                JupyterStartProblem.LOG_DIR_UNSAFE, log_path=by_name["LOG-DIR-UNSAFE"].arg
            )
        started = by_name.get("STARTED")
        fields = started.arg.split() if started is not None else []
        if len(fields) != 2 or not all(f.isdigit() for f in fields):
            detail = by_name["LAUNCH-FAILED"].arg if "LAUNCH-FAILED" in by_name else ""
            raise JupyterStartFailed(
                JupyterStartProblem.LAUNCH_FAILED, redact(tail(f"{detail}\n{result.stderr}", 10))
            )
        log_path = by_name["LOG"].arg if "LOG" in by_name else ""
        app = _app(first_arg(found, "APP")) or JupyterApp.LAB
        log.info("starting Jupyter %s", app.value)
        return _Launch(int(fields[0]), int(fields[1]), log_path, app, plan.listen.socket_path)

    def _wait_listed(self, launch: _Launch, started: float, deadline: float) -> JupyterServer:
        while True:
            scan = self._scan(watch_pid=launch.pid)
            for server in scan.servers:
                if (server.sock, server.port) == (launch.sock, launch.port):
                    return replace(server, app=launch.app)
                if launch.sock and server.pid == launch.pid:
                    self.stop(server)  # it ignored --sock and took a port: not that one
                    raise _NoSock()
            if scan.watch_alive is False:
                log_tail = self._log_tail(launch.log_path)
                if launch.sock and SOCK_UNKNOWN.search(log_tail):
                    raise _NoSock()
                if PORT_TAKEN.search(log_tail):
                    raise _PortTaken()
                raise JupyterStartFailed(
                    JupyterStartProblem.APP_MISSING
                    if APP_MISSING.search(log_tail)
                    else JupyterStartProblem.EXITED,
                    log_tail,
                    launch.log_path,
                    self._clock() - started,
                    self._spec.workdir,
                    app=launch.app.value,
                )
            if self._clock() >= deadline:
                # left running: if it comes up later, the next connect finds it
                raise JupyterStartFailed(
                    JupyterStartProblem.TIMEOUT,
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
                f'echo "${{lt_m}}TAIL"\ntail -n {int(lines)} {shlex.quote(log_path)} 2>/dev/null\n',
                timeout=self._command_timeout,
                label="jupyter log",
            )
        except RemoteCommandTimeout:
            return ""
        tail_section = next((s for s in result.sections() if s.name == "TAIL"), None)
        return redact(tail_section.text.strip()) if tail_section else ""

    # --- watching -----------------------------------------------------------------------

    def is_alive(self, server: JupyterServer) -> bool:
        """Does the server still run and answer on the server side? (Tells "Jupyter
        is down" from "the tunnel is down".) A timeout counts as alive (it is slow,
        not proven gone); SessionLost propagates."""
        text = script(
            "functions", "any_python", "alive", lt_pid="" if server.pid is None else server.pid
        ) + self._http_call(server, server.base_url + "api/status", "GET")
        try:
            result = run_script(
                self._runner, text, timeout=self._command_timeout, label="jupyter status"
            )
        except RemoteCommandTimeout:
            log.warning("is_alive check of Jupyter port %s timed out", server.port)
            return True
        by_name = {s.name: s for s in result.sections()}
        if "DEAD" in by_name:
            return False
        if "NOPY" in by_name:
            return server.pid is not None
        if "HTTP" not in by_name:
            raise command_failed("jupyter status", result, secrets=(server.token,))
        return answers(by_name["HTTP"].arg, server)

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
        return answers(str(status), server)

    # --- stopping -----------------------------------------------------------------------

    def stop(self, server: JupyterServer) -> StopOutcome:
        """Shut ``server`` down: REST /api/shutdown with its token, run on the
        server, then SIGTERM, then SIGKILL. Only a server listed for this user
        (same pid and port) is touched; otherwise returns NOT_RUNNING."""
        listed = next((s for s in self.list_servers() if _same_server(s, server)), None)
        if listed is None:
            self._forget(server)
            return StopOutcome.NOT_RUNNING
        text = script("functions", "any_python")
        text += self._http_call(listed, listed.base_url + "api/shutdown", "POST")
        if listed.pid is not None:
            text += script("stop_wait", lt_pid=int(listed.pid), lt_rest_ticks=75, lt_term_ticks=50)
        result = run_script(
            self._runner, text, timeout=self._command_timeout + 35, label="jupyter stop"
        )
        by_name = {s.name: s for s in result.sections()}
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
        """A request to ``server`` made on the server, its token only inside the script."""
        return script(
            "http_call",
            LT_TOKEN=shlex.quote(server.token),
            lt_http_snippet=shlex.quote(source("http_request.py")),
            # a Unix socket's path, or the host
            lt_http_host=shlex.quote(server.sock or server.host),
            lt_http_port=int(server.port),
            lt_http_path=shlex.quote(path),
            lt_http_scheme=server.scheme,
            lt_http_method=method,
        )


# --- helpers ------------------------------------------------------------------------------


def _same(server: JupyterServer, remembered: RememberedServer) -> bool:
    # a server on a socket has port 0 (and so has what was remembered of it)
    if server.port != remembered.port:
        return False
    return remembered.pid is None or server.pid is None or server.pid == remembered.pid


def _same_server(listed: JupyterServer, wanted: JupyterServer) -> bool:
    if (listed.port, listed.host, listed.sock) != (wanted.port, wanted.host, wanted.sock):
        return False
    return wanted.pid is None or listed.pid == wanted.pid


def _app(value: str) -> JupyterApp | None:
    """The app a server runs: lab or notebook (never auto; None when unknown)."""
    try:
        app = JupyterApp(value)
    except ValueError:
        return None
    return None if app is JupyterApp.AUTO else app


def _ignore(_step: TunnelStep) -> None:
    pass

"""One tunnel per profile: connect, find or start Jupyter, forward, watch, reconnect.

Each tunnel runs in its own worker thread and reports every change as a frozen
TunnelStatus to the listener (on that worker thread). The local forwarder is
created once and kept across reconnects, so the browser's URL never changes; so are
the profile's extra forwards (:mod:`labtunnel.core.tunnel.extras`), whose states
(answering or not) come in the same TunnelStatus, re-sent while connected when one
changes.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import paramiko

from labtunnel.core.errors import (
    ForwardingRefused,
    ForwardRefusal,
    LabTunnelError,
    LocalPortDenied,
    LocalPortInUse,
    NetworkError,
    SessionLost,
    SlurmJobEnded,
    SocketForwardingRefused,
)
from labtunnel.core.events import (
    Event,
    JobEndingSoon,
    JobStatus,
    JupyterStopped,
    Listener,
    TunnelState,
    TunnelStatus,
    TunnelStep,
    TunnelWarning,
)
from labtunnel.core.jupyter.launch import JupyterLauncher, launcher_for
from labtunnel.core.jupyter.server import (
    Destination,
    JupyterServer,
    UnixSocket,
    answers,
    http_status,
)
from labtunnel.core.profiles.model import HostProfile, JupyterSpec, RemoteForward, validate_profile
from labtunnel.core.profiles.remembered import RememberedServers
from labtunnel.core.profiles.secrets import SecretStore
from labtunnel.core.profiles.store import ProfileStore
from labtunnel.core.ssh.auth import Prompter
from labtunnel.core.ssh.cancel import CancelToken
from labtunnel.core.ssh.hops import hops_for, open_chain
from labtunnel.core.ssh.hostkeys import HostKeyStore
from labtunnel.core.ssh.remote import RemoteRunner
from labtunnel.core.ssh.session import SshSession
from labtunnel.core.tunnel.extras import ExtraForwards
from labtunnel.core.tunnel.forwarder import ForwardLimits, LocalForwarder
from labtunnel.core.tunnel.known import KnownServers
from labtunnel.core.tunnel.reconnect import ReconnectPolicy

if TYPE_CHECKING:
    from labtunnel.core.jupyter.launch.slurm import SlurmLauncher  # Slurm profiles only
    from labtunnel.core.tunnel.ahead import LoginsAhead, Prepared  # the tray's

log = logging.getLogger(__name__)

SessionOpener = Callable[..., SshSession]

#: where the forwarding probe goes when no Jupyter port is known yet: nothing listens
#: there, and an allowed forward is told from a forbidden one by sshd's refusal code
PROBE_PORT = 1
#: how long a connect waits for Jupyter where it was known to be, before it asks the
#: server where it is now (nothing listening there is told at once; this is for a port
#: that something else holds without answering)
KNOWN_PROBE_TIMEOUT = 3.0


@dataclass
class TunnelDeps:
    """Everything a tunnel needs, passed in so tests can use real or fake parts."""

    store: ProfileStore
    secrets: SecretStore
    hostkeys: HostKeyStore
    remembered: RememberedServers
    prompter: Prompter | None = None
    open_session: SessionOpener = open_chain
    policy: ReconnectPolicy = field(default_factory=ReconnectPolicy)
    rng: random.Random = field(default_factory=random.Random)
    clock: Callable[[], float] = time.monotonic
    wall_clock: Callable[[], float] = time.time
    #: the Jupyter servers this app's tunnels reached (in memory only): a connect tries
    #: the last one first, with one request through the tunnel
    known: KnownServers = field(default_factory=KnownServers)
    #: logins made when the tray's menu opened; None: every connect logs in itself
    ahead: LoginsAhead | None = None


class _Stop(Exception):
    """Raised inside the worker when the user asked to stop."""


class Tunnel:
    def __init__(self, profile: HostProfile, deps: TunnelDeps, listener: Listener) -> None:
        self.profile = profile
        self._deps = deps
        self._listener = listener
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stop_requested = False
        #: stops a connect under way the moment stop() is called
        self._cancel = CancelToken()
        self._stop_jupyter_requested = False
        self._restart_jupyter_requested = False
        self._session: SshSession | None = None
        self._forwarder: LocalForwarder | None = None
        self._extras = ExtraForwards(
            profile.id,
            profile.forwards,
            deps.remembered,
            self._open_extra_channel,
            on_change=self._wake.set,
            thread_name=f"fwd-{profile.name[:8]}-x",
            limits=ForwardLimits(profile.max_connections, profile.max_channel_opens),
        )
        self._jupyter: JupyterLauncher | None = None
        self._server: JupyterServer | None = None
        self._destination: Destination | None = None
        self._was_connected = False
        #: a Slurm job for this tunnel is known: losing the session while it waits in
        #: the queue is worth reconnecting for (the job is found again)
        self._job_known = False
        #: the Slurm job ended and no new one was asked for: a reconnect must not submit
        self._job_over: SlurmJobEnded | None = None
        self._job_checked = 0.0
        self._job_warned: int | None = None
        self._cancel_thread: threading.Thread | None = None
        self._cancel_error: LabTunnelError | None = None
        #: warnings already told (once per tunnel, not once per reconnect)
        self._warned: set[str] = set()
        self._warnings: list[LabTunnelError] = []
        self._finished = False
        self._status = TunnelStatus(profile.id, profile.name, TunnelState.DISCONNECTED)
        self._thread = threading.Thread(
            target=self._run, name=f"tunnel-{profile.name[:20]}", daemon=True
        )

    # --- commands (any thread) --------------------------------------------------------

    def start(self) -> None:
        self._thread.start()

    def stop(self, stop_jupyter: bool = False) -> None:
        with self._lock:
            self._stop_requested = True
            self._stop_jupyter_requested = self._stop_jupyter_requested or stop_jupyter
        self._wake.set()
        if stop_jupyter:
            self._cancel_job_now()
            return  # stopping Jupyter needs the session (and a connect under way)
        # returns at once: a connect under way is stopped where it waits (socket,
        # handshake, login, one-time code), a live session's socket is shut down; the
        # worker thread does the closing that waits for threads
        self._cancel.cancel()
        session = self._session
        if session is not None:
            session.abort()

    def start_jupyter_again(self) -> None:
        with self._lock:
            self._restart_jupyter_requested = True
        self._wake.set()

    def network_changed(self) -> None:
        session = self._session
        if session is not None:
            session.notify_resumed()
        self._wake.set()

    def join(self, timeout: float) -> bool:
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(timeout)
        return not self._thread.is_alive()

    @property
    def status(self) -> TunnelStatus:
        return self._status

    @property
    def session(self) -> SshSession | None:
        return self._session

    @property
    def jupyter_server(self) -> JupyterServer | None:
        """The user's Jupyter this tunnel goes to (None before it is found, or for a
        fixed remote address)."""
        return self._server

    @property
    def glance_runner(self) -> RemoteRunner | None:
        """Where the server at a glance is read: the session, or for Jupyter in a Slurm
        job the job's node (the login node's figures would mislead)."""
        session = self._session
        slurm = self._slurm()
        if session is not None and slurm is not None:
            return slurm.runner_in_job()
        return session

    @property
    def is_running(self) -> bool:
        """Started and not yet finished (its last event may still be on its way)."""
        return self._thread.is_alive() and not self._finished

    @property
    def _slurm_profile(self) -> bool:
        target = self.profile.target
        return isinstance(target, JupyterSpec) and target.slurm is not None

    def _slurm(self) -> SlurmLauncher | None:
        """The launcher when Jupyter runs in a Slurm job. (The Slurm code is loaded only
        for such a profile: `labtunnel connect` to a server starts faster without it.)"""
        if not self._slurm_profile:
            return None
        from labtunnel.core.jupyter.launch.slurm import SlurmLauncher

        return self._jupyter if isinstance(self._jupyter, SlurmLauncher) else None

    # --- worker -----------------------------------------------------------------------

    def _emit(self, state: TunnelState, **changes: object) -> None:
        slurm = self._slurm()
        status = TunnelStatus(
            self.profile.id,
            self.profile.name,
            state,
            local_port=self._forwarder.port if self._forwarder else None,
            was_connected=self._was_connected,
            jupyter=self._server.details() if self._server is not None else None,
            job=slurm.job if slurm is not None else None,
            forwards=self._extras.statuses(),
        )
        self._status = replace(status, **changes)  # type: ignore[arg-type]
        deliver(self._listener, self._status)

    def _check_stop(self) -> None:
        if self._stop_requested:
            raise _Stop

    def _run(self) -> None:
        final: dict[str, object] = {"state": TunnelState.DISCONNECTED}
        try:
            final = self._loop()
        except _Stop:
            self._stop_jupyter_if_asked()
        except Exception as error:  # a bug must not leave the tray thinking we connect
            log.exception("%s: unexpected failure", self.profile.name)
            final = {"state": TunnelState.FAILED, "error": LabTunnelError(type(error).__name__)}
        finally:
            self._close_session()
            self._close_forwarder()
            self._extras.close()
            # only now: a front end may connect again as soon as it hears this
            self._finished = True
            state = final.pop("state")
            assert isinstance(state, TunnelState)
            self._emit(state, **final)

    def _loop(self) -> dict[str, object]:
        """Connect and reconnect until stopped (raises _Stop) or failed (returns)."""
        failures = 0  # failed attempts since the tunnel was last up
        lost_since = 0.0
        while True:
            self._check_stop()
            try:
                self._connect_once(failures)
                failures = 0
                self._watch()
            except LabTunnelError as error:
                self._close_session()
                self._check_stop()
                if error.permanent or not (self._was_connected or self._job_known):
                    return {"state": TunnelState.FAILED, "error": error, "attempt": failures}
                failures += 1
                if failures == 1:
                    lost_since = self._deps.clock()
                lost_for = self._deps.clock() - lost_since
                delay = self._deps.policy.delay(failures, lost_for, self._deps.rng)
                log.info(
                    "%s: lost (%s); retry %d in %.1f s",
                    self.profile.name,
                    type(error).__name__,
                    failures,
                    delay,
                )
                self._emit(
                    TunnelState.RECONNECTING,
                    error=error,
                    attempt=failures,
                    retry_in=round(delay, 2),
                )
                self._wait(delay)

    def _connect_once(self, attempt: int) -> None:
        profile = self.profile
        self._emit(TunnelState.CONNECTING, step=TunnelStep.CONNECTING, attempt=attempt)
        validate_profile(profile, self._deps.store.profiles(), check_files=False)
        hops = hops_for(profile, self._deps.secrets, self._deps.store.get)
        if self._was_connected:
            limit = self._deps.policy.reconnect_timeout
            hops = [
                (replace(ep, connect_timeout=min(ep.connect_timeout, limit)), creds)
                for ep, creds in hops
            ]
        ahead = self._deps.ahead
        prepared = None
        if ahead is not None and not self._was_connected:
            prepared = ahead.take(profile, hops, self._cancel)
        if prepared is not None:
            session = prepared.session
        else:
            session = self._deps.open_session(
                hops,
                self._deps.hostkeys,
                prompter=self._deps.prompter,
                on_step=lambda step: self._emit(TunnelState.CONNECTING, step=step, attempt=attempt),
                cancel=self._cancel,
            )
        self._session = session
        session.on_dead(self._wake.set)
        self._check_stop()
        target = profile.target
        if isinstance(target, JupyterSpec):
            self._emit(
                TunnelState.STARTING_JUPYTER, step=TunnelStep.FINDING_JUPYTER, attempt=attempt
            )
            self._jupyter = launcher_for(
                target,
                session,
                remembered=self._deps.remembered,
                profile_id=profile.id,
                profile_name=profile.name,
                on_job=lambda job: self._on_job(job, attempt),
                on_warning=self._warn,
                sockets=session,
            )
            if self._job_over is not None:
                # reconnected while the ended job waits for "Start a new job"
                self._emit(TunnelState.JOB_ENDED, error=self._job_over, attempt=attempt)
                self._wait_for_restart(session)
                self._job_over = None
            known = self._known_server(prepared)
            # where Jupyter is known to be is checked below, through the tunnel
            self._server = known or self._find(session, attempt)
            self._destination = self._server.destination
        else:
            known = None
            assert isinstance(target, RemoteForward)
            self._destination = (target.host, target.port)
            # fails now, with a clear reason, if forwarding is not allowed or nothing listens
            session.open_channel(self._destination, ("127.0.0.1", 0)).close()
        self._check_stop()
        self._job_checked = self._deps.clock()
        self._emit(TunnelState.CONNECTING, step=TunnelStep.FORWARDING, attempt=attempt)
        if self._forwarder is None:
            self._forwarder = self._start_forwarder()
        self._emit(TunnelState.CONNECTING, step=TunnelStep.CHECKING, attempt=attempt)
        if self._server is not None and self._jupyter is not None:
            self._check_found(session, known is not None, attempt)
        self._extras.start()
        self._extras.probe(lambda destination: self._probe_remote(session, destination))
        self._emit(TunnelState.CONNECTED, local_url=self.local_url)
        self._was_connected = True

    def _check_forwarding(self, session: SshSession) -> None:
        """A server with port forwarding turned off (DisableForwarding, AllowTcpForwarding
        no) would only show as "Jupyter does not answer" at the end, with a Jupyter
        started for nothing: ask sshd first, before anything runs there. sshd refuses a
        forward it does not allow as "prohibited" (raised); any other answer (nothing
        listens at the probe's address) means forwarding works. (Forwarding to a Unix
        socket, AllowStreamLocalForwarding, is checked before a Jupyter starts on one:
        core/jupyter/sockets.py; without it Jupyter starts on TCP.)"""
        remembered = self._deps.remembered.get(self.profile.id)
        port = remembered.port if remembered is not None and remembered.port else PROBE_PORT
        try:
            session.open_channel(("127.0.0.1", port), ("127.0.0.1", 0)).close()
        except ForwardingRefused as error:
            if error.reason is ForwardRefusal.PROHIBITED:
                raise

    def _warn(self, warning: LabTunnelError) -> None:
        key = f"{type(warning).__name__}:{warning}"
        if key not in self._warned:
            self._warned.add(key)
            self._warnings.append(warning)
            deliver(self._listener, TunnelWarning(self.profile.id, self.profile.name, warning))

    def _known_server(self, prepared: Prepared | None) -> JupyterServer | None:
        """Where this profile's Jupyter is, known without asking the server: found by the
        login made ahead, the one this tunnel reached before it reconnects, or the one
        the app's tunnels reached last (KnownServers). Not for a Slurm job's (Slurm is
        asked about the job), nor for a server without a token (see KnownServers)."""
        if self._slurm_profile:
            return None
        if prepared is not None and prepared.server is not None:
            told = prepared.warnings  # what its search found worth telling
            server: JupyterServer | None = prepared.server
        elif self._server is not None and self._server.token:
            return self._server
        else:
            server = self._deps.known.get(self.profile)
            told = self._deps.known.warnings(self.profile.id) if server is not None else ()
        for warning in told:
            self._warn(warning)
        return server

    def _find(self, session: SshSession, attempt: int) -> JupyterServer:
        """Ask the server for the user's Jupyter (started if none runs)."""
        assert self._jupyter is not None
        if not self._slurm_profile:
            self._check_forwarding(session)
        return self._jupyter.find_or_start(
            lambda step: self._emit(TunnelState.STARTING_JUPYTER, step=step, attempt=attempt)
        )

    def _check_found(self, session: SshSession, known: bool, attempt: int) -> None:
        """Does Jupyter answer through the new forward? One ``known`` without asking the
        server that does not is looked for on the server after all."""
        assert self._server is not None and self._jupyter is not None
        assert self._forwarder is not None
        port, server, jupyter = self._forwarder.port, self._server, self._jupyter
        if known:
            if jupyter.probe_local(port, server, KNOWN_PROBE_TIMEOUT):
                self._deps.known.answered(self.profile, server, self._warnings)
                return
            log.info("%s: Jupyter left port %s; looking for it", self.profile.name, server.port)
            self._deps.known.forget(self.profile.id, server)
            self._emit(
                TunnelState.STARTING_JUPYTER, step=TunnelStep.FINDING_JUPYTER, attempt=attempt
            )
            server = self._server = self._find(session, attempt)
            self._destination = server.destination
            self._emit(TunnelState.CONNECTING, step=TunnelStep.CHECKING, attempt=attempt)
        if not jupyter.probe_local(port, server, 10.0):
            where = server.sock or server.host
            raise ForwardingRefused(
                self.profile.host, where, server.port, ForwardRefusal.NOT_ANSWERING
            )
        self._deps.known.answered(self.profile, server, self._warnings)

    def _start_forwarder(self) -> LocalForwarder:
        """On the profile's port; with "any port", first on the one used last time,
        so a browser tab left open finds Jupyter again."""
        profile = self.profile
        remembered = self._deps.remembered
        wanted = profile.local_port or remembered.local_port(profile.id) or 0
        for port in dict.fromkeys((wanted, profile.local_port)):
            forwarder = LocalForwarder(
                self._open_channel,
                # the channel goes wherever _destination says at the time (a reconnect
                # may find Jupyter elsewhere); this is only the forwarder's label
                ("127.0.0.1", 0),
                local_port=port,
                name=f"fwd-{profile.name[:12]}",
                on_error=self._on_forward_error,
                limits=ForwardLimits(profile.max_connections, profile.max_channel_opens),
            )
            try:
                forwarder.start()
            except (LocalPortInUse, LocalPortDenied):
                if port == profile.local_port:
                    raise
                continue
            if not profile.local_port:
                remembered.remember_local_port(profile.id, forwarder.port)
            return forwarder
        raise AssertionError("unreachable: the last port tried is the profile's own")

    @property
    def local_url(self) -> str | None:
        if self._forwarder is None:
            return None
        if self._server is not None:
            return self._server.local_url(self._forwarder.port)
        return f"http://127.0.0.1:{self._forwarder.port}/"

    def _open_channel(
        self, destination: tuple[str, int], origin: tuple[str, int]
    ) -> paramiko.Channel:
        session = self._session
        if session is None or not session.is_alive():
            raise NetworkError(self.profile.host, self.profile.port, "tunnel is reconnecting")
        where = self._destination or destination
        if isinstance(where, UnixSocket):
            return session.open_unix_channel(where.path)
        return session.open_channel(where, origin)

    def _open_extra_channel(
        self, destination: tuple[str, int], origin: tuple[str, int]
    ) -> paramiko.Channel:
        session = self._session
        if session is None or not session.is_alive():
            raise NetworkError(self.profile.host, self.profile.port, "tunnel is reconnecting")
        return session.open_channel(destination, origin)

    @staticmethod
    def _probe_remote(session: SshSession, destination: tuple[str, int]) -> None:
        session.open_channel(destination, ("127.0.0.1", 0)).close()

    def _on_forward_error(self, error: Exception) -> None:
        log.warning("%s: a forwarded connection failed: %s", self.profile.name, error)
        gone = (
            isinstance(error, ForwardingRefused) and error.reason is ForwardRefusal.CONNECT_FAILED
        )
        if gone or isinstance(error, SocketForwardingRefused):
            self._wake.set()  # maybe Jupyter went away: check now

    def _on_job(self, job: JobStatus, attempt: int) -> None:
        """The Slurm job changed while it waits or starts (on this worker's thread)."""
        self._job_known = True
        self._check_stop()  # a stop request ends the wait (raises)
        if job.pending:
            self._emit(TunnelState.QUEUED, step=TunnelStep.QUEUED, attempt=attempt, job=job)
        else:
            self._emit(
                TunnelState.STARTING_JUPYTER, step=TunnelStep.JOB_STARTING, attempt=attempt, job=job
            )

    def _watch(self) -> None:
        """Wait while connected; return never, raise when the session or Jupyter is lost."""
        session = self._session
        assert session is not None
        interval = self._deps.policy.health_interval
        while True:
            checks = self._server is not None or bool(self._extras)
            timeout = interval if checks else None
            if timeout is not None and self._slurm() is not None:
                timeout = min(timeout, max(0.5, self._until_job_warning()))
            self._wake.wait(timeout)
            self._wake.clear()
            self._check_stop()
            if session.dead.is_set() or not session.is_alive():
                raise _session_lost(self.profile, session)
            if self._server is not None and self._jupyter is not None:
                self._check_jupyter(session)
            self._check_extras(session)

    def _check_extras(self, session: SshSession) -> None:
        """Each extra forward answering or not: reported, never a reason to reconnect."""
        if not self._extras:
            return
        self._extras.probe(lambda destination: self._probe_remote(session, destination))
        if self._extras.statuses() != self._status.forwards:
            self._emit(TunnelState.CONNECTED, local_url=self.local_url)

    def _until_job_warning(self) -> float:
        slurm = self._slurm()
        job = slurm.job if slurm is not None else None
        if job is None or job.ends_at is None or self._job_warned == job.job_id:
            return float("inf")
        return job.ends_at - self._deps.policy.job_warning - self._deps.wall_clock()

    def _check_job(self, launcher: SlurmLauncher) -> None:
        """Ask Slurm about the job now and then (raises SlurmJobEnded when it is over);
        warn once before its time limit."""
        now = self._deps.clock()
        if now - self._job_checked >= self._deps.policy.job_interval:
            self._job_checked = now
            before = launcher.job
            if launcher.refresh() != before:
                self._emit(TunnelState.CONNECTED, local_url=self.local_url)
        job = launcher.job
        if job is not None and self._job_warned != job.job_id and self._until_job_warning() <= 0:
            self._job_warned = job.job_id
            assert job.ends_at is not None
            left = max(0.0, job.ends_at - self._deps.wall_clock())
            deliver(self._listener, JobEndingSoon(self.profile.id, job.job_id, left))

    def _check_jupyter(self, session: SshSession) -> None:
        assert self._jupyter is not None and self._server is not None
        assert self._forwarder is not None
        try:
            slurm = self._slurm()
            if slurm is not None:
                self._check_job(slurm)
            if self._jupyter_answers(self._server, 5.0):
                self._deps.known.answered(self.profile, self._server, self._warnings)
                return
            if not session.is_alive():
                raise _session_lost(self.profile, session)
            if self._jupyter.is_alive(self._server):
                return  # slow, not gone
        except SlurmJobEnded as ended:
            self._job_ended(session, ended)
            return
        self._deps.known.forget(self.profile.id, self._server)
        self._emit(TunnelState.JUPYTER_DOWN)
        self._wait_for_restart(session)
        self._emit(TunnelState.STARTING_JUPYTER, step=TunnelStep.STARTING_JUPYTER)
        self._server = self._jupyter.find_or_start(
            lambda step: self._emit(TunnelState.STARTING_JUPYTER, step=step)
        )
        self._destination = self._server.destination
        self._emit(TunnelState.CONNECTED, local_url=self.local_url)

    def _jupyter_answers(self, server: JupyterServer, timeout: float) -> bool:
        """The check while connected: Jupyter's status asked over an SSH channel of its
        own. Through the local port it would wake the forward's loop and start a channel
        opener thread too: half an idle app's wake-ups (docs/benchmarks.md). An https
        Jupyter is asked through the local port (TLS wants a socket)."""
        assert self._forwarder is not None and self._jupyter is not None
        if server.secure:
            return self._jupyter.probe_local(self._forwarder.port, server, timeout)
        path = server.base_url + "api/status"
        port = self._forwarder.port
        status = http_status("127.0.0.1", port, path, server.token, timeout, stream=self._channel)
        return answers(str(status), server)

    def _channel(self) -> paramiko.Channel:
        """A channel to Jupyter; OSError when it cannot be had (a socket's failure)."""
        try:
            return self._open_channel(("127.0.0.1", 0), ("127.0.0.1", 0))
        except LabTunnelError as error:
            raise ConnectionError(type(error).__name__) from None

    def _job_ended(self, session: SshSession, ended: SlurmJobEnded) -> None:
        """The Slurm job is over: say why, and wait until the user asks for a new one
        ("Start a new job"). Never submits one by itself. The local port stays."""
        log.info("%s: Slurm job %s ended (%s)", self.profile.name, ended.job_id, ended.reason)
        self._job_over = ended
        self._emit(TunnelState.JOB_ENDED, error=ended)
        self._wait_for_restart(session)
        self._job_over = None
        slurm = self._slurm()
        assert slurm is not None
        self._emit(TunnelState.STARTING_JUPYTER, step=TunnelStep.SUBMITTING_JOB)
        self._server = slurm.find_or_start(
            lambda step: self._emit(TunnelState.STARTING_JUPYTER, step=step)
        )
        self._destination = self._server.destination
        self._job_checked = self._deps.clock()
        self._emit(TunnelState.CONNECTED, local_url=self.local_url)

    def _wait_for_restart(self, session: SshSession) -> None:
        while not self._restart_jupyter_requested:
            self._wake.wait()
            self._wake.clear()
            self._check_stop()
            if not session.is_alive():
                raise _session_lost(self.profile, session)
        with self._lock:
            self._restart_jupyter_requested = False

    def _wait(self, seconds: float) -> None:
        """Sleep until the retry, a stop or a network change, whichever comes first."""
        self._wake.wait(seconds)
        self._wake.clear()
        self._check_stop()

    def _cancel_job_now(self) -> None:
        """Stop on a Slurm job: ``scancel`` it at once, beside the worker (which may wait
        on the queue for seconds); the session is shared safely between threads."""
        launcher = self._slurm()
        if launcher is None or launcher.job is None:
            return
        if self._cancel_thread is not None or self._session is None:
            return

        def cancel() -> None:
            try:
                launcher.cancel()
            except LabTunnelError as exc:
                self._cancel_error = exc

        thread = threading.Thread(target=cancel, name="scancel", daemon=True)
        with self._lock:
            thread.start()
            self._cancel_thread = thread

    def _stop_jupyter_if_asked(self) -> None:
        if not self._stop_jupyter_requested:
            return
        error: LabTunnelError | None = None
        try:
            with self._lock:
                cancelling = self._cancel_thread
            if cancelling is not None:
                cancelling.join(30.0)
                error = self._cancel_error
            elif (slurm := self._slurm()) is not None:
                slurm.cancel()
            elif self._jupyter is not None and self._server is not None:
                self._deps.known.forget(self.profile.id)
                self._jupyter.stop(self._server)
        except LabTunnelError as exc:
            error = exc
        deliver(self._listener, JupyterStopped(self.profile.id, error))

    def _close_forwarder(self) -> None:
        forwarder, self._forwarder = self._forwarder, None
        if forwarder is None:
            return
        try:
            forwarder.close()
            if not forwarder.wait_closed(5.0):
                log.warning("%s: forwarder threads still running after 5 s", self.profile.name)
        except Exception:
            log.exception("%s: closing the forwarder failed", self.profile.name)

    def _close_session(self) -> None:
        session, self._session = self._session, None
        if session is not None:
            session.close()
            # closing fired on_dead -> wake; that must not cut the next backoff short
            self._wake.clear()


def _session_lost(profile: HostProfile, session: SshSession) -> NetworkError:
    return SessionLost(profile.host, profile.port, session.dead_reason or "closed")


def deliver(listener: Listener, event: Event) -> None:
    try:
        listener(event)
    except Exception:
        log.exception("event listener failed")

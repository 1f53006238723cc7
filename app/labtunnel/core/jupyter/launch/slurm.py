"""Jupyter in a Slurm batch job on a compute node, reached through the login node.

The profile connects to the cluster's login node; everything here runs there as small
scripts (``scripts/slurm_*.sh``) in the user's login shell. Slurm is the engine: this
module only drives ``sbatch``, ``squeue``, ``scancel`` and ``sinfo``.

- One job per profile and user: connect finds this user's LabTunnel job for the profile,
  pending or running (job comment ``labtunnel:PROFILE-ID:NONCE``, or from another
  computer the job name), else submits one, under a lock on the login node. Nothing ever
  submits a second job by itself.
- The job script goes to ``sbatch`` on stdin. Jupyter in the job makes its own token,
  listens on the node's cluster address on a port free there; LabTunnel reads address,
  port and token back from 0600 files in the user's home (which the nodes share). No
  secret is on a command line or in an environment.
- While the job waits, its queue state (Slurm's reason, its expected start) is reported
  through ``on_job``; once Jupyter answers, the tunnel forwards through the login node's
  SSH session to ``node-address:port``.
"""

from __future__ import annotations

import json
import logging
import re
import secrets
import shlex
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

from labtunnel.core.errors import (
    JobEnd,
    JupyterMissing,
    JupyterNotFound,
    JupyterStartFailed,
    JupyterStartProblem,
    RemoteCommandFailed,
    SlurmJobEnded,
    SlurmNotAvailable,
    SlurmRefusal,
    SlurmSubmitRefused,
)
from labtunnel.core.events import JobStatus, TunnelStep
from labtunnel.core.jupyter.env import command_tried, env_prologue
from labtunnel.core.jupyter.launch import slurm_parsing as sp
from labtunnel.core.jupyter.parsing import redact
from labtunnel.core.jupyter.scripts import script, source
from labtunnel.core.jupyter.server import (
    JupyterServer,
    StopOutcome,
    answers,
    http_status,
    server_from_info,
)
from labtunnel.core.profiles.model import JupyterApp, JupyterSpec
from labtunnel.core.profiles.slurm import SlurmJob
from labtunnel.core.ssh.remote import (
    MARKER_PREFIX,
    CommandResult,
    RemoteRunner,
    Section,
    run_script,
    sections,
    shell_path,
    tail,
)

log = logging.getLogger(__name__)

Progress = Callable[[TunnelStep], None]
JobListener = Callable[[JobStatus], None]

#: the folder on the cluster (shared by the nodes) for jobs' files, as a shell word
BASE_DIR = '"$HOME"/.local/share/labtunnel/slurm'
#: a watch call returns after at most this many 0.2 s ticks (then the tunnel looks again)
WATCH_TICKS = 50
#: how often (in ticks) the watch asks squeue; the job's files are looked at every tick
STATE_EVERY_TICKS = 5
#: how long a job that has ended may show COMPLETING before its final state is known
COMPLETING_WAIT = 60.0


def job_name(profile_name: str) -> str:
    """The job's name in ``squeue``: ``labtunnel-`` and the profile's name, made safe."""
    slug = re.sub(r"[^a-z0-9._-]+", "-", profile_name.strip().lower()).strip("-.")
    return f"labtunnel-{slug[:40] or 'jupyter'}"


@dataclass(frozen=True)
class LabTunnelJob:
    """One of the user's LabTunnel jobs, as ``labtunnel jupyter list`` shows it."""

    status: JobStatus
    name: str
    profile_id: str
    partition: str
    #: the submission's nonce (names its files)
    nonce: str = ""


class SlurmLauncher:
    """The profile's Jupyter in a Slurm job, over an SSH session to the login node.

    Raises SlurmNotAvailable, SlurmSubmitRefused, SlurmJobEnded, JupyterNotFound,
    JupyterStartFailed, RemoteCommandFailed and the runner's errors. ``on_job`` hears
    every change of the job while it waits and starts (on the caller's thread); an
    exception it raises (a stop request) ends the wait.
    """

    def __init__(
        self,
        runner: RemoteRunner,
        spec: JupyterSpec,
        *,
        profile_id: str,
        profile_name: str,
        on_job: JobListener | None = None,
        command_timeout: float = 20.0,
        wall_clock: Callable[[], float] = time.time,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        assert spec.slurm is not None, "a Slurm launcher needs a profile with a Slurm job"
        self._runner = runner
        self._spec = spec
        self._job_spec: SlurmJob = spec.slurm
        self._profile_id = profile_id
        self._name = job_name(profile_name)
        self._on_job = on_job
        self._command_timeout = command_timeout
        self._wall_clock = wall_clock
        self._clock = clock
        self._sleep = sleep
        self._job_id: int | None = None
        self._nonce = ""
        self._status: JobStatus | None = None
        self._cancelled = False

    @property
    def job(self) -> JobStatus | None:
        """The job followed now (None before one is found or submitted)."""
        return self._status

    def runner_in_job(self) -> RemoteRunner:
        """Where the server figures and the kernels are read: on the job's node."""
        if self._job_id is None:
            return self._runner
        return InJob(self._runner, self._job_id)

    # --- connect ------------------------------------------------------------------------

    def find_or_start(self, on_progress: Progress | None = None) -> JupyterServer:
        """This user's job for the profile if there is one, else a new one; returns once
        Jupyter in it is up. Waits as long as the job waits in the queue."""
        progress = on_progress or (lambda _step: None)
        progress(TunnelStep.SUBMITTING_JOB)
        job_id, nonce, submitted = self._find_or_submit()
        self._job_id, self._nonce = job_id, nonce
        log.info("%s Slurm job %s", "submitted" if submitted else "found", job_id)
        # its state comes with the first look (at once): nothing to tell before that
        self._status = JobStatus(job_id, "PENDING", partition=self._job_spec.partition)
        return self._wait_ready(job_id, nonce)

    def _find_or_submit(self) -> tuple[int, str, bool]:
        nonce = secrets.token_hex(6)
        result = run_script(
            self._runner,
            script(
                "slurm_functions",
                "slurm_submit",
                lt_base=BASE_DIR,
                lt_name=shlex.quote(self._name),
                lt_tag=shlex.quote(self._profile_id),
                lt_nonce=nonce,
                lt_job_script=shlex.quote(self.job_script(nonce)),
            ),
            timeout=self._command_timeout + 30,
            label="sbatch",
        )
        found = {s.name: s for s in result.sections()}
        if "NO-SLURM" in found:
            raise SlurmNotAvailable(self._host())
        if "SQUEUE-FAILED" in found:
            raise RemoteCommandFailed("squeue", 1, tail(found["SQUEUE-FAILED"].text, 5))
        if "LAUNCH-FAILED" in found:
            raise JupyterStartFailed(JupyterStartProblem.LAUNCH_FAILED, found["LAUNCH-FAILED"].arg)
        if "FOUND" in found:
            job_text, _, comment = found["FOUND"].arg.partition(" ")
            existing_nonce = sp.nonce_of(comment)
            if job_text.isdigit() and existing_nonce:
                return int(job_text), existing_nonce, False
        if "SUBMITTED" in found:
            job_id = sp.submitted_job_id(found["SUBMITTED"].text)
            if job_id is not None:
                return job_id, nonce, True
        if "SBATCH-FAILED" in found:
            reason, detail = sp.sbatch_refusal(found["SBATCH-FAILED"].text)
            unknown = reason is SlurmRefusal.UNKNOWN_PARTITION
            partitions = self._partition_names() if unknown else ()
            raise SlurmSubmitRefused(reason, detail, self._job_spec.partition, partitions)
        raise RemoteCommandFailed(
            "sbatch", result.exit_status, redact(tail(result.stdout + result.stderr, 5))
        )

    def job_script(self, nonce: str) -> str:
        """The batch script: #SBATCH lines, then the environment prologue and the body."""
        spec = self._spec
        options = [
            f"--job-name={self._name}",
            f"--comment=labtunnel:{self._profile_id}:{nonce}",
            "--no-requeue",  # a job that lost its node ends, and says so: it does not restart
            "--export=ALL",  # the login shell's environment (PATH, conda...) reaches the job
            "--nodes=1",
            "--ntasks=1",
            *self._job_spec.sbatch_options(),
        ]
        head = "#!/bin/sh\n" + "".join(f"#SBATCH {option}\n" for option in options)
        head += "# LabTunnel: Jupyter for one profile; see ~/.local/share/labtunnel/slurm\n"
        # the scripts are POSIX sh; the job runs them in bash where there is one
        head += (
            'if [ -z "${BASH_VERSION:-}" ] && command -v bash >/dev/null 2>&1; then '
            'exec bash "$0"; fi\n'
        )
        body = script(
            # the job's log is read back by later runs: its markers carry the job's nonce
            lt_m=shlex.quote(job_marker(nonce)),
            lt_base=BASE_DIR,
            lt_nonce=nonce,
            lt_workdir=shell_path(spec.workdir),
            lt_app=spec.app.value,
            lt_address_py=shlex.quote(source("slurm_address.py")),
            lt_config_py=shlex.quote(source("slurm_config.py")),
            lt_port_py=shlex.quote(source("slurm_port.py")),
        )
        return head + body + env_prologue(spec.env, activate=True) + source("slurm_job")

    # --- waiting --------------------------------------------------------------------------

    def _wait_ready(self, job_id: int, nonce: str) -> JupyterServer:
        known = ""
        while True:
            result = run_script(
                self._runner,
                script(
                    "slurm_watch",
                    lt_base=BASE_DIR,
                    lt_job=job_id,
                    lt_nonce=nonce,
                    lt_known=shlex.quote(known),
                    lt_ticks=WATCH_TICKS,
                    lt_state_every=STATE_EVERY_TICKS,
                ),
                timeout=self._command_timeout + WATCH_TICKS * 0.2 + 10,
                label="squeue",
            )
            found = result.sections()
            by_name = {s.name: s for s in found}
            if "READY" in by_name and "SERVER" in by_name:
                return self._ready(job_id, by_name["READY"], by_name["SERVER"])
            if "ENDED" in by_name:
                line = by_name["ENDED"].arg
                log_tail = _log_tail(by_name.get("LOG"))
                if line.startswith("COMPLETING"):
                    line = self._final_state(job_id, line)
                raise self._ended_at_start(job_id, line, log_tail, found)
            state = by_name.get("STATE")
            if state is None:
                raise RemoteCommandFailed(
                    "squeue", result.exit_status, redact(tail(result.stderr, 5))
                )
            known = state.arg.strip()
            if known.startswith("UNKNOWN"):
                log.warning("squeue failed while waiting for job %s: %s", job_id, known)
                self._sleep(2.0)
                continue
            self._on_state(job_id, known)

    def _on_state(self, job_id: int, text: str) -> None:
        try:
            line = sp.parse_queue_line(text)
        except ValueError:
            log.warning("unreadable squeue line for job %s: %r", job_id, text[:200])
            return
        if line.state == "PENDING" and line.reason in sp.NEVER_RUNS:
            # waiting cannot help: cancel it (nothing runs in it yet) and say what to change
            self.cancel()
            raise SlurmSubmitRefused(
                SlurmRefusal.NEVER_RUNS, line.reason, self._job_spec.partition, job_id=job_id
            )
        self._report(sp.job_status(job_id, line, self._wall_clock(), self._job_spec.partition))

    def _ready(self, job_id: int, info_section: Section, server_section: Section) -> JupyterServer:
        info = sp.parse_info(info_section.lines)
        try:
            data = json.loads(server_section.text)
        except ValueError:
            data = None
        server = server_from_info(data) if isinstance(data, dict) else None
        if server is None or info.get("job") not in ("", str(job_id), None):
            raise RemoteCommandFailed("squeue", 0, "the job's connection file is unreadable")
        address = info.get("address") or server.host
        # "auto": the job picked what the environment has; its default page shows it
        app = None if self._spec.app is JupyterApp.AUTO else self._spec.app
        server = replace(server, host=address, app=app)
        previous = self._status or JobStatus(job_id, "RUNNING")
        status = replace(
            previous,
            state="RUNNING",
            reason="",
            expected_start=None,
            node=info.get("node") or previous.node,
            gpu_ids=info.get("gpus", ""),
            gpu_count=previous.gpu_count or _count_ids(info.get("gpus", "")),
        )
        self._report(status)
        # the end of the time limit, from squeue: a fresh look now that it runs
        self.refresh()
        return server

    # --- while connected ---------------------------------------------------------------------

    def refresh(self) -> JobStatus:
        """Ask Slurm about the job now; raises SlurmJobEnded when it is over."""
        assert self._job_id is not None, "no job yet"
        job_id = self._job_id
        result = run_script(
            self._runner,
            script("slurm_status", lt_job=job_id, lt_base=BASE_DIR, lt_nonce=self._nonce),
            timeout=self._command_timeout,
            label="squeue",
        )
        by_name = {s.name: s for s in result.sections()}
        if "UNKNOWN" in by_name:
            # slurmctld did not answer: nothing learnt, the job is not proven gone
            log.warning("squeue failed for job %s: %s", job_id, by_name["UNKNOWN"].arg)
            return self._status or JobStatus(job_id, "UNKNOWN")
        state = by_name["STATE"].arg if "STATE" in by_name else ""
        if state.startswith("COMPLETING"):
            state = self._final_state(job_id, state)
        line = _line_or_none(state)
        if line is not None and line.active:
            previous = self._status
            status = sp.job_status(job_id, line, self._wall_clock(), self._job_spec.partition)
            if previous is not None:
                status = replace(status, gpu_ids=previous.gpu_ids or status.gpu_ids)
            self._status = status
            return status
        acct = by_name["SACCT"].arg if "SACCT" in by_name else ""
        raise self._ended(job_id, line, acct, _log_tail(by_name.get("LOG")))

    def _final_state(self, job_id: int, line: str) -> str:
        """A job shows COMPLETING while its node cleans up (up to KillWait, 30 s by
        default): wait for the state it ends in, which says why."""
        deadline = self._clock() + COMPLETING_WAIT
        while self._clock() < deadline:
            self._sleep(1.0)
            result = run_script(
                self._runner,
                script("slurm_status", lt_job=job_id, lt_base=BASE_DIR, lt_nonce=self._nonce),
                timeout=self._command_timeout,
                label="squeue",
            )
            by_name = {s.name: s for s in result.sections()}
            current = by_name["STATE"].arg if "STATE" in by_name else ""
            if not current.startswith("COMPLETING"):
                return current or line
        return line

    def _ended(
        self, job_id: int, line: sp.QueueLine | None, acct: str, log_tail: str
    ) -> SlurmJobEnded:
        acct_state, _, acct_reason = acct.partition("|")
        if line is not None:
            reason = sp.end_reason(line.state, line.reason)
            state = line.state
        elif acct_state:
            reason, state = sp.end_reason(acct_state, acct_reason), acct_state.split()[0]
        else:
            reason, state = JobEnd.UNKNOWN, ""
        node = line.nodes if line is not None else (self._status.node if self._status else "")
        self._status = replace(self._status or JobStatus(job_id, state), state=state or "ENDED")
        return SlurmJobEnded(job_id, reason, state, node, log_tail)

    def _ended_at_start(
        self, job_id: int, state: str, log_tail: str, found: list[Section]
    ) -> Exception:
        """Why a job ended before Jupyter answered: the markers its script left in its log."""
        markers = sections(log_tail, job_marker(self._nonce or ""))
        by_name = {s.name: s for s in markers}
        if "NOTFOUND" in by_name:
            return JupyterNotFound(
                command_tried(self._spec.env),
                self._spec.env,
                _missing(by_name["NOTFOUND"].arg),
                search_path=by_name["PATH"].arg if "PATH" in by_name else "",
                candidates=[s.arg for s in markers if s.name == "CANDIDATE"],
                job_id=job_id,
                log_tail=log_tail,
            )
        if "WORKDIR-MISSING" in by_name:
            return JupyterStartFailed(
                JupyterStartProblem.WORKDIR_MISSING, log_tail, workdir=self._spec.workdir or "~"
            )
        line = _line_or_none(state)
        ended = self._ended(job_id, line, "", log_tail)
        ended.at_start = True
        return ended

    # --- the JupyterLauncher interface -----------------------------------------------------

    def probe_local(self, local_port: int, server: JupyterServer, timeout: float) -> bool:
        status = http_status(
            "127.0.0.1",
            local_port,
            server.base_url + "api/status",
            server.token,
            timeout,
            secure=server.secure,
        )
        return answers(str(status), server)

    def is_alive(self, server: JupyterServer) -> bool:
        """True while the job runs; raises SlurmJobEnded (saying why) when it is over."""
        self.refresh()
        return True

    def stop(self, server: JupyterServer | None = None) -> StopOutcome:
        """``scancel`` the job: Jupyter, its kernels and unsaved work in them end."""
        return StopOutcome.TERM if self.cancel() else StopOutcome.NOT_RUNNING

    def cancel(self) -> bool:
        """Cancel the followed job (pending or running); False when there was none."""
        if self._job_id is None:
            return False
        if self._cancelled:
            return True
        cancel_job(self._runner, self._job_id, self._nonce, self._command_timeout)
        self._cancelled = True
        return True

    # --- helpers ------------------------------------------------------------------------------

    def _report(self, status: JobStatus) -> None:
        self._status = status
        if self._on_job is not None:
            self._on_job(status)

    def _host(self) -> str:
        return _host_of(self._runner)

    def _partition_names(self) -> tuple[str, ...]:
        try:
            return tuple(p.name for p in list_partitions(self._runner, self._command_timeout))
        except Exception:  # only a suggestion: never hide the real error behind another
            log.exception("could not list the partitions")
            return ()


class InJob:
    """Runs commands inside a running job, on its node (``srun --overlap`` from the login
    node), so what they see is the node's: its GPUs, its load, the kernels' processes.
    A RemoteRunner like the session it wraps; stdin reaches the command as with SSH."""

    def __init__(self, login: RemoteRunner, job_id: int) -> None:
        self._login = login
        self.job_id = job_id
        self.endpoint = getattr(login, "endpoint", None)

    def run(self, command: str, *, timeout: float, stdin: bytes | None = None) -> CommandResult:
        step = (
            f"exec srun --jobid={int(self.job_id)} --overlap --nodes=1 --ntasks=1 --quiet "
            f"sh -c {shlex.quote(command)}"
        )
        # a login shell, so srun is on PATH wherever the site puts it
        return self._login.run(f"exec sh -lc {shlex.quote(step)}", timeout=timeout, stdin=stdin)


def job_marker(nonce: str) -> str:
    """The marker a job's own script prints into its log (the job's nonce, not a run's)."""
    return f"{MARKER_PREFIX}{nonce}:"


def cancel_job(runner: RemoteRunner, job_id: int, nonce: str = "", timeout: float = 20.0) -> None:
    """``scancel`` one of the user's jobs (Slurm refuses other users' jobs); with the
    submission's ``nonce`` its Jupyter files go too."""
    words: dict[str, str | int] = {
        "lt_job": int(job_id),
        "lt_base": BASE_DIR,
        "lt_nonce": shlex.quote(nonce),
    }
    result = run_script(runner, script("slurm_cancel", **words), timeout=timeout, label="scancel")
    by_name = {s.name: s for s in result.sections()}
    if "CANCELLED" not in by_name:
        detail = by_name["CANCEL-FAILED"].text if "CANCEL-FAILED" in by_name else ""
        raise RemoteCommandFailed("scancel", result.exit_status, tail(detail or result.stderr, 3))
    log.info("cancelled Slurm job %s", job_id)


def profile_jobs(
    jobs: list[LabTunnelJob], profile_id: str, profile_name: str
) -> list[LabTunnelJob]:
    """The jobs of one profile among the user's LabTunnel jobs (by id, or by job name
    for a job submitted from another computer)."""
    name = job_name(profile_name)
    return [job for job in jobs if job.profile_id == profile_id or job.name == name]


def list_partitions(runner: RemoteRunner, timeout: float = 20.0) -> list[sp.Partition]:
    """The partitions the user may submit to (``sinfo``), default first."""
    result = run_script(
        runner, script("slurm_functions", "slurm_partitions"), timeout=timeout, label="sinfo"
    )
    found = result.sections()
    _raise_unless_listed(runner, found, "PARTITIONS", "sinfo")
    partitions: dict[str, sp.Partition] = {}
    for section in found:
        if section.name == "PART":
            part = sp.parse_partition(section.arg)
            if part is not None and part.name not in partitions:
                partitions[part.name] = part
    return sorted(partitions.values(), key=lambda p: (not p.default, p.name))


def list_jobs(
    runner: RemoteRunner, timeout: float = 20.0, now: float | None = None
) -> list[LabTunnelJob]:
    """This user's LabTunnel jobs in the queue or running (any profile)."""
    result = run_script(
        runner, script("slurm_functions", "slurm_jobs"), timeout=timeout, label="squeue"
    )
    found = result.sections()
    _raise_unless_listed(runner, found, "JOBS", "squeue")
    wall = time.time() if now is None else now
    jobs = []
    for section in found:
        if section.name != "JOB":
            continue
        fields = section.arg.split("|")
        if len(fields) < 11 or not fields[0].isdigit():
            continue
        job_id, name, comment, *rest = fields
        partition = rest[-1]
        try:
            line = sp.parse_queue_line("|".join(rest[:7]))
        except ValueError:
            continue
        profile_id = comment.split(":")[1] if comment.count(":") >= 2 else ""
        status = sp.job_status(int(job_id), line, wall, partition)
        jobs.append(LabTunnelJob(status, name, profile_id, partition, sp.nonce_of(comment)))
    return jobs


def _raise_unless_listed(
    runner: RemoteRunner, found: list[Section], marker: str, command: str
) -> None:
    names = {s.name: s for s in found}
    if "NO-SLURM" in names:
        raise SlurmNotAvailable(_host_of(runner))
    if marker not in names:
        failed = next((s for s in found if s.name.endswith("-FAILED")), None)
        raise RemoteCommandFailed(command, 1, tail(failed.text if failed else "", 5))


def _host_of(runner: RemoteRunner) -> str:
    """The login node's name for messages (an SshSession knows its endpoint)."""
    endpoint = getattr(runner, "endpoint", None)
    return str(getattr(endpoint, "host", "") or "the server")


def _missing(text: str) -> JupyterMissing:
    try:
        return JupyterMissing(text.strip())
    except ValueError:
        return JupyterMissing.NOT_ON_PATH


def _log_tail(section: Section | None) -> str:
    """The job log's end, as the scripts send it (each line quoted with ``| ``, so the
    job's own marker lines stay inside this section), tokens redacted."""
    if section is None:
        return ""
    lines = [line[2:] if line.startswith("| ") else line.lstrip("|") for line in section.lines]
    return redact("\n".join(lines).strip())


def _line_or_none(text: str) -> sp.QueueLine | None:
    try:
        return sp.parse_queue_line(text) if text.strip() else None
    except ValueError:
        return None


def _count_ids(ids: str) -> int:
    return len([i for i in ids.split(",") if i.strip()])

"""Sentences for Jupyter in a Slurm job: the queue in words, the job's time left, why a
job ended, what the cluster refused and how to fix it."""

from __future__ import annotations

import time

from labtunnel.core import errors as e
from labtunnel.core.events import JobStatus
from labtunnel.messages.base import QT_TRANSLATE_NOOP, Message, describes, msg
from labtunnel.messages.jupyter import log_lines

# --- the queue --------------------------------------------------------------------------

#: Slurm's pending reasons, as "waiting in the queue <why>"
_WAITING_FOR = {
    "Resources": QT_TRANSLATE_NOOP("messages", "for free resources"),
    "Priority": QT_TRANSLATE_NOOP("messages", "behind jobs with a higher priority"),
    "Dependency": QT_TRANSLATE_NOOP("messages", "for the jobs it depends on"),
    "BeginTime": QT_TRANSLATE_NOOP("messages", "until its start time"),
    "ReqNodeNotAvail": QT_TRANSLATE_NOOP("messages", "for nodes that are down or reserved"),
    "NodeDown": QT_TRANSLATE_NOOP("messages", "for nodes that are down or reserved"),
    "PartitionDown": QT_TRANSLATE_NOOP("messages", "until the partition is up again"),
    "PartitionInactive": QT_TRANSLATE_NOOP("messages", "until the partition is up again"),
    "Reservation": QT_TRANSLATE_NOOP("messages", "for its reservation"),
    "JobHeldUser": QT_TRANSLATE_NOOP("messages", "on hold (release it with scontrol release)"),
    "JobHeldAdmin": QT_TRANSLATE_NOOP("messages", "on hold by an admin"),
    "Licenses": QT_TRANSLATE_NOOP("messages", "for free licenses"),
}
_WAITING_FOR_GPUS = QT_TRANSLATE_NOOP("messages", "for a GPU")
_WAITING_FOR_LIMIT = QT_TRANSLATE_NOOP(
    "messages", "until fewer of your jobs run (a limit of yours)"
)
_WAITING_FOR_SHARE = QT_TRANSLATE_NOOP(
    "messages", "for your group's share of the cluster (a limit of your account)"
)
_WAITING = QT_TRANSLATE_NOOP("messages", "to be scheduled")


def _waiting_for(job: JobStatus) -> Message:
    reason = job.reason
    if reason == "Resources" and job.gpu_count:
        return msg(_WAITING_FOR_GPUS)
    if reason in _WAITING_FOR:
        return msg(_WAITING_FOR[reason])
    if reason.startswith(("QOSMaxJobs", "AssocMaxJobs", "QOSMaxSubmit", "AssocMaxSubmit")):
        return msg(_WAITING_FOR_LIMIT)
    if reason.startswith(("QOSGrp", "AssocGrp")):
        return msg(_WAITING_FOR_SHARE)
    return msg(_WAITING)


def clock_time(moment: float, now: float | None = None) -> str:
    """``14:20`` today, ``2026-12-03 09:00`` on another day (this computer's time zone)."""
    now = time.time() if now is None else now
    same_day = time.localtime(moment)[:3] == time.localtime(now)[:3]
    return time.strftime("%H:%M" if same_day else "%Y-%m-%d %H:%M", time.localtime(moment))


def describe_queue(job: JobStatus, now: float | None = None) -> Message:
    """ "Waiting in the queue for a GPU (Resources); Slurm expects it to start at 14:20"."""
    parts = {"why": (_waiting_for(job),)}
    reason = job.reason or "None"
    if job.expected_start is not None:
        return msg(
            QT_TRANSLATE_NOOP(
                "messages",
                "Waiting in the queue {why} ({reason}); Slurm expects it to start at {time}.",
            ),
            parts,
            reason=reason,
            time=clock_time(job.expected_start, now),
        )
    return msg(
        QT_TRANSLATE_NOOP("messages", "Waiting in the queue {why} ({reason})."),
        parts,
        reason=reason,
    )


def describe_starting(job: JobStatus) -> Message:
    if job.node:
        return msg(
            QT_TRANSLATE_NOOP("messages", "Job {job} runs on {node}: starting Jupyter there…"),
            job=job.job_id,
            node=job.node,
        )
    return msg(QT_TRANSLATE_NOOP("messages", "Job {job} is starting…"), job=job.job_id)


# --- a running job ------------------------------------------------------------------------


def time_left(seconds: float) -> Message:
    """``2 h 13 min left``, ``45 min left``, ``1 d 4 h left``, ``less than a minute left``."""
    minutes = int(max(0.0, seconds) // 60)
    if minutes < 1:
        return msg(QT_TRANSLATE_NOOP("messages", "less than a minute left"))
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return msg(QT_TRANSLATE_NOOP("messages", "{days} d {hours} h left"), days=days, hours=hours)
    if hours:
        return msg(
            QT_TRANSLATE_NOOP("messages", "{hours} h {minutes} min left"),
            hours=hours,
            minutes=mins,
        )
    return msg(QT_TRANSLATE_NOOP("messages", "{minutes} min left"), minutes=mins)


def describe_gpus(job: JobStatus) -> Message | None:
    ids = [i for i in job.gpu_ids.split(",") if i.strip()]
    count = job.gpu_count or len(ids)
    if not count:
        return None
    if ids:
        return msg(
            QT_TRANSLATE_NOOP("messages", "GPUs: {count} ({ids})"), count=count, ids=",".join(ids)
        )
    return msg(QT_TRANSLATE_NOOP("messages", "GPUs: {count}"), count=count)


def describe_job(job: JobStatus, now: float | None = None) -> Message:
    """One line for a running job: ``Job 12 on node1 · GPUs: 1 (0) · 2 h 13 min left``."""
    now = time.time() if now is None else now
    gpus = describe_gpus(job)
    left = time_left(job.ends_at - now) if job.ends_at is not None else None
    parts: dict[str, tuple[Message, ...]] = {}
    template = QT_TRANSLATE_NOOP("messages", "Job {job} on {node}")
    if gpus is not None and left is not None:
        template = QT_TRANSLATE_NOOP("messages", "Job {job} on {node} · {gpus} · {left}")
        parts = {"gpus": (gpus,), "left": (left,)}
    elif gpus is not None:
        template = QT_TRANSLATE_NOOP("messages", "Job {job} on {node} · {gpus}")
        parts = {"gpus": (gpus,)}
    elif left is not None:
        template = QT_TRANSLATE_NOOP("messages", "Job {job} on {node} · {left}")
        parts = {"left": (left,)}
    return msg(template, parts, job=job.job_id, node=job.node or "?")


def describe_ending_soon(job_id: int, seconds_left: float) -> Message:
    return msg(
        QT_TRANSLATE_NOOP(
            "messages",
            "Your Jupyter job {job} reaches its time limit in {minutes} min: save your "
            "notebooks now. The job, its kernels and unsaved work end then.",
        ),
        job=job_id,
        minutes=max(1, round(seconds_left / 60)),
    )


def describe_left_running(job: JobStatus, profile_name: str) -> Message:
    """What the CLI says when it closes its tunnel and the job goes on."""
    return msg(
        QT_TRANSLATE_NOOP(
            "messages",
            "Your Jupyter job {job} keeps running on {node}. Connect again to use it; stop it "
            "with: labtunnel jupyter stop “{profile}”",
        ),
        job=job.job_id,
        node=job.node or "?",
        profile=profile_name,
    )


# --- why a job ended ---------------------------------------------------------------------

_ENDED = {
    e.JobEnd.TIME_LIMIT: QT_TRANSLATE_NOOP(
        "messages",
        "Your Jupyter job {job} ended: time limit reached. Start a new job to go on (with a "
        "longer time limit in the lab server's settings if you need one).",
    ),
    e.JobEnd.CANCELLED: QT_TRANSLATE_NOOP(
        "messages",
        "Your Jupyter job {job} ended: it was cancelled (with scancel, by you or an admin). "
        "Start a new job to go on.",
    ),
    e.JobEnd.PREEMPTED: QT_TRANSLATE_NOOP(
        "messages",
        "Your Jupyter job {job} ended: preempted by a job with a higher priority. Start a new "
        "job to go on; it waits in the queue until there is room.",
    ),
    e.JobEnd.NODE_FAILURE: QT_TRANSLATE_NOOP(
        "messages",
        "Your Jupyter job {job} ended: its node {node} failed. Start a new job to go on; Slurm "
        "runs it on a node that works.",
    ),
    e.JobEnd.OUT_OF_MEMORY: QT_TRANSLATE_NOOP(
        "messages",
        "Your Jupyter job {job} ended: out of memory. Start a new job with more memory (Memory "
        "in the lab server's settings).",
    ),
    e.JobEnd.FINISHED: QT_TRANSLATE_NOOP(
        "messages",
        "Your Jupyter job {job} ended: Jupyter itself was shut down. Start a new job to go on.",
    ),
    e.JobEnd.FAILED: QT_TRANSLATE_NOOP(
        "messages",
        "Your Jupyter job {job} ended: Jupyter failed on {node}. Start a new job to go on; its "
        "log is in ~/.local/share/labtunnel/slurm on the cluster.",
    ),
    e.JobEnd.UNKNOWN: QT_TRANSLATE_NOOP(
        "messages",
        "Your Jupyter job {job} ended (Slurm no longer says why). Start a new job to go on.",
    ),
}


#: endings that come from Slurm or an admin, whatever the job was doing
_ENDS_FROM_OUTSIDE = (
    e.JobEnd.CANCELLED,
    e.JobEnd.PREEMPTED,
    e.JobEnd.NODE_FAILURE,
    e.JobEnd.TIME_LIMIT,
)


@describes(e.SlurmJobEnded)
def _job_ended(x: e.SlurmJobEnded) -> Message:
    if x.at_start and x.reason not in _ENDS_FROM_OUTSIDE:
        tail = log_lines(x.log_tail)
        return msg(
            QT_TRANSLATE_NOOP(
                "messages",
                "Your Jupyter job {job} failed at start on {node}. Its log ends with: {tail} "
                "Check the Jupyter environment and the Slurm settings of the lab server.",
            ),
            job=x.job_id,
            node=x.node or "?",
            tail=" / ".join(tail) or "-",
        )
    return msg(_ENDED.get(x.reason, _ENDED[e.JobEnd.UNKNOWN]), job=x.job_id, node=x.node or "?")


@describes(e.SlurmNotAvailable)
def _slurm_not_available(x: e.SlurmNotAvailable) -> Message:
    return msg(
        QT_TRANSLATE_NOOP(
            "messages",
            "{host} has no Slurm commands (sbatch, squeue) for you. Connect to the cluster's "
            "login node, or set “Jupyter runs” to “On this server” in the lab server's settings.",
        ),
        host=x.host,
    )


#: why Slurm can never start a pending job
_NEVER_RUNS = {
    "PartitionTimeLimit": QT_TRANSLATE_NOOP(
        "messages", "its time limit is longer than the partition allows"
    ),
    "PartitionNodeLimit": QT_TRANSLATE_NOOP(
        "messages", "it asks for more than the partition's nodes have"
    ),
    "BadConstraints": QT_TRANSLATE_NOOP("messages", "no node can ever give what it asks for"),
    "InvalidAccount": QT_TRANSLATE_NOOP("messages", "its account is not valid for you"),
    "InvalidQOS": QT_TRANSLATE_NOOP("messages", "its QoS is not valid for you"),
}
_NEVER_RUNS_LIMIT = QT_TRANSLATE_NOOP("messages", "it is over a limit of your account or QoS")

_REFUSED = {
    e.SlurmRefusal.TIME_LIMIT: QT_TRANSLATE_NOOP(
        "messages",
        "The time limit is longer than the partition allows (Slurm: “{detail}”). Choose a "
        "shorter time limit in the lab server's settings.",
    ),
    e.SlurmRefusal.RESOURCES: QT_TRANSLATE_NOOP(
        "messages",
        "No node of the partition has what the job asks for (Slurm: “{detail}”). Ask for fewer "
        "GPUs or CPUs, or less memory, in the lab server's settings.",
    ),
    e.SlurmRefusal.MEMORY: QT_TRANSLATE_NOOP(
        "messages",
        "No node of the partition has that much memory (Slurm: “{detail}”). Ask for less "
        "memory in the lab server's settings.",
    ),
    e.SlurmRefusal.CPUS: QT_TRANSLATE_NOOP(
        "messages",
        "No node of the partition has that many CPUs (Slurm: “{detail}”). Ask for fewer CPUs "
        "in the lab server's settings.",
    ),
    e.SlurmRefusal.GPUS: QT_TRANSLATE_NOOP(
        "messages",
        "Slurm does not accept the GPUs asked for (Slurm: “{detail}”). Ask for fewer GPUs (or "
        "0) in the lab server's settings, or ask your admin how GPUs are requested here.",
    ),
    e.SlurmRefusal.ACCOUNT: QT_TRANSLATE_NOOP(
        "messages",
        "Slurm does not accept the account of the job (Slurm: “{detail}”). Correct the "
        "Account in the lab server's settings, or leave it empty.",
    ),
    e.SlurmRefusal.QOS: QT_TRANSLATE_NOOP(
        "messages",
        "Slurm does not accept the QoS of the job (Slurm: “{detail}”). Correct the QoS in the "
        "lab server's settings, or leave it empty.",
    ),
    e.SlurmRefusal.POLICY: QT_TRANSLATE_NOOP(
        "messages",
        "The job is over a limit of your account or QoS (Slurm: “{detail}”). Ask for less in "
        "the lab server's settings, or ask your admin.",
    ),
    e.SlurmRefusal.CONTROLLER: QT_TRANSLATE_NOOP(
        "messages",
        "Slurm's controller does not answer on the cluster (Slurm: “{detail}”). Try again in a "
        "few minutes; tell your admin if it goes on.",
    ),
    e.SlurmRefusal.OTHER: QT_TRANSLATE_NOOP(
        "messages",
        "Slurm refused the job: “{detail}”. Check the Slurm settings of the lab server.",
    ),
}


@describes(e.SlurmSubmitRefused)
def _submit_refused(x: e.SlurmSubmitRefused) -> Message:
    if x.reason is e.SlurmRefusal.UNKNOWN_PARTITION:
        if x.partitions:
            return msg(
                QT_TRANSLATE_NOOP(
                    "messages",
                    "The cluster has no partition “{partition}”. Choose one of {partitions} in "
                    "the lab server's settings, or leave Partition empty for the default.",
                ),
                partition=x.partition,
                partitions=", ".join(x.partitions),
            )
        return msg(
            QT_TRANSLATE_NOOP(
                "messages",
                "The cluster has no partition “{partition}”. Correct the Partition in the lab "
                "server's settings (sinfo lists them), or leave it empty for the default.",
            ),
            partition=x.partition,
        )
    if x.reason is e.SlurmRefusal.NEVER_RUNS:
        why = _NEVER_RUNS.get(x.detail, _NEVER_RUNS_LIMIT)
        return msg(
            QT_TRANSLATE_NOOP(
                "messages",
                "Slurm would never start job {job}: {why} ({reason}). LabTunnel cancelled it; "
                "change the request in the lab server's settings.",
            ),
            {"why": (msg(why),)},
            job=x.job_id if x.job_id is not None else "?",
            reason=x.detail,
        )
    return msg(_REFUSED.get(x.reason, _REFUSED[e.SlurmRefusal.OTHER]), detail=x.detail[-300:])

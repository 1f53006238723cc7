"""Slurm profile fields and what Slurm's commands print, without a cluster."""

from __future__ import annotations

import time

import pytest

from labtunnel.core.errors import (
    JobEnd,
    SlurmJobEnded,
    SlurmNotAvailable,
    SlurmRefusal,
    SlurmSubmitRefused,
)
from labtunnel.core.events import JobStatus
from labtunnel.core.jupyter.launch import slurm_parsing as sp
from labtunnel.core.jupyter.launch.slurm import LabTunnelJob, job_name, profile_jobs
from labtunnel.core.profiles.model import (
    HostProfile,
    JupyterSpec,
    profile_from_dict,
    profile_problems,
    profile_to_dict,
)
from labtunnel.core.profiles.slurm import SlurmJob, time_limit_seconds
from labtunnel.messages import describe, describe_problem
from labtunnel.messages.slurm import (
    clock_time,
    describe_job,
    describe_queue,
    time_left,
)


def slurm_profile(**job: object) -> HostProfile:
    return HostProfile(
        "cluster",
        "login.example.org",
        "ada",
        target=JupyterSpec(slurm=SlurmJob(**job)),  # type: ignore[arg-type]
    )


# --- profile fields ---------------------------------------------------------------------


def test_a_full_slurm_profile_round_trips_through_the_store_form() -> None:
    profile = slurm_profile(
        partition="gpu",
        gpus=2,
        cpus=8,
        memory="32G",
        time_limit="1-00:00:00",
        account="lab42",
        qos="normal",
        extra_options=("--constraint=a100", "#SBATCH --exclude=node7"),
    )
    assert profile_problems(profile) == []
    data = profile_to_dict(profile)
    assert data["target"]["slurm"]["gpus"] == 2
    assert profile_from_dict(data) == profile


def test_a_profile_without_slurm_stores_no_slurm_key() -> None:
    profile = HostProfile("plain", "server", "ada")
    assert "slurm" not in profile_to_dict(profile)["target"]
    assert profile_from_dict(profile_to_dict(profile)).target == JupyterSpec()


def test_the_sbatch_options_of_a_job() -> None:
    job = SlurmJob(partition="gpu", gpus=1, cpus=4, memory="16G", time_limit="4:00:00",
                   extra_options=("#SBATCH --constraint=a100", " "))  # fmt: skip
    assert job.sbatch_options() == [
        "--partition=gpu",
        "--gres=gpu:1",
        "--cpus-per-task=4",
        "--mem=16G",
        "--time=4:00:00",
        "--constraint=a100",
    ]
    assert SlurmJob().sbatch_options() == []


@pytest.mark.parametrize(
    ("changes", "field", "code"),
    [
        ({"partition": "gpu; rm"}, "slurm_partition", "bad_slurm_name"),
        ({"gpus": -1}, "slurm_gpus", "out_of_range"),
        ({"cpus": 100000}, "slurm_cpus", "out_of_range"),
        ({"memory": "lots"}, "slurm_memory", "bad_memory"),
        ({"time_limit": "4 hours"}, "slurm_time_limit", "bad_time"),
        ({"account": "a b"}, "slurm_account", "bad_slurm_name"),
        ({"qos": "x\ny"}, "slurm_qos", "bad_slurm_name"),
        ({"extra_options": ("constraint=a100",)}, "slurm_extra_options", "bad_option"),
        ({"extra_options": ("--job-name=mine",)}, "slurm_extra_options", "reserved_option"),
        ({"extra_options": ("-o /tmp/x",)}, "slurm_extra_options", "reserved_option"),
        ({"extra_options": ("--array=1-10",)}, "slurm_extra_options", "reserved_option"),
        ({"extra_options": ("--x=1\n#SBATCH --y",)}, "slurm_extra_options", "bad_option"),
    ],
)
def test_each_bad_field_is_named_with_a_sentence(
    changes: dict[str, object], field: str, code: str
) -> None:
    problems = profile_problems(slurm_profile(**changes))
    assert [(p.field, p.code) for p in problems] == [(field, code)]
    sentence = describe_problem(problems[0]).text
    assert sentence.endswith(".") and "{" not in sentence


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("30", 1800), ("5:30", 330), ("4:00:00", 14400), ("1-00:00:00", 86400), ("2-12", 216000),
     ("1-02:03", 93780), ("UNLIMITED", None), ("0", None)],
)  # fmt: skip
def test_time_limits_in_every_form_sbatch_takes(text: str, seconds: int | None) -> None:
    assert time_limit_seconds(text) == seconds


def test_stored_slurm_fields_of_the_wrong_type_are_refused() -> None:
    data = profile_to_dict(slurm_profile(gpus=1))
    data["target"]["slurm"]["gpus"] = "one"
    with pytest.raises(ValueError, match=r"slurm\.gpus"):
        profile_from_dict(data)
    data["target"]["slurm"] = {"bogus": 1}
    with pytest.raises(ValueError, match=r"slurm\.bogus"):
        profile_from_dict(data)


# --- Slurm's output ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("1-02:03:04", 93784), ("2:03:04", 7384), ("3:04", 184), ("0:45", 45), ("UNLIMITED", None),
     ("NOT_SET", None), ("INVALID", None), ("1-00", 86400)],
)  # fmt: skip
def test_squeue_durations(text: str, seconds: int | None) -> None:
    assert sp.duration_seconds(text) == seconds


@pytest.mark.parametrize(
    ("gres", "count"),
    [("gres:gpu:2", 2), ("gres/gpu:a100:4", 4), ("gpu:1(IDX:0)", 1), ("N/A", 0),
     ("gres:gpu:1,gres:mps:100", 1), ("gpu", 1)],
)  # fmt: skip
def test_gpus_in_gres_strings(gres: str, count: int) -> None:
    assert sp.gpu_count(gres) == count


def test_a_pending_and_a_running_squeue_line() -> None:
    pending = sp.parse_queue_line("PENDING|Resources|1796119805||gres:gpu:1|10:00|10:00")
    assert (pending.state, pending.reason, pending.start, pending.gpus) == (
        "PENDING", "Resources", 1796119805.0, 1)  # fmt: skip
    status = sp.job_status(7, pending, now=1000.0, partition="gpu")
    assert status.pending and status.expected_start == 1796119805.0 and status.ends_at is None
    running = sp.parse_queue_line("RUNNING|None|1796119805|node1|N/A|1:00:00|59:00")
    status = sp.job_status(7, running, now=1000.0)
    assert status.node == "node1" and status.reason == "" and status.ends_at == 1000.0 + 3540
    assert running.key != pending.key
    with pytest.raises(ValueError):
        sp.parse_queue_line("slurm_load_jobs error: Unable to contact slurm controller")


@pytest.mark.parametrize(
    ("state", "reason", "expected"),
    [("TIMEOUT", "TimeLimit", "time_limit"), ("CANCELLED by 1000", "", "cancelled"),
     ("PREEMPTED", "", "preempted"), ("NODE_FAIL", "NodeDown", "node_failure"),
     ("OUT_OF_MEMORY", "", "out_of_memory"), ("FAILED", "NonZeroExitCode", "failed"),
     ("COMPLETED", "", "finished"), ("COMPLETING", "TimeLimit", "time_limit"),
     ("", "", "unknown")],
)  # fmt: skip
def test_why_a_job_ended(state: str, reason: str, expected: str) -> None:
    assert sp.end_reason(state, reason) == expected


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("sbatch: error: invalid partition specified: nope\nsbatch: error: Batch job "
         "submission failed: Invalid partition name specified", "unknown_partition"),
        ("sbatch: error: Batch job submission failed: Requested time limit is invalid "
         "(missing or exceeds some limit)", "time_limit"),
        ("sbatch: error: Batch job submission failed: Requested node configuration is not "
         "available", "resources"),
        ("sbatch: error: Memory specification can not be satisfied\nsbatch: error: Batch "
         "job submission failed: Requested node configuration is not available", "memory"),
        ("sbatch: error: Batch job submission failed: Invalid account or account/partition "
         "combination specified", "account"),
        ("sbatch: error: Batch job submission failed: Invalid qos specification", "qos"),
        ("sbatch: error: Batch job submission failed: Unable to contact slurm controller "
         "(connect failure)", "controller"),
        ("sbatch: error: something new", "other"),
    ],
)  # fmt: skip
def test_sbatch_refusals(text: str, reason: str) -> None:
    found, detail = sp.sbatch_refusal(text)
    assert found == reason
    assert "sbatch:" not in detail and detail


def test_submitted_ids_nonces_and_names() -> None:
    assert sp.submitted_job_id("sbatch: warning: x\n42;cluster\n") == 42
    assert sp.submitted_job_id("nothing") is None
    assert sp.nonce_of("labtunnel:abcdef0123:0a1b2c3d4e5f") == "0a1b2c3d4e5f"
    assert sp.nonce_of("(null)") == "" and sp.nonce_of("labtunnel:x:../../etc") == ""
    assert job_name("GPU lab (Ada)") == "labtunnel-gpu-lab-ada"
    assert job_name("实验室") == "labtunnel-jupyter"
    jobs = [
        LabTunnelJob(JobStatus(1, "RUNNING"), "labtunnel-gpu-lab", "other-id", "gpu"),
        LabTunnelJob(JobStatus(2, "PENDING"), "labtunnel-x", "my-id", "gpu"),
        LabTunnelJob(JobStatus(3, "PENDING"), "labtunnel-y", "another", "gpu"),
    ]
    assert [j.status.job_id for j in profile_jobs(jobs, "my-id", "GPU lab")] == [1, 2]


def test_partitions_from_sinfo() -> None:
    part = sp.parse_partition("gpu*|up|1-00:00:00|2|gpu:2")
    assert part == sp.Partition("gpu", True, True, 86400, 2, 2)
    assert sp.parse_partition("short|up|30:00|1|(null)") == sp.Partition(
        "short", False, True, 1800, 1, 0
    )
    assert sp.parse_partition("garbage") is None


# --- words -------------------------------------------------------------------------------


def test_the_queue_in_words() -> None:
    now = time.mktime((2026, 12, 1, 10, 0, 0, 0, 0, -1))
    start = time.mktime((2026, 12, 1, 14, 20, 0, 0, 0, -1))
    job = JobStatus(7, "PENDING", "Resources", expected_start=start, gpu_count=1)
    assert describe_queue(job, now).text == (
        "Waiting in the queue for a GPU (Resources); Slurm expects it to start at 14:20."
    )
    assert describe_queue(JobStatus(7, "PENDING", "Priority"), now).text == (
        "Waiting in the queue behind jobs with a higher priority (Priority)."
    )
    limit = JobStatus(7, "PENDING", "QOSMaxJobsPerUserLimit")
    assert "a limit of yours" in describe_queue(limit, now).text
    tomorrow = time.mktime((2026, 12, 2, 9, 5, 0, 0, 0, -1))
    assert clock_time(tomorrow, now) == "2026-12-02 09:05"


def test_time_left_and_the_job_line() -> None:
    assert time_left(2 * 3600 + 13 * 60 + 40).text == "2 h 13 min left"
    assert time_left(45 * 60).text == "45 min left"
    assert time_left(30).text == "less than a minute left"
    assert time_left(28 * 3600).text == "1 d 4 h left"
    job = JobStatus(12, "RUNNING", node="node1", gpu_count=1, gpu_ids="0", ends_at=1000.0 + 7980)
    assert describe_job(job, now=1000.0).text == "Job 12 on node1 · GPUs: 1 (0) · 2 h 13 min left"
    assert describe_job(JobStatus(12, "RUNNING", node="node1"), now=0).text == "Job 12 on node1"


@pytest.mark.parametrize(
    ("reason", "words"),
    [("time_limit", "time limit reached"), ("cancelled", "cancelled"),
     ("preempted", "preempted"), ("node_failure", "node node2 failed"),
     ("out_of_memory", "out of memory"), ("unknown", "no longer says why")],
)  # fmt: skip
def test_why_a_job_ended_in_one_sentence_with_the_fix(reason: str, words: str) -> None:
    text = describe(SlurmJobEnded(12, JobEnd(reason), node="node2")).text
    assert text.startswith("Your Jupyter job 12 ended") and words in text
    assert "Start a new job" in text


def test_refusals_in_words() -> None:
    text = describe(
        SlurmSubmitRefused(SlurmRefusal.UNKNOWN_PARTITION, "x", "gpux", ("gpu", "short"))
    ).text
    assert "gpux" in text and "gpu, short" in text
    text = describe(
        SlurmSubmitRefused(SlurmRefusal.NEVER_RUNS, "PartitionTimeLimit", job_id=9)
    ).text
    assert "job 9" in text and "cancelled it" in text and "time limit" in text
    assert "sbatch" in describe(SlurmNotAvailable("login.example.org")).text
    started = describe(
        SlurmJobEnded(3, JobEnd.FAILED, node="n1", log_tail="a\nb\nboom", at_start=True)
    )
    assert "failed at start on n1" in started.text and "boom" in started.text

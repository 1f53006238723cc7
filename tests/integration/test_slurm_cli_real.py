"""`labtunnel` with a --slurm profile on the real harness cluster: the URL first on stdout,
the queue on stderr, jobs in `jupyter list/stop`, and every bad input as the sentence
docs/errors.md lists."""

from __future__ import annotations

import contextlib
import re
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.harness import LabServer
from tests.harness.slurm import SlurmCluster
from tests.integration.test_bad_input_real import documented_templates, template_regex
from tests.integration.test_cli_real import ConnectProcess, cli_env, fetch, labtunnel

pytestmark = pytest.mark.integration


class Cli:
    def __init__(self, cluster: SlurmCluster, config_dir: Path, keyring: str) -> None:
        self.cluster = cluster
        self.env = cli_env(config_dir, keyring)

    def add(self, name: str, *flags: str, host: str | None = None, port: int = 22) -> None:
        result = labtunnel(
            "profile", "add", name, "--host", host or self.cluster.login_host,
            "--port", str(port), "--user", self.cluster.user.name, "--password-stdin",
            "--jupyter-env", self.cluster.jupyter_venv, *flags,
            env=self.env, stdin=self.cluster.user.password + "\n",
        )  # fmt: skip
        assert result.returncode == 0, result.stderr

    def connect(self, name: str) -> ConnectProcess:
        return ConnectProcess(self.env, name, "--accept-new-host-key")

    def fails(self, name: str, timeout: float = 90) -> str:
        """`connect` that must fail: its last stderr line, without ``labtunnel: ``."""
        result = labtunnel(
            "connect", name, "--no-browser", "--accept-new-host-key", env=self.env,
            timeout=timeout,
        )  # fmt: skip
        assert result.returncode == 1 and result.stdout == "", result.stderr
        last = result.stderr.strip().splitlines()[-1]
        assert last.startswith("labtunnel: "), result.stderr
        return last.removeprefix("labtunnel: ")


@pytest.fixture
def cli(slurm_cluster: SlurmCluster, config_dir: Path, real_keyring: str) -> Cli:
    return Cli(slurm_cluster, config_dir, real_keyring)


def documented(situation: str, text: str) -> None:
    template = documented_templates()[situation]
    assert template_regex(template).match(text), f"{situation}: {text!r}"


def active_jobs(cluster: SlurmCluster) -> list[int]:
    return [job.job_id for job in cluster.jobs(cluster.user) if job.active]


class StderrLines:
    """A running `connect`'s stderr, read by a thread (a buffered pipe and select() do not
    mix), so a test can wait for a line and still see the rest at the end."""

    def __init__(self, proc: ConnectProcess) -> None:
        assert proc.proc.stderr is not None
        self.stream = proc.proc.stderr
        self.lines: list[str] = []
        self.changed = threading.Condition()
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self) -> None:
        for line in self.stream:
            with self.changed:
                self.lines.append(line.rstrip("\n"))
                self.changed.notify_all()

    def wait_for(self, pattern: str, timeout: float = 60) -> str:
        """Everything so far, once a line matches ``pattern``."""
        deadline = time.monotonic() + timeout
        with self.changed:
            while not any(re.search(pattern, line) for line in self.lines):
                left = deadline - time.monotonic()
                if left <= 0 or not self.thread.is_alive():
                    raise AssertionError(f"no {pattern!r} on stderr; got: {self.lines}")
                self.changed.wait(min(left, 0.5))
            return "\n".join(self.lines)

    def all(self) -> str:
        self.thread.join(10)
        return "\n".join(self.lines)


def test_profile_add_with_slurm_flags_and_what_does_not_go_together(cli: Cli) -> None:
    cli.add(
        "cluster", "--slurm", "--partition", "gpu", "--gpus", "1", "--cpus", "2", "--mem", "1G",
        "--time", "0-01:00:00", "--account", "lab", "--qos", "normal",
        "--sbatch-option=--constraint=fast", "--sbatch-option=#SBATCH --exclusive",
    )  # fmt: skip
    shown = labtunnel("profile", "show", "cluster", "--json", env=cli.env)
    assert '"time_limit": "0-01:00:00"' in shown.stdout
    assert '"extra_options": [\n' in shown.stdout and "--constraint=fast" in shown.stdout
    listed = labtunnel("profile", "list", env=cli.env).stdout
    assert "in a Slurm job (--partition=gpu --gres=gpu:1" in listed
    alone = labtunnel("profile", "add", "x", "--host", "h", "--user", "u", "--gpus", "1",
                      env=cli.env)  # fmt: skip
    assert alone.returncode == 2 and "only go with --slurm" in alone.stderr
    bad = labtunnel(
        "profile", "add", "y", "--host", "h", "--user", "u", "--slurm", "--time", "4 hours",
        "--sbatch-option=--job-name=x", env=cli.env,
    )  # fmt: skip
    assert bad.returncode == 1
    assert "Time limit “4 hours” is not a Slurm time limit" in bad.stderr
    assert "Extra #SBATCH lines: LabTunnel sets --job-name itself" in bad.stderr


def test_connect_prints_the_url_first_and_the_queue_on_stderr(
    cli: Cli, slurm_cluster: SlurmCluster
) -> None:
    filler = slurm_cluster.fill("node1")
    cli.add("queue", "--slurm", "--gpus", "2", "--time", "20")
    proc = cli.connect("queue")
    err = StderrLines(proc)
    try:
        waiting = err.wait_for(r"Waiting in the queue .*Slurm expects it to start at")
        assert "Waiting in the queue for a GPU (Resources)" in waiting
        slurm_cluster.login_exec(["scancel", str(filler)], check=True)
        url = proc.first_line()
        assert url.startswith("http://127.0.0.1:") and "token=" in url
        status, _ = fetch(url, "/api/status?" + url.split("?", 1)[1])
        assert status == 200
        connected = err.wait_for(r"Press Ctrl\+C")
        assert re.search(r"Connected: Job \d+ on node1 · GPUs: 2 \(0,1\) · 1\d min left", connected)
        assert proc.stop() == 0
        assert "keeps running on node1" in err.all()
        [job_id] = active_jobs(slurm_cluster)
    finally:
        proc.stop()

    listed = labtunnel("jupyter", "list", "queue", env=cli.env)
    assert listed.returncode == 0, listed.stderr
    assert re.search(
        rf"\* job {job_id}\tRUNNING\tlabtunnel-queue\tJob {job_id} on node1", listed.stdout
    )
    stopped = labtunnel("jupyter", "stop", "queue", env=cli.env)
    assert stopped.returncode == 0 and f"Cancelled Slurm job {job_id}" in stopped.stderr
    slurm_cluster.wait_job(job_id, {"CANCELLED"})
    again = labtunnel("jupyter", "stop", "queue", env=cli.env)
    assert again.returncode == 1 and "No Slurm job of “queue”" in again.stderr


def test_giving_up_on_a_pending_job_cancels_it(cli: Cli, slurm_cluster: SlurmCluster) -> None:
    slurm_cluster.fill("node1")
    cli.add("patient", "--slurm", "--gpus", "2")
    proc = cli.connect("patient")
    err = StderrLines(proc)
    try:
        err.wait_for(r"Waiting in the queue")
        [job_id] = active_jobs(slurm_cluster)
        assert proc.stop(signal.SIGINT, timeout=30) == 0
        said = err.all()
    finally:
        proc.stop()
    line = next(x for x in said.splitlines() if x.startswith("Cancelled your Slurm job"))
    documented("Giving up on a pending job (Ctrl+C)", line)
    assert str(job_id) in line
    slurm_cluster.wait_job(job_id, {"CANCELLED"})
    assert active_jobs(slurm_cluster) == []


def test_no_slurm_on_the_server(cli: Cli, lab_server: LabServer) -> None:
    # the plain lab server: Slurm's commands exist on this machine, but no cluster
    cli.add("noslurm", "--slurm", host=lab_server.host, port=lab_server.port)
    documented("No Slurm on the server", cli.fails("noslurm"))


@pytest.mark.parametrize(
    ("flags", "situation"),
    [
        (("--partition", "gpux"), "Unknown partition"),
        (("--partition", "short", "--time", "1:00:00"), "Time limit over the partition's"),
        (("--gpus", "3"), "More GPUs than any node has"),
        (("--mem", "64G"), "More memory than any node has"),
    ],
)
def test_requests_the_cluster_refuses(
    cli: Cli, slurm_cluster: SlurmCluster, flags: tuple[str, ...], situation: str
) -> None:
    cli.add("refused", "--slurm", *flags)
    text = cli.fails("refused")
    documented(situation, text)
    if situation == "Unknown partition":
        assert "gpu, short" in text and "urgent" not in text
    assert active_jobs(slurm_cluster) == []


def test_jupyter_missing_in_the_jobs_environment(cli: Cli, slurm_cluster: SlurmCluster) -> None:
    cli.add("nojupyter", "--slurm", "--jupyter-env", "/opt/no-such-venv")
    text = cli.fails("nojupyter")
    documented("Jupyter missing in the job's environment", text)
    assert "/opt/no-such-venv" in text and slurm_cluster.jupyter_venv in text


def test_a_job_that_fails_at_start(cli: Cli, slurm_cluster: SlurmCluster) -> None:
    user = slurm_cluster.user
    fake = Path(user.home) / "broken-env" / "bin" / "jupyter"
    fake.parent.mkdir(parents=True, exist_ok=True)
    fake.write_text("#!/bin/sh\necho 'ImportError: jupyter_server is broken' >&2\nexit 1\n")
    fake.chmod(0o755)
    subprocess.run(["chown", "-R", f"{user.uid}:{user.gid}", str(fake.parents[1])], check=True)
    cli.add("broken", "--slurm", "--jupyter-env", str(fake.parents[1]))
    text = cli.fails("broken")
    documented("Job fails at start", text)
    assert "ImportError: jupyter_server is broken" in text


def test_a_pending_job_slurm_can_never_start_is_cancelled(
    cli: Cli, slurm_cluster: SlurmCluster
) -> None:
    slurm_cluster.fill("node2")
    cli.add("never", "--slurm", "--partition", "short", "--time", "20")
    proc = cli.connect("never")
    err = StderrLines(proc)
    try:
        err.wait_for(r"Waiting in the queue")
        [job_id] = active_jobs(slurm_cluster)
        # the admin shortens the partition's limit under the waiting job
        slurm_cluster.update_partition("short", MaxTime="10")
        assert proc.proc.wait(60) == 1
        last = err.all().strip().splitlines()[-1].removeprefix("labtunnel: ")
    finally:
        proc.stop()
    documented("A pending job Slurm can never start", last)
    assert f"job {job_id}" in last and "PartitionTimeLimit" in last
    slurm_cluster.wait_job(job_id, {"CANCELLED"})


def connected_job(
    cli: Cli, name: str, node: str, *flags: str
) -> tuple[ConnectProcess, StderrLines, int, str]:
    """`connect` to a fresh job of ``name`` on ``node``; returns once Jupyter answers."""
    before = set(active_jobs(cli.cluster))
    cli.add(name, "--slurm", f"--sbatch-option=--nodelist={node}", *flags)
    proc = cli.connect(name)
    err = StderrLines(proc)
    url = proc.first_line()
    assert url.startswith("http://127.0.0.1:")
    [job_id] = set(active_jobs(cli.cluster)) - before
    return proc, err, job_id, url


@contextlib.contextmanager
def open_tab(url: str) -> Iterator[None]:
    """What an open JupyterLab tab does: ask the server every second or so. A request that
    finds Jupyter gone makes the tunnel look at once; with nobody using it, it looks only
    at its next check, up to a minute later (as long as the test waited: it failed when
    the job ended just after a check)."""
    done = threading.Event()

    def poll() -> None:
        while not done.is_set():
            with contextlib.suppress(OSError):
                fetch(url, "/api/status?" + url.split("?", 1)[1])
            done.wait(1.0)

    tab = threading.Thread(target=poll, daemon=True)
    tab.start()
    try:
        yield
    finally:
        done.set()
        tab.join(30)


def ended_line(said: str, job_id: int) -> str:
    return next(x for x in said.splitlines() if x.startswith(f"Your Jupyter job {job_id} ended"))


@pytest.mark.timeout(300)
def test_jobs_that_end_under_connect_are_reported_and_not_replaced(
    cli: Cli, slurm_cluster: SlurmCluster
) -> None:
    """Time limit (--time=1: Slurm ends it 60-90 s after its start, it checks limits every
    30 s), node down, preemption, scancel from elsewhere: each said in its words, and no
    second job. The time-limited job runs on node1 while the others end on node2."""
    timed, timed_err, timed_job, timed_url = connected_job(
        cli, "short-lived", "node1", "--time", "1"
    )
    try:
        warned = timed_err.wait_for(r"reaches its time limit", timeout=30)
        assert f"Your Jupyter job {timed_job} reaches its time limit in 1 min: save" in warned
        for number, how in enumerate(
            ("Job's node went down", "Job preempted", "Job cancelled from elsewhere")
        ):
            proc, err, job_id, url = connected_job(cli, f"ends{number}", "node2")
            try:
                err.wait_for(r"Press Ctrl\+C")
                with open_tab(url):
                    if how == "Job's node went down":
                        slurm_cluster.set_node_down("node2")
                    elif how == "Job preempted":
                        preemptor = slurm_cluster.preempt("node2")
                    else:
                        slurm_cluster.login_exec(["scancel", str(job_id)], check=True)
                    assert proc.proc.wait(60) == 1
                said = err.all()
            finally:
                proc.stop()
            documented(how, ended_line(said, job_id))
            assert f'To start a new job:  labtunnel connect "ends{number}"' in said
            assert active_jobs(slurm_cluster) == [timed_job]  # no second job by itself
            if how == "Job's node went down":
                slurm_cluster.resume_node("node2")
            elif how == "Job preempted":
                slurm_cluster.login_exec(["scancel", str(preemptor)], check=True)
                slurm_cluster.wait_node_state("node2", {"idle"})
        with open_tab(timed_url):
            assert timed.proc.wait(120) == 1
        said = timed_err.all()
    finally:
        timed.stop()
    documented("Job ended by its time limit", ended_line(said, timed_job))
    assert slurm_cluster.job(timed_job).state == "TIMEOUT"  # type: ignore[union-attr]
    assert active_jobs(slurm_cluster) == []

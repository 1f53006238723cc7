"""CI smoke of the benchmark: ``bench_forward.py --quick`` runs and reports every figure
(forwarder, click, browser, the idle tray app), so the script cannot rot. The numbers
themselves are not checked: CI machines are too noisy for that (docs/benchmarks.md has a
real run)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pytest
from tests.harness import unavailable

pytestmark = pytest.mark.integration

HERE = Path(__file__).resolve().parent
SSHD = Path("/usr/sbin/sshd")


def test_quick_benchmark_reports_every_figure(tmp_path: Path) -> None:
    if not SSHD.exists():
        unavailable("OpenSSH server not installed (apt-get install openssh-server)")
    if shutil.which("chromium") is None:
        unavailable("chromium not installed (apt-get install chromium)")
    out = tmp_path / "bench.json"
    started = time.monotonic()
    run = subprocess.run(
        [sys.executable, str(HERE / "bench_forward.py"), "--quick", "--json", str(out)],
        capture_output=True,
        text=True,
        timeout=240,
    )
    took = time.monotonic() - started
    assert run.returncode == 0, run.stderr[-3000:]
    assert took < 150
    report = json.loads(out.read_text())
    check_forwarder(report)
    check_click(report["click"])
    check_browser(report["browser"])
    check_idle_app(report["idle_app"])
    for key in ("nproc", "cpu", "kernel", "openssh_client", "paramiko"):
        assert report["machine"][key], key
    for heading in ("## Forwarder", "## The click", "## The browser", "## The idle tray app"):
        assert heading in run.stdout, heading


FORWARDERS = (
    "labtunnel",
    "labtunnel Windows path",
    "labtunnel stock paramiko",
    "ssh -L",
    "ssh -L aes128-gcm",
)


def check_forwarder(report: dict[str, Any]) -> None:
    metrics = report["metrics"]
    every_target = (*FORWARDERS, "direct")
    expected = {
        "bulk_up_MBps": every_target,
        "bulk_down_MBps": every_target,
        "rtt_p50_us": every_target,
        "rtt_p99_us": every_target,
        "burst_s": every_target,
        "burst_errors": every_target,
        "concurrent_s": every_target,
        "concurrent_errors": every_target,
        "concurrent_threads": FORWARDERS,
        "cpu_up_s_per_GB": FORWARDERS,
        "cpu_down_s_per_GB": FORWARDERS,
        "cpu_s_per_GB": FORWARDERS,
        "ttfb_ms": ("labtunnel", "ssh -L"),
    }
    assert set(metrics) == set(expected)
    for metric, targets in expected.items():
        for target in targets:
            figure = metrics[metric][target]
            assert figure["min"] <= figure["median"] <= figure["max"], (metric, target)
            assert figure["median"] >= 0, (metric, target)
            if target != "ssh -L" and metrics[metric]["better"] in ("higher", "lower"):
                ratio = figure["ratio_to_ssh"]
                assert ratio is not None or metrics[metric]["ssh -L"]["median"] == 0
        for judged in ("labtunnel", "labtunnel Windows path"):
            if judged in targets:
                assert isinstance(metrics[metric]["met"][judged], (bool, type(None))), metric
    for metric in ("bulk_up_MBps", "bulk_down_MBps", "rtt_p50_us", "ttfb_ms"):
        assert metrics[metric]["labtunnel"]["median"] > 0, metric
    # errors are counted, and a working forwarder has none even in the smoke
    for metric in ("burst_errors", "concurrent_errors"):
        for target in FORWARDERS[:3]:
            assert metrics[metric][target]["max"] == 0, (metric, target)
    info = report["labtunnel"]
    assert info["labtunnel"]["cipher"] == "aes128-gcm@openssh.com"
    # each column runs the way it says: the Windows path without what Windows lacks
    assert info["labtunnel"]["has_sendmsg"] and info["labtunnel"]["has_writev"]
    assert not info["labtunnel Windows path"]["has_sendmsg"]
    assert not info["labtunnel Windows path"]["has_writev"]
    assert not info["labtunnel stock paramiko"]["fast_path"]
    assert report["labtunnel_forwarder_stats"]["connections_total"] > 0


def check_click(click: dict[str, Any]) -> None:
    for key in (
        *("cli_s", "cli_checkout_s", "ssh_s", "floor_s", "tray_s", "tray_ahead_s"),
        "tray_cold_s",
        *("first_s", "again_s", "cli_ratio", "tray_ratio", "floor_ratio", "again_ratio"),
    ):
        figure = click[key]
        assert 0 < figure["min"] <= figure["median"] <= figure["max"], key
    for table in ("steps", "floor_steps"):
        steps = {s["step"]: s["s"] for s in click[table]}
        assert len(steps) >= 7 and all(v is not None for v in steps.values()), steps
    assert any(m["module"] == "labtunnel" for m in click["imports"])
    assert set(click["met"]) == {"cli", "tray"}


def check_browser(browser: dict[str, Any]) -> None:
    assert "missing" not in browser, browser.get("missing")
    for name in ("labtunnel", "labtunnel Windows path", "ssh -L"):
        tunnel = browser["tunnels"][name]
        assert tunnel["launcher_ms"]["median"] > 0, name
        assert tunnel["launcher_samples"][0]["requests"] > 10, name  # JupyterLab loaded
        assert len(tunnel["kernel_samples_ms"]) == 20, name
        assert 0 < tunnel["kernel_p50_ms"] <= tunnel["kernel_p99_ms"], name


def check_idle_app(idle: dict[str, Any]) -> None:
    """The real tray app sat in a real tray (Xvfb + trayer), connected at start to Jupyter
    on the lab server, carried the compressed hour without errors, and every idle figure
    is there."""
    assert "missing" not in idle, idle.get("missing")
    assert idle["goals"] == {"wakeups_per_s": 1.0, "cpu_percent_below": 0.1, "rss_mb": 120.0}
    for phase in ("after_start", "connected_idle", "after_connected_hour"):
        figures = idle[phase]
        assert figures["seconds"] >= 2.5, phase
        for key in (
            *("wakeups_per_s", "cpu_percent", "cpu_ms_precise", "cpu_s_ticks"),
            *("route_changes_per_s", "gui_wakeups_after_route_changes_per_s"),
        ):
            assert isinstance(figures[key], float) and figures[key] >= 0, (phase, key)
        without = figures["wakeups_per_s_without_route_changes"]
        assert 0 <= without <= figures["wakeups_per_s"], phase
        # a Python + Qt process: tens of MB, far from nothing and from a runaway
        assert 20 < figures["rss_mb"] < 1000, phase
        met = {"wakeups", "wakeups_without_route_changes", "cpu", "rss"}
        assert set(figures["met"]) == met, phase
        assert all(isinstance(v, bool) for v in figures["met"].values()), phase
        assert figures["per_thread"], phase
    if idle["thread_names_from"] == "py-spy dump":
        for phase in ("after_start", "connected_idle"):
            names = [t["name"] for t in idle[phase]["per_thread"]]
            assert any(name.startswith("MainThread") for name in names), (phase, names)
        connected = [t["name"] for t in idle["connected_idle"]["per_thread"]]
        assert any(name.startswith("keepalive-") for name in connected), connected
    if idle["causes_from"]:
        for phase in ("connected_idle", "after_connected_hour"):
            for cause in idle[phase]["causes"]:
                assert cause["count"] > 0 and cause["thread"] and cause["cause"], cause
    assert idle["connected_idle"]["threads"] > idle["after_start"]["threads"]
    hour = idle["after_connected_hour"]["hour"]
    assert hour["short_connection_errors"] == 0
    assert hour["bytes"] > 0 and hour["short_connections"] > 0
    assert idle["exit_codes"] == [0, 0]  # both apps quit cleanly on SIGTERM


def test_quick_slurm_benchmark_reports_every_figure(tmp_path: Path) -> None:
    """``bench_slurm.py --quick``: the click to Jupyter in a new Slurm job and the
    reconnect, beside the cluster's own times, on the harness cluster."""
    if not Path("/usr/sbin/slurmctld").exists():
        unavailable("Slurm not installed (apt-get install slurmctld slurmd slurm-client munge)")
    out = tmp_path / "slurm.json"
    proc = subprocess.Popen(
        [sys.executable, str(HERE / "bench_slurm.py"), "--quick", "--json", str(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        stdout, stderr = proc.communicate(timeout=200)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, stderr[-3000:]
    # nothing of it left behind: its folder is named after its PID
    left = sorted(Path(tempfile.gettempdir()).glob(f"labtunnel-bench-{proc.pid}-*"))
    assert left == [], left
    report = json.loads(out.read_text())
    for key in (
        "cluster_sbatch_to_running_s",
        "cluster_jupyter_start_s",
        "cluster_total_s",
        "click_new_job_s",
        "reconnect_running_job_s",
        "reconnect_single_server_s",
    ):
        assert 0 < report[key] < 120, (key, report[key])
    assert "## Jupyter in a Slurm job" in stdout

"""CI smoke of the forwarder benchmark: ``bench_forward.py --quick`` runs and reports every
figure, the tray app's idle figures included, so the script cannot rot. The numbers
themselves are not checked: CI machines are too noisy for that (docs/benchmarks.md has a
real run)."""

from __future__ import annotations

import json
import subprocess
import sys
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
    out = tmp_path / "bench.json"
    started = time.monotonic()
    run = subprocess.run(
        [sys.executable, str(HERE / "bench_forward.py"), "--quick", "--json", str(out)],
        capture_output=True,
        text=True,
        timeout=90,
    )
    took = time.monotonic() - started
    assert run.returncode == 0, run.stderr[-3000:]
    assert took < 60
    report = json.loads(out.read_text())

    metrics = report["metrics"]
    forwarders = ("labtunnel", "ssh -L")
    every_target = (*forwarders, "direct")
    expected = {
        "bulk_up_MBps": every_target,
        "bulk_down_MBps": every_target,
        "rtt_p50_us": every_target,
        "rtt_p99_us": every_target,
        "burst_s": every_target,
        "burst_errors": every_target,
        "concurrent_s": every_target,
        "concurrent_errors": every_target,
        "cpu_up_s_per_GB": forwarders,
        "cpu_down_s_per_GB": forwarders,
        "cpu_s_per_GB": forwarders,
        "ttfb_ms": forwarders,
    }
    assert set(metrics) == set(expected)
    for metric, targets in expected.items():
        for target in targets:
            figure = metrics[metric][target]
            assert figure["min"] <= figure["median"] <= figure["max"], (metric, target)
            assert figure["median"] >= 0, (metric, target)
            assert figure["ratio_to_ssh"] is not None or metrics[metric]["ssh -L"]["median"] == 0
        assert isinstance(metrics[metric]["met"], (bool, type(None))), metric
    for metric in ("bulk_up_MBps", "bulk_down_MBps", "rtt_p50_us", "ttfb_ms"):
        assert metrics[metric]["labtunnel"]["median"] > 0, metric
    # errors are counted, and a working forwarder has none even in the smoke
    for metric in ("burst_errors", "concurrent_errors"):
        assert metrics[metric]["labtunnel"]["max"] == 0, metric
    assert report["labtunnel"]["labtunnel"]["cipher"] == "aes128-gcm@openssh.com"
    assert report["labtunnel_forwarder_stats"]["connections_total"] > 0
    check_idle_app(report["idle_app"])
    for key in ("nproc", "cpu", "kernel", "openssh_client", "paramiko"):
        assert report["machine"][key], key
    assert "| bulk up" in run.stdout  # the table
    assert "| connected (connect at start), idle" in run.stdout  # the idle table


def check_idle_app(idle: dict[str, Any]) -> None:
    """The real tray app was started, connected at start through the benchmark's sshd,
    carried the compressed hour without errors, and every idle figure is there."""
    assert idle["goals"] == {"wakeups_per_s": 1.0, "cpu_percent_below": 0.1, "rss_mb": 120.0}
    for phase in ("after_start", "connected_idle", "after_connected_hour"):
        figures = idle[phase]
        assert figures["seconds"] >= 2.5, phase
        for key in ("wakeups_per_s", "cpu_percent", "cpu_ms_precise", "cpu_s_ticks"):
            assert isinstance(figures[key], float) and figures[key] >= 0, (phase, key)
        # a Python + Qt process: tens of MB, far from nothing and from a runaway
        assert 20 < figures["rss_mb"] < 1000, phase
        assert set(figures["met"]) == {"wakeups", "cpu", "rss"}, phase
        assert all(isinstance(v, bool) for v in figures["met"].values()), phase
        assert figures["per_thread"], phase
    if idle["thread_names_from"] == "py-spy dump":
        for phase in ("after_start", "connected_idle"):
            names = [t["name"] for t in idle[phase]["per_thread"]]
            assert any(name.startswith("MainThread") for name in names), (phase, names)
        connected = [t["name"] for t in idle["connected_idle"]["per_thread"]]
        assert any(name.startswith("keepalive-") for name in connected), connected
    assert idle["connected_idle"]["threads"] > idle["after_start"]["threads"]
    hour = idle["after_connected_hour"]["hour"]
    assert hour["short_connection_errors"] == 0
    assert hour["bytes"] > 0 and hour["short_connections"] > 0
    assert idle["exit_codes"] == [0, 0]  # both apps quit cleanly on SIGTERM

"""CI smoke of the forwarder benchmark: ``bench_forward.py --quick`` runs and reports every
figure, so the script cannot rot. The numbers themselves are not checked: CI machines
are too noisy for that (docs/benchmarks.md has a real run)."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

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
    assert "idle_app" in report  # the tray app's hook (measured by its owner)
    for key in ("nproc", "cpu", "kernel", "openssh_client", "paramiko"):
        assert report["machine"][key], key
    assert "| bulk up" in run.stdout  # the table

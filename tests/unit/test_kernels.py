"""Kernels as the server-side helper reports them, and what each holds on the GPUs."""

from __future__ import annotations

import json

from labtunnel.core.jupyter.kernels import Kernel, parse_kernels
from labtunnel.core.server.stats import GpuProcess, GpuReading
from labtunnel.core.ssh.remote import Section


def found(payload: object) -> dict[str, Section]:
    return {"KERNELS": Section("KERNELS", json.dumps(payload), ())}


def test_idle_over_counts_only_idle_kernels() -> None:
    idle = Kernel("a", "python3", "", "idle", 0, 3600.0)
    busy = Kernel("b", "python3", "", "busy", 0, 3600.0)
    unknown = Kernel("c", "python3", "", "idle", 0, None)
    assert idle.idle_over(30) and not idle.idle_over(61)
    assert not busy.idle_over(1) and not unknown.idle_over(0)


def test_report_and_gpu_use_of_a_kernel_and_its_children() -> None:
    reading = GpuReading(
        processes=(
            GpuProcess(10, "GPU-a", 1000),
            GpuProcess(11, "GPU-b", 24),
            GpuProcess(99, "GPU-a", 5),
        )
    )
    report = parse_kernels(
        found(
            {
                "kernels": [
                    {
                        "id": "k1",
                        "name": "python3",
                        "notebook": "a.ipynb",
                        "execution_state": "idle",
                        "connections": 1,
                        "idle_seconds": 90,
                        "pids": [10, 11, "x"],
                    },
                    {"id": "k2", "name": "ir", "pids": []},
                    {"name": "no id"},
                    "junk",
                ],
                "error": "",
                "server_cuda": "1",
                "server_cuda_known": True,
            }
        ),
        reading,
    )
    assert [k.id for k in report.kernels] == ["k1", "k2"]
    first = report.kernels[0]
    assert first.pids == (10, 11) and first.idle_seconds == 90.0
    use = report.use_of(first)
    assert (use.used_mib, use.gpu_uuids) == (1024, ("GPU-a", "GPU-b"))
    assert not report.use_of(report.kernels[1]).uses_gpu
    assert (report.server_cuda, report.server_cuda_known) == ("1", True)


def test_memory_not_reported_for_one_process_is_not_reported_at_all() -> None:
    reading = GpuReading(processes=(GpuProcess(10, "GPU-a", 1000), GpuProcess(11, "GPU-a", None)))
    kernel = Kernel("k", "python3", "", "idle", 0, 1.0, (10, 11))
    report = parse_kernels(found({"kernels": []}), reading)
    assert report.use_of(kernel).used_mib is None


def test_unanswered_or_refused_listings() -> None:
    assert parse_kernels({}).error == "no_answer"
    assert parse_kernels({"KERNELS": Section("KERNELS", "{not json", ())}).error == "no_answer"
    assert parse_kernels({"KERNELS-NOPY": Section("KERNELS-NOPY", "", ())}).error == "no_python"
    assert parse_kernels(found({"kernels": [], "error": "http 403"})).error == "http 403"

"""Server-at-a-glance: the parser on real-looking outputs, and the script run by a real sh."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from tests.unit.remote_helpers import LocalShRunner, marked

from labtunnel.core.errors import RemoteCommandFailed
from labtunnel.core.server.stats import (
    STATS_SCRIPT,
    GpuStat,
    gather_server_stats,
    parse_nvidia_smi,
    parse_server_stats,
)
from labtunnel.core.ssh.remote import SCRIPT_COMMAND, CommandResult

MEMINFO = """\
MemTotal:       131912344 kB
MemFree:         2034512 kB
MemAvailable:   98765432 kB
Buffers:          123456 kB
Cached:         80000000 kB
"""

TWO_GPUS = """\
0, NVIDIA GeForce GTX 1080 Ti, 97, 10893, 11264
1, NVIDIA GeForce GTX 1080 Ti, 0, 2, 11264
"""


def output(gpu_part: str, *, banner: str = "", meminfo: str = MEMINFO) -> str:
    return (
        f"{banner}@@LT:HOST\nlabserver\n@@LT:NPROC\n48\n"
        "@@LT:LOADAVG\n3.52 2.10 1.05 4/1234 98765\n"
        f"@@LT:MEMINFO\n{meminfo}{gpu_part}@@LT:END\n"
    )


def test_two_busy_gpus_and_the_rest() -> None:
    stats = parse_server_stats(output(f"@@LT:GPU\n{TWO_GPUS}@@LT:GPU-EXIT 0\n"), "@@LT:")
    assert stats.gpus == (
        GpuStat(0, "NVIDIA GeForce GTX 1080 Ti", 97, 10893, 11264),
        GpuStat(1, "NVIDIA GeForce GTX 1080 Ti", 0, 2, 11264),
    )
    assert stats.gpu_status == "ok" and stats.gpu_error == ""
    assert (stats.load_1, stats.load_5, stats.load_15) == (3.52, 2.10, 1.05)
    assert stats.cpu_count == 48
    assert stats.mem_total_mib == 131912344 // 1024
    assert stats.mem_available_mib == 98765432 // 1024
    assert stats.hostname == "labserver"


def test_not_available_fields_become_none() -> None:
    text = "0, Tesla K80, [N/A], [N/A], 11441\n1, Tesla K80, [Not Supported], 5, [N/A]\n"
    stats = parse_server_stats(output(f"@@LT:GPU\n{text}@@LT:GPU-EXIT 0\n"), "@@LT:")
    assert stats.gpus == (
        GpuStat(0, "Tesla K80", None, None, 11441),
        GpuStat(1, "Tesla K80", None, 5, None),
    )
    assert stats.gpu_status == "ok"


def test_no_nvidia_smi_means_no_gpus() -> None:
    stats = parse_server_stats(output("@@LT:GPU-ABSENT\n"), "@@LT:")
    assert stats.gpus == ()
    assert stats.gpu_status == "absent"
    assert stats.cpu_count == 48


def test_failing_nvidia_smi_is_reported_not_parsed() -> None:
    message = (
        "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. "
        "Make sure that the latest NVIDIA driver is installed and running."
    )
    stats = parse_server_stats(output(f"@@LT:GPU\n{message}\n@@LT:GPU-EXIT 9\n"), "@@LT:")
    assert stats.gpus == ()
    assert stats.gpu_status == "error"
    assert "couldn't communicate" in stats.gpu_error


def test_name_with_comma_and_login_banner_noise() -> None:
    banner = "Welcome to the lab server!\n@@ not a marker\n0, 1, 2, 3, 4\n"
    text = "0, NVIDIA A100-SXM4-40GB, MIG 1g.5gb, 12, 100, 40960\n"
    stats = parse_server_stats(output(f"@@LT:GPU\n{text}@@LT:GPU-EXIT 0\n", banner=banner), "@@LT:")
    assert stats.gpus == (GpuStat(0, "NVIDIA A100-SXM4-40GB, MIG 1g.5gb", 12, 100, 40960),)


def test_old_kernel_without_memavailable() -> None:
    meminfo = "MemTotal: 4096000 kB\nMemFree: 1024000 kB\nBuffers: 102400 kB\nCached: 512000 kB\n"
    stats = parse_server_stats(output("@@LT:GPU-ABSENT\n", meminfo=meminfo), "@@LT:")
    assert stats.mem_total_mib == 4000
    assert stats.mem_available_mib == (1024000 + 102400 + 512000) // 1024


def test_missing_parts_are_none_not_errors() -> None:
    stats = parse_server_stats("@@LT:HOST\nmac\n@@LT:NPROC\n@@LT:LOADAVG\n@@LT:END\n", "@@LT:")
    assert stats.hostname == "mac"
    assert stats.cpu_count is None
    assert stats.load_1 is None
    assert stats.mem_total_mib is None


def test_nvidia_smi_parser_separates_rows_from_messages() -> None:
    gpus, other = parse_nvidia_smi("0, GPU A, 1, 2, 3\nNo devices were found\n\n")
    assert gpus == (GpuStat(0, "GPU A", 1, 2, 3),)
    assert other == ["No devices were found"]


class RecordingRunner:
    def __init__(self, result: CommandResult) -> None:
        self.result = result
        self.calls: list[tuple[str, float, bytes | None]] = []

    def run(self, command: str, *, timeout: float, stdin: bytes | None = None) -> CommandResult:
        self.calls.append((command, timeout, stdin))
        result = self.result
        return CommandResult(result.exit_status, marked(stdin, result.stdout), result.stderr)


def test_gather_is_one_command_with_a_timeout() -> None:
    runner = RecordingRunner(CommandResult(0, output("@@LT:GPU-ABSENT\n"), ""))
    stats = gather_server_stats(runner, timeout=7.0)
    assert stats.cpu_count == 48
    [(command, timeout, stdin)] = runner.calls
    assert command == SCRIPT_COMMAND
    assert timeout == 7.0
    assert stdin is not None and b" --query-gpu=index,name," in stdin


def test_gather_without_end_marker_is_a_failure() -> None:
    runner = RecordingRunner(CommandResult(127, "", "sh: 1: exec: bash: not found\n"))
    with pytest.raises(RemoteCommandFailed) as caught:
        gather_server_stats(runner)
    assert caught.value.exit_status == 127


@pytest.mark.posix
def test_script_with_real_sh_and_fake_nvidia_smi(tmp_path: Path) -> None:
    # a login shell resets PATH (/etc/profile): the user's ~/.profile puts ~/bin on it
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "nvidia-smi"
    fake.write_text(f"#!/bin/sh\ncat <<'EOF'\n{TWO_GPUS}EOF\n")
    fake.chmod(0o755)
    (tmp_path / ".profile").write_text('PATH="$HOME/bin:$PATH"\n')
    stats = gather_server_stats(LocalShRunner(tmp_path))
    assert [g.utilization_pct for g in stats.gpus] == [97, 0]
    assert stats.cpu_count == os.cpu_count()
    assert stats.mem_total_mib is not None and stats.mem_total_mib > 0
    assert stats.load_1 is not None


@pytest.mark.posix
def test_script_with_real_sh_and_no_gpu(tmp_path: Path) -> None:
    runner = LocalShRunner(tmp_path)
    if any(Path(p, "nvidia-smi").exists() for p in runner.env["PATH"].split(":")):
        pytest.skip("this machine has a real nvidia-smi")
    stats = gather_server_stats(runner)
    assert stats.gpus == () and stats.gpu_status == "absent"
    assert stats.hostname == os.uname().nodename


@pytest.mark.posix
def test_script_is_plain_posix() -> None:
    assert "--query-gpu=index,name,utilization.gpu,memory.used,memory.total" in STATS_SCRIPT
    assert "--format=csv,noheader,nounits" in STATS_SCRIPT
    done = subprocess.run(["/bin/sh", "-n"], input=STATS_SCRIPT.encode(), check=False)
    assert done.returncode == 0

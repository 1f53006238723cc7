"""nvidia-smi as real drivers print it (tests/harness/nvidia_smi.py), parsed, and the GPU
setting of a profile applied to it when Jupyter starts."""

from __future__ import annotations

import pytest
from tests.harness.nvidia_smi import A100, A100_MIG, A6000, GTX, SCENARIOS, V100, script_output

from labtunnel.core.jupyter.gpus import GpuNote, choose_gpus, visible_gpus
from labtunnel.core.profiles.model import GpuSetting
from labtunnel.core.server.stats import (
    GpuProcess,
    GpuReading,
    GpuStatus,
    MigDevice,
    parse_server_stats,
)
from labtunnel.core.ssh.remote import sections

KERNEL_PID = 4242


def reading(scenario: str) -> GpuReading:
    text = "@@LT:HOST\nlab\n" + script_output(SCENARIOS[scenario], {"kernel": KERNEL_PID})
    return parse_server_stats(text + "@@LT:END\n", "@@LT:").gpu_reading


def choose(setting: str, scenario: str):  # type: ignore[no-untyped-def]
    return choose_gpus(GpuSetting.parse(setting), reading(scenario))


def test_r535_gpus_uuids_and_processes() -> None:
    got = reading("r535-two-gpus")
    assert got.status is GpuStatus.OK
    assert [(g.index, g.uuid, g.memory_used_mib) for g in got.gpus] == [
        (0, A6000[0], 40312),
        (1, A6000[1], 3),
    ]
    assert got.processes == (
        GpuProcess(31337, A6000[0], 37800),
        GpuProcess(KERNEL_PID, A6000[0], 2506),
    )
    assert len(got.processes_on(got.gpus[0])) == 2 and got.processes_on(got.gpus[1]) == ()


def test_no_processes_is_no_rows() -> None:
    got = reading("r470-idle")
    assert len(got.gpus) == 4 and got.processes == ()
    assert [g.uuid for g in got.gpus] == list(GTX)


def test_mig_devices_in_both_uuid_forms() -> None:
    got = reading("r525-mig")
    a100, v100 = got.gpus
    assert a100.utilization_pct is None  # [N/A] in MIG mode
    assert a100.mig_devices == (
        MigDevice(0, "3g.20gb", A100_MIG[0]),
        MigDevice(1, "3g.20gb", A100_MIG[1]),
    )
    assert v100.uuid == V100 and v100.mig_devices == ()
    assert GpuProcess(KERNEL_PID, A100, None) in got.processes  # memory not reported
    old = reading("r450-mig").gpus[0]
    assert [d.uuid for d in old.mig_devices] == [f"MIG-{A100}/7/0", f"MIG-{A100}/8/0"]


def test_old_geforce_without_per_process_memory() -> None:
    assert reading("r418-geforce").processes == (GpuProcess(KERNEL_PID, GTX[0], None),)


@pytest.mark.parametrize("scenario", ["no-driver", "version-mismatch"])
def test_a_failing_driver_is_an_error_and_nothing_more_is_asked(scenario: str) -> None:
    got = reading(scenario)
    assert got.status is GpuStatus.ERROR and got.gpus == () and got.processes == ()
    assert "NVIDIA" in got.error or "NVML" in got.error
    names = [s.name for s in sections(script_output(SCENARIOS[scenario]), "@@LT:")]
    assert "GPU-LIST" not in names and "GPU-APPS" not in names


def test_failing_listing_keeps_the_gpus() -> None:
    text = (
        "@@LT:GPU\n0, NVIDIA RTX A6000, 1, 2, 49140\n@@LT:GPU-EXIT 0\n"
        "@@LT:GPU-LIST\nUnable to determine the device handle for GPU 0000:41:00.0\n"
        "@@LT:GPU-LIST-EXIT 15\n@@LT:GPU-APPS\n@@LT:GPU-APPS-EXIT 0\n@@LT:END\n"
    )
    got = parse_server_stats(text, "@@LT:").gpu_reading
    assert got.status is GpuStatus.OK and got.gpus[0].uuid == "" and got.gpus[0].index == 0


# --- choosing -------------------------------------------------------------------------


def test_any_free_gpu_is_the_idle_one() -> None:
    chosen = choose("any", "r535-two-gpus")
    assert (chosen.visible_devices, chosen.gpus, chosen.note) == ("1", (1,), None)
    # all idle: 1 MiB against 2 MiB is noise (under 0.1 % of memory), the lowest number wins
    assert choose("any", "r470-idle").visible_devices == "0"


def test_when_every_gpu_is_busy_the_least_busy_one_and_a_note() -> None:
    busy = GpuReading(
        reading("r535-two-gpus").gpus,
        GpuStatus.OK,
        processes=(GpuProcess(1, A6000[0], 100), GpuProcess(2, A6000[1], 100)),
    )
    chosen = choose_gpus(GpuSetting(), busy)
    assert (chosen.visible_devices, chosen.note) == ("1", GpuNote.NONE_FREE)


def test_a_fixed_gpu_all_and_none() -> None:
    assert choose("0", "r535-two-gpus").visible_devices == "0"
    assert choose("all", "r470-idle").visible_devices == "0,1,2,3"
    none = choose("none", "r535-two-gpus")
    assert (none.visible_devices, none.gpus, none.applied) == ("", (), True)


def test_a_gpu_the_server_does_not_have() -> None:
    chosen = choose("5", "r535-two-gpus")
    assert (chosen.visible_devices, chosen.note, chosen.missing) == ("1", GpuNote.MISSING, (5,))
    partly = choose("1,7", "r535-two-gpus")
    assert (partly.visible_devices, partly.note, partly.missing) == ("1", GpuNote.MISSING, (7,))


def test_mig_gpus_come_after_whole_ones_and_are_given_by_uuid() -> None:
    # the V100 is busy, the A100 is split: "any" still prefers a whole GPU when free...
    chosen = choose("any", "r525-mig")
    assert chosen.gpus == (1,) and chosen.note == GpuNote.NONE_FREE
    # ...and a MIG device is named by its UUID
    fixed = choose("0", "r525-mig")
    assert (fixed.visible_devices, fixed.mig_devices, fixed.note) == (
        A100_MIG[0],
        (A100_MIG[0],),
        GpuNote.MIG,
    )
    everything = choose("all", "r525-mig")
    assert everything.visible_devices == f"{A100_MIG[0]},{A100_MIG[1]},{V100}"
    only_mig = choose("any", "r450-mig")
    assert only_mig.visible_devices == f"MIG-{A100}/7/0" and only_mig.note == GpuNote.MIG


def test_without_nvidia_smi_nothing_is_applied() -> None:
    for setting in ("any", "all", "none", "1"):
        chosen = choose_gpus(GpuSetting.parse(setting), GpuReading())
        assert (chosen.visible_devices, chosen.note) == (None, GpuNote.NO_NVIDIA_SMI)


def test_with_a_broken_driver_only_explicit_settings_apply() -> None:
    assert choose("any", "no-driver").visible_devices is None
    assert choose("all", "no-driver").visible_devices is None
    assert choose("1", "no-driver").visible_devices == "1"
    assert choose("none", "no-driver").visible_devices == ""
    assert choose("1", "no-driver").note == GpuNote.NVIDIA_SMI_FAILED


def test_visible_gpus_of_a_running_jupyter() -> None:
    mig = reading("r525-mig")
    assert visible_gpus(None, mig) is None
    assert visible_gpus("", mig) == ()
    assert visible_gpus("1", mig) == (1,)
    assert visible_gpus(A100_MIG[1], mig) == (0,)
    assert visible_gpus(V100[:12], mig) == (1,)  # CUDA accepts UUID prefixes
    assert visible_gpus("0,-1,1", mig) == (0,)  # CUDA stops at an invalid index

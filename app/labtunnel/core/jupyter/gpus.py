"""Which GPUs a Jupyter that LabTunnel starts gets: the profile's GPU setting applied to
what nvidia-smi says when it starts (:mod:`labtunnel.core.server.stats`).

Jupyter is started with ``CUDA_VISIBLE_DEVICES`` set, so every kernel it starts inherits
it. "Any free GPU" is the least loaded one: no compute processes first, then the least
memory in use, then the lowest utilization. A GPU in MIG mode cannot be used whole: CUDA
sees its MIG devices (by UUID); nvidia-smi does not tell other users which of them are in
use, so such a GPU comes after every GPU that is not split, and Jupyter gets its first
device.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import Enum

from labtunnel.core.profiles.model import GpuMode, GpuSetting
from labtunnel.core.server.stats import GpuReading, GpuStat, GpuStatus

#: below this share of its memory in use (and without compute processes) a GPU is free
FREE_MEMORY_SHARE = 0.05


class GpuNote(str, Enum):
    NO_NVIDIA_SMI = "no_nvidia_smi"  # no GPU setting applied
    NVIDIA_SMI_FAILED = "nvidia_smi_failed"  # any/all not applied; n/none applied as asked
    NONE_FREE = "none_free"  # every GPU is in use: Jupyter got the least busy one
    MISSING = "missing"  # the GPU(s) asked for are not on this server
    MIG = "mig"  # Jupyter got a MIG device of a split GPU


@dataclass(frozen=True)
class GpuAssignment:
    """What LabTunnel chose for a Jupyter it started."""

    setting: GpuSetting
    #: the value of CUDA_VISIBLE_DEVICES Jupyter starts with; None: left as the login
    #: shell has it
    visible_devices: str | None
    #: the GPUs (nvidia-smi's indices) it may use
    gpus: tuple[int, ...] = ()
    #: MIG devices (UUIDs) among them
    mig_devices: tuple[str, ...] = ()
    note: GpuNote | None = None
    #: GPUs the profile asks for that the server does not have (with GpuNote.MISSING)
    missing: tuple[int, ...] = ()

    @property
    def applied(self) -> bool:
        return self.visible_devices is not None


def choose_gpus(setting: GpuSetting, reading: GpuReading) -> GpuAssignment:
    """Apply ``setting`` to what nvidia-smi said."""
    if reading.status is GpuStatus.ABSENT:
        return GpuAssignment(setting, None, note=GpuNote.NO_NVIDIA_SMI)
    if setting.mode is GpuMode.NONE:
        note = GpuNote.NVIDIA_SMI_FAILED if reading.status is GpuStatus.ERROR else None
        return GpuAssignment(setting, "", note=note)
    if reading.status is not GpuStatus.OK or not reading.gpus:
        if setting.mode is GpuMode.FIXED:
            # asked for by number: the user knows the machine better than a broken driver
            devices = ",".join(str(i) for i in setting.indices)
            return GpuAssignment(setting, devices, setting.indices, note=GpuNote.NVIDIA_SMI_FAILED)
        return GpuAssignment(setting, None, note=GpuNote.NVIDIA_SMI_FAILED)
    by_index = {g.index: g for g in reading.gpus}
    if setting.mode is GpuMode.ALL:
        return _assign(setting, reading.gpus, everything=True)
    if setting.mode is GpuMode.FIXED:
        present = tuple(by_index[i] for i in setting.indices if i in by_index)
        missing = tuple(i for i in setting.indices if i not in by_index)
        if present:
            chosen = _assign(setting, present, everything=False)
            if missing and chosen.note is None:
                return replace(chosen, note=GpuNote.MISSING, missing=missing)
            return replace(chosen, missing=missing)
        # none of them exists: the freest one, and the tray says why
        return replace(_least_loaded(setting, reading), note=GpuNote.MISSING, missing=missing)
    return _least_loaded(setting, reading)


def is_free(gpu: GpuStat, reading: GpuReading) -> bool:
    if reading.processes_on(gpu):
        return False
    if gpu.memory_used_mib is None or not gpu.memory_total_mib:
        return True  # no process on it, and no figure that says otherwise
    return gpu.memory_used_mib < FREE_MEMORY_SHARE * gpu.memory_total_mib


def load_key(gpu: GpuStat, reading: GpuReading) -> tuple[int, int, float, int, int]:
    """Sort key: smaller is less loaded."""
    share = (
        gpu.memory_used_mib / gpu.memory_total_mib
        if gpu.memory_used_mib is not None and gpu.memory_total_mib
        else 0.5
    )
    busy = gpu.utilization_pct if gpu.utilization_pct is not None else 50
    return (
        1 if gpu.mig_devices else 0,
        len(reading.processes_on(gpu)),
        round(share, 3),
        busy,
        gpu.index,
    )


def _least_loaded(setting: GpuSetting, reading: GpuReading) -> GpuAssignment:
    ranked = sorted(reading.gpus, key=lambda g: load_key(g, reading))
    best = ranked[0]
    chosen = _assign(setting, (best,), everything=False)
    if not is_free(best, reading) and chosen.note is None:
        return replace(chosen, note=GpuNote.NONE_FREE)
    return chosen


def _assign(setting: GpuSetting, gpus: tuple[GpuStat, ...], *, everything: bool) -> GpuAssignment:
    """CUDA_VISIBLE_DEVICES for ``gpus``: indices, or UUIDs as soon as a MIG device is
    among them (CUDA wants MIG devices by UUID; one list uses one form)."""
    migs: list[str] = []
    for gpu in gpus:
        if gpu.mig_devices:
            devices = gpu.mig_devices if everything else gpu.mig_devices[:1]
            migs.extend(device.uuid for device in devices)
    if migs:
        entries: list[str] = []
        for gpu in gpus:
            if gpu.mig_devices:
                devices = gpu.mig_devices if everything else gpu.mig_devices[:1]
                entries.extend(device.uuid for device in devices)
            else:
                entries.append(gpu.uuid or str(gpu.index))
        visible = ",".join(entries)
        return GpuAssignment(setting, visible, _indices(gpus), tuple(migs), note=GpuNote.MIG)
    return GpuAssignment(setting, ",".join(str(g.index) for g in gpus), _indices(gpus))


def _indices(gpus: tuple[GpuStat, ...]) -> tuple[int, ...]:
    return tuple(g.index for g in gpus)


def visible_gpus(value: str | None, reading: GpuReading) -> tuple[int, ...] | None:
    """The GPU indices a CUDA_VISIBLE_DEVICES value (of a running Jupyter) names, as far
    as nvidia-smi's listing tells; None when it is not set (every GPU)."""
    if value is None:
        return None
    found: list[int] = []
    for entry in (e.strip() for e in value.split(",")):
        if not entry:
            continue
        if entry.lstrip("-").isdigit():
            number = int(entry)
            if number < 0:
                break  # CUDA stops at an invalid index
            if any(g.index == number for g in reading.gpus):
                found.append(number)
            continue
        for gpu in reading.gpus:
            names = [gpu.uuid, *(d.uuid for d in gpu.mig_devices)]
            if any(name and name.startswith(entry) for name in names):
                found.append(gpu.index)
                break
    return tuple(dict.fromkeys(found))

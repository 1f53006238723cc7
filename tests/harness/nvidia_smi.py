"""A fake ``nvidia-smi`` for lab servers without GPUs: it answers the three scripting
queries LabTunnel makes with outputs in the documented formats of real driver releases.

    install_fake_nvidia_smi(lab, user, "r535-two-gpus", pids={"kernel": 4242})
    remove_fake_nvidia_smi(lab, user)

The script goes to ``~/bin/nvidia-smi`` (Debian's ``~/.profile`` puts ``~/bin`` on PATH at
login, exactly where users put tools), its answers to ``~/.fake-nvidia-smi/``. It checks
its arguments like the real one does (an unknown query field or flag: exit 2), so a
changed query in LabTunnel fails the tests instead of reading canned text. ``{name}`` in a
scenario's compute-apps rows becomes ``pids[name]``: real processes of the test user (a
kernel really holding GPU memory is out of reach here; the matching is what is tested).

Formats, from NVIDIA's nvidia-smi documentation and driver release output:

- ``--query-gpu=... --format=csv,noheader,nounits``: one row per GPU, comma+space
  separated; unsupported values are ``[N/A]`` or ``[Not Supported]``; in MIG mode
  ``utilization.gpu`` is ``[N/A]``.
- ``-L``: ``GPU i: NAME (UUID: GPU-...)``; in MIG mode each MIG device on an indented line
  ``MIG 1g.5gb Device 0: (UUID: MIG-...)`` (R470 and later; R450/R460 wrote
  ``MIG-GPU-<gpu uuid>/<gi>/<ci>``).
- ``--query-compute-apps=gpu_uuid,pid,used_memory --format=csv,noheader,nounits``: one row
  per process, nothing at all when none runs; ``used_memory`` is ``[N/A]`` where the
  driver does not tell (MIG for non-root users) and ``[Not Supported]`` on old GeForce.
- A broken driver: a sentence on stdout, exit status 9 (driver not loaded) or 18 (NVML
  driver/library version mismatch).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .lab import LabServer
    from .users import TestUser

GPU_ARGS = (
    "--query-gpu=index,name,utilization.gpu,memory.used,memory.total --format=csv,noheader,nounits"
)
LIST_ARGS = "-L"
APPS_ARGS = "--query-compute-apps=gpu_uuid,pid,used_memory --format=csv,noheader,nounits"

A6000 = ("GPU-3f5e2c1a-9b7d-4e8f-a1c2-7d6e5f4a3b21", "GPU-8a9b0c1d-2e3f-4a5b-8c7d-1e2f3a4b5c6d")
GTX = (
    "GPU-0b6f3c9e-1d2a-8e47-5b3c-9f0e1d2c3b4a",
    "GPU-1c7a4d0f-2e3b-9f58-6c4d-0a1f2e3d4c5b",
    "GPU-2d8b5e1a-3f4c-0a69-7d5e-1b2a3f4e5d6c",
    "GPU-3e9c6f2b-4a5d-1b7a-8e6f-2c3b4a5f6e7d",
)
A100 = "GPU-5d5ba0d6-d33d-2b2c-524d-9e3d8d2b8a77"
A100_MIG = (
    "MIG-c6d4f1ef-42e4-5de3-91c7-45d71c87eb3f",
    "MIG-cba663e8-9bed-5b25-b243-5985ef7c9beb",
)
V100 = "GPU-9f8e7d6c-5b4a-3c2d-1e0f-a9b8c7d6e5f4"


@dataclass(frozen=True)
class Answer:
    stdout: str
    exit_status: int = 0


@dataclass(frozen=True)
class Scenario:
    """What one machine's nvidia-smi prints for each query LabTunnel makes."""

    gpu: Answer
    listing: Answer = field(default_factory=lambda: Answer(""))
    apps: Answer = field(default_factory=lambda: Answer(""))


NO_DRIVER = Answer(
    "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. Make sure "
    "that the latest NVIDIA driver is installed and running.\n\n",
    9,
)

SCENARIOS: dict[str, Scenario] = {
    # R535, two RTX A6000 (48 GiB): GPU 0 busy with someone's training run and a kernel
    # of the test user ({kernel}), GPU 1 almost idle
    "r535-two-gpus": Scenario(
        gpu=Answer("0, NVIDIA RTX A6000, 97, 40312, 49140\n1, NVIDIA RTX A6000, 0, 3, 49140\n"),
        listing=Answer(
            f"GPU 0: NVIDIA RTX A6000 (UUID: {A6000[0]})\n"
            f"GPU 1: NVIDIA RTX A6000 (UUID: {A6000[1]})\n"
        ),
        apps=Answer(f"{A6000[0]}, 31337, 37800\n{A6000[0]}, {{kernel}}, 2506\n"),
    ),
    # R470, four GTX 1080 Ti, nothing running: no compute-apps rows at all
    "r470-idle": Scenario(
        gpu=Answer(
            "0, NVIDIA GeForce GTX 1080 Ti, 0, 2, 11264\n"
            "1, NVIDIA GeForce GTX 1080 Ti, 0, 1, 11264\n"
            "2, NVIDIA GeForce GTX 1080 Ti, 0, 1, 11264\n"
            "3, NVIDIA GeForce GTX 1080 Ti, 0, 1, 11264\n"
        ),
        listing=Answer(
            "".join(f"GPU {i}: NVIDIA GeForce GTX 1080 Ti (UUID: {GTX[i]})\n" for i in range(4))
        ),
    ),
    # R525, one A100 split into two MIG devices, one V100 (not split) that is busy;
    # utilization is [N/A] in MIG mode, per-process memory [N/A] for non-root users
    "r525-mig": Scenario(
        gpu=Answer(
            "0, NVIDIA A100-SXM4-40GB, [N/A], 5120, 40960\n"
            "1, Tesla V100-SXM2-32GB, 88, 30100, 32768\n"
        ),
        listing=Answer(
            f"GPU 0: NVIDIA A100-SXM4-40GB (UUID: {A100})\n"
            f"  MIG 3g.20gb     Device  0: (UUID: {A100_MIG[0]})\n"
            f"  MIG 3g.20gb     Device  1: (UUID: {A100_MIG[1]})\n"
            f"GPU 1: Tesla V100-SXM2-32GB (UUID: {V100})\n"
        ),
        apps=Answer(f"{A100}, {{kernel}}, [N/A]\n{V100}, 4711, 29800\n"),
    ),
    # R450 wrote MIG device UUIDs as MIG-GPU-<gpu uuid>/<gpu instance>/<compute instance>
    "r450-mig": Scenario(
        gpu=Answer("0, A100-SXM4-40GB, [N/A], 0, 40537\n"),
        listing=Answer(
            f"GPU 0: A100-SXM4-40GB (UUID: {A100})\n"
            f"  MIG 1g.5gb Device 0: (UUID: MIG-{A100}/7/0)\n"
            f"  MIG 1g.5gb Device 1: (UUID: MIG-{A100}/8/0)\n"
        ),
    ),
    # R418, an old GeForce: per-process memory not supported
    "r418-geforce": Scenario(
        gpu=Answer("0, GeForce GTX 1080, 3, 812, 8119\n"),
        listing=Answer(f"GPU 0: GeForce GTX 1080 (UUID: {GTX[0]})\n"),
        apps=Answer(f"{GTX[0]}, {{kernel}}, [Not Supported]\n"),
    ),
    # the driver is not loaded (after a kernel update without reboot, say)
    "no-driver": Scenario(gpu=NO_DRIVER, listing=NO_DRIVER, apps=NO_DRIVER),
    # the library and the loaded driver differ (a driver update without reboot)
    "version-mismatch": Scenario(
        gpu=Answer("Failed to initialize NVML: Driver/library version mismatch\n", 18),
        listing=Answer("Failed to initialize NVML: Driver/library version mismatch\n", 18),
        apps=Answer("Failed to initialize NVML: Driver/library version mismatch\n", 18),
    ),
}

_FAKE = """#!/bin/sh
# fake nvidia-smi of the LabTunnel test harness (tests/harness/nvidia_smi.py)
d="$HOME/.fake-nvidia-smi"
case "$*" in
  "$(cat "$d/gpu.args")") f=gpu;;
  "$(cat "$d/listing.args")") f=listing;;
  "$(cat "$d/apps.args")") f=apps;;
  *) echo "Invalid combination of input arguments: $*" >&2
     echo "Please run 'nvidia-smi -h' for help." >&2
     exit 2;;
esac
cat "$d/$f.out"
exit "$(cat "$d/$f.exit")"
"""


def render(scenario: Scenario, pids: Mapping[str, int] | None = None) -> dict[str, str]:
    """The files of the fake (name -> content) for ``scenario``."""
    values = {name: str(pid) for name, pid in (pids or {}).items()}
    files: dict[str, str] = {}
    for name, args, answer in (
        ("gpu", GPU_ARGS, scenario.gpu),
        ("listing", LIST_ARGS, scenario.listing),
        ("apps", APPS_ARGS, scenario.apps),
    ):
        text = answer.stdout
        for key, pid in values.items():
            text = text.replace("{" + key + "}", pid)
        files[f"{name}.args"] = args + "\n"
        files[f"{name}.out"] = text
        files[f"{name}.exit"] = f"{answer.exit_status}\n"
    return files


def script_output(scenario: Scenario, pids: Mapping[str, int] | None = None) -> str:
    """What LabTunnel's NVIDIA_SMI_SCRIPT prints with this fake (for unit tests)."""
    files = render(scenario, pids)
    text = f"@@LT:GPU\n{files['gpu.out']}@@LT:GPU-EXIT {scenario.gpu.exit_status}\n"
    if scenario.gpu.exit_status == 0:
        text += f"@@LT:GPU-LIST\n{files['listing.out']}@@LT:GPU-LIST-EXIT "
        text += f"{scenario.listing.exit_status}\n"
        text += f"@@LT:GPU-APPS\n{files['apps.out']}@@LT:GPU-APPS-EXIT "
        text += f"{scenario.apps.exit_status}\n"
    return text


def install_fake_nvidia_smi(
    lab: LabServer, user: TestUser, scenario: str, pids: Mapping[str, int] | None = None
) -> str:
    """Put the fake on ``user``'s PATH answering like ``scenario``; returns its path."""
    for name, content in render(SCENARIOS[scenario], pids).items():
        lab.write_user_file(user, f".fake-nvidia-smi/{name}", content, mode=0o644)
    return lab.write_user_file(user, "bin/nvidia-smi", _FAKE, mode=0o755)


def remove_fake_nvidia_smi(lab: LabServer, user: TestUser) -> None:
    lab.ns_exec(["rm", "-rf", f"{user.home}/bin/nvidia-smi", f"{user.home}/.fake-nvidia-smi"])

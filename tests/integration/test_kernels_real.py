"""The user's kernels against the real lab server: a real JupyterLab, real kernels started
through the tunnel, their processes found on the server among the user's own, their GPU
memory from a fake nvidia-smi whose compute-apps rows name those real process ids
(tests/harness/nvidia_smi.py), shutting kernels down, the CLI, and another user's
kernels never listed even when nvidia-smi shows their processes."""

from __future__ import annotations

import contextlib
import json
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.harness import LabServer, TestUser
from tests.harness.nvidia_smi import (
    A6000,
    install_fake_nvidia_smi,
    remove_fake_nvidia_smi,
)
from tests.integration.test_cli_real import cli_env, labtunnel
from tests.integration.test_jupyter_real import (
    http_call,
    kill_if_users,
    manager,
    open_session,
)

from labtunnel.core.jupyter.kernels import gather_glance, list_kernels, shutdown_kernels
from labtunnel.core.jupyter.server import JupyterServer
from labtunnel.core.ssh.session import SshSession
from labtunnel.core.tunnel.forwarder import LocalForwarder
from labtunnel.messages.glance import describe_kernel

pytestmark = pytest.mark.integration


def kernel_pid(user: TestUser, kernel_id: str) -> int:
    """The kernel's process, found the way a person would: its connection file."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            if entry.stat().st_uid == user.uid:
                cmdline = (entry / "cmdline").read_bytes()
                if f"kernel-{kernel_id}.json".encode() in cmdline:
                    return int(entry.name)
    raise AssertionError(f"no process for kernel {kernel_id}")


def start_kernel(port: int, server: JupyterServer, notebook: str | None) -> str:
    """A kernel, in a session for ``notebook`` when given (as JupyterLab opens one)."""
    if notebook is None:
        status, _, body = http_call(
            port, "POST", f"{server.base_url}api/kernels", server.token, json.dumps({})
        )
        assert status == 201, body
        return str(json.loads(body)["id"])
    request = {
        "path": notebook,
        "name": notebook,
        "type": "notebook",
        "kernel": {"name": "python3"},
    }
    status, _, body = http_call(
        port, "POST", f"{server.base_url}api/sessions", server.token, json.dumps(request)
    )
    assert status == 201, body
    return str(json.loads(body)["kernel"]["id"])


class Served:
    def __init__(self, session: SshSession, server: JupyterServer, forward: LocalForwarder) -> None:
        self.session, self.server, self.forward = session, server, forward


@pytest.fixture(scope="module")
def served(lab_server: LabServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    lab_server.require_jupyter()
    tmp = tmp_path_factory.mktemp("kernels-real")
    session = open_session(lab_server, lab_server.user, tmp)
    server: JupyterServer | None = None
    try:
        server = manager(session, lab_server, tmp / "state.json", "kernels").start()
        with LocalForwarder(session.open_channel, (server.host, server.port)) as forward:
            yield Served(session, server, forward)
            manager(session, lab_server, tmp / "state.json", "kernels").stop(server)
    finally:
        session.close()
        remove_fake_nvidia_smi(lab_server, lab_server.user)
        if server is not None:
            kill_if_users(server.pid, lab_server.user)


def test_kernels_with_notebook_state_idle_time_and_gpu_memory(
    lab_server: LabServer, served: Served
) -> None:
    port, server = served.forward.port, served.server
    training = start_kernel(port, server, "thesis/train.ipynb")
    bare = start_kernel(port, server, None)
    try:
        pid = kernel_pid(lab_server.user, training)
        install_fake_nvidia_smi(lab_server, lab_server.user, "r535-two-gpus", {"kernel": pid})
        time.sleep(1.2)  # so "idle for" has something to count
        t0 = time.monotonic()
        report = list_kernels(served.session, server)
        took = time.monotonic() - t0
        assert report.error == "" and report.gpu.status == "ok"
        by_id = {k.id: k for k in report.kernels}
        assert set(by_id) == {training, bare}
        kernel = by_id[training]
        assert (kernel.name, kernel.notebook) == ("python3", "thesis/train.ipynb")
        assert kernel.execution_state in ("idle", "starting")
        assert pid in kernel.pids
        assert kernel.idle_seconds is not None and 0 <= kernel.idle_seconds < 120
        use = report.use_of(kernel)
        assert (use.used_mib, use.gpu_uuids) == (2506, (A6000[0],))
        assert not report.use_of(by_id[bare]).uses_gpu
        assert by_id[bare].notebook == ""
        # someone else's training run on the same GPU is counted for the GPU, never shown
        assert all(31337 not in k.pids for k in report.kernels)
        assert "2.4 GB of GPU memory" in describe_kernel(kernel, use).text
        print(f"\nkernels listed with GPU memory in {took:.2f} s")
        # the tray gets the same with the server figures, in one command
        stats, glance = gather_glance(served.session, server)
        assert [g.index for g in stats.gpus] == [0, 1]
        assert {k.id for k in glance.kernels} == {training, bare}
        assert glance.server_cuda_known  # the Jupyter server's environment was readable
    finally:
        for kernel_id in (training, bare):
            http_call(port, "DELETE", f"{server.base_url}api/kernels/{kernel_id}", server.token)


@pytest.mark.parametrize(
    ("scenario", "status", "memory"),
    [("r525-mig", "ok", None), ("r418-geforce", "ok", None), ("no-driver", "error", 0)],
)
def test_drivers_that_do_not_say_or_fail(
    lab_server: LabServer, served: Served, scenario: str, status: str, memory: int | None
) -> None:
    port, server = served.forward.port, served.server
    kernel_id = start_kernel(port, server, "mig.ipynb")
    try:
        pid = kernel_pid(lab_server.user, kernel_id)
        install_fake_nvidia_smi(lab_server, lab_server.user, scenario, {"kernel": pid})
        report = list_kernels(served.session, server)
        assert report.gpu.status == status
        [kernel] = [k for k in report.kernels if k.id == kernel_id]
        use = report.use_of(kernel)
        assert use.used_mib == memory
        if memory is None:
            assert "memory not reported" in describe_kernel(kernel, use).text
    finally:
        http_call(port, "DELETE", f"{server.base_url}api/kernels/{kernel_id}", server.token)


def test_shutdown_is_jupyters_own_and_only_for_the_ones_asked(served: Served) -> None:
    port, server = served.forward.port, served.server
    keep = start_kernel(port, server, "keep.ipynb")
    drop = start_kernel(port, server, "drop.ipynb")
    try:
        done = shutdown_kernels(served.session, server, [drop, "gone-already", "x;rm -rf ~"])
        # a kernel Jupyter does not know (any more) is not running: that is what was asked;
        # an id that is no kernel id never reaches the server
        assert done == {drop: True, "gone-already": True}
        left = {k.id for k in list_kernels(served.session, server).kernels}
        assert keep in left and drop not in left
    finally:
        http_call(port, "DELETE", f"{server.base_url}api/kernels/{keep}", server.token)


def test_another_users_kernels_are_never_listed(
    lab_server: LabServer, served: Served, tmp_path: Path
) -> None:
    other = lab_server.require_other_user()
    theirs_session = open_session(lab_server, other, tmp_path)
    theirs: JupyterServer | None = None
    try:
        theirs = manager(theirs_session, lab_server, tmp_path / "theirs.json", "kernels").start()
        with LocalForwarder(theirs_session.open_channel, (theirs.host, theirs.port)) as forward:
            their_kernel = start_kernel(forward.port, theirs, "private.ipynb")
            their_pid = kernel_pid(other, their_kernel)
            mine = start_kernel(served.forward.port, served.server, "mine.ipynb")
            try:
                # nvidia-smi shows every user's processes: theirs is on the list
                install_fake_nvidia_smi(
                    lab_server, lab_server.user, "r535-two-gpus", {"kernel": their_pid}
                )
                report = list_kernels(served.session, served.server)
                assert their_kernel not in {k.id for k in report.kernels}
                assert all(their_pid not in k.pids for k in report.kernels)
                assert all(not report.use_of(k).uses_gpu for k in report.kernels)
            finally:
                http_call(
                    served.forward.port,
                    "DELETE",
                    f"{served.server.base_url}api/kernels/{mine}",
                    served.server.token,
                )
    finally:
        if theirs is not None:
            manager(theirs_session, lab_server, tmp_path / "theirs.json", "kernels").stop(theirs)
        theirs_session.close()


def test_cli_lists_and_shuts_down_kernels(
    lab_server: LabServer, served: Served, tmp_path: Path
) -> None:
    env = cli_env(tmp_path)
    pins = [
        arg for fp in lab_server.host_key_fingerprints.values() for arg in ("--pin-fingerprint", fp)
    ]
    added = labtunnel(
        *("profile", "add", "lab", "--host", lab_server.host, "--port", str(lab_server.port)),
        *("--user", lab_server.user.name, "--key", str(lab_server.keys.ed25519)),
        *("--jupyter-env", lab_server.jupyter_venv, *pins),
        env=env,
    )
    assert added.returncode == 0, added.stderr
    port, server = served.forward.port, served.server
    kernel_id = start_kernel(port, server, f"cli-{uuid.uuid4().hex[:6]}.ipynb")
    try:
        listed = labtunnel("jupyter", "kernels", "lab", "--json", env=env)
        assert listed.returncode == 0, listed.stderr
        rows = {row["id"]: row for row in json.loads(listed.stdout)}
        assert rows[kernel_id]["name"] == "python3"
        assert rows[kernel_id]["notebook"].startswith("cli-")
        assert server.token not in listed.stdout + listed.stderr
        plain = labtunnel("jupyter", "kernels", "lab", env=env)
        assert any(line.startswith(kernel_id + "\t") for line in plain.stdout.splitlines())
        nothing = labtunnel("jupyter", "shutdown-kernel", "lab", "--idle-over", "600", env=env)
        assert nothing.returncode == 0
        assert "No kernel of yours has been idle for 600 minutes" in nothing.stderr
        wrong = labtunnel("jupyter", "shutdown-kernel", "lab", "no-such", env=env)
        assert wrong.returncode == 1 and "There is no kernel no-such" in wrong.stderr
        stopped = labtunnel("jupyter", "shutdown-kernel", "lab", kernel_id[:8], env=env)
        assert stopped.returncode == 0, stopped.stderr
        assert f"Shut down kernel {kernel_id}" in stopped.stderr
        assert kernel_id not in {k.id for k in list_kernels(served.session, server).kernels}
    finally:
        http_call(port, "DELETE", f"{server.base_url}api/kernels/{kernel_id}", server.token)

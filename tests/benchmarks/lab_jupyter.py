"""A lab server with JupyterLab running, for the click, browser and idle figures.

The test harness's lab server (tests/harness: OpenSSH in its own network namespace, a real
Unix user with a clean home, key auth; the loopback fallback without root) with the
harness's JupyterLab started there as that user, on the server's 127.0.0.1, with a token
this benchmark knows (so ``ssh -L`` can be measured against the same Jupyter). LabTunnel
finds it the way it finds a user's server: through Jupyter's runtime files.

:meth:`JupyterLab.config_dir` writes a LabTunnel config folder with one key-auth Jupyter
profile and the server's host keys in its known_hosts (nothing asks), made with the real
``labtunnel profile add``.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import random
import secrets
import shutil
import signal
import subprocess
import sys
import sysconfig
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sshd_loopback import free_port  # noqa: E402
from tests.harness import LabServer, start_lab_server  # noqa: E402
from tests.harness._proc import stop_popen  # noqa: E402

PROFILE = "bench-lab"
WINDOWS_PATH_ENV = "LABTUNNEL_WINDOWS_PATH"


def labtunnel_argv(*args: str, windows_path: bool = False) -> list[str]:
    """The ``labtunnel`` command users run (the venv's console script), or on the
    Windows path through windows_path.py."""
    if windows_path:
        return [sys.executable, str(HERE / "windows_path.py"), "-m", "labtunnel", *args]
    script = Path(sys.executable).with_name("labtunnel")
    if script.exists():
        return [str(script), *args]
    return [sys.executable, "-m", "labtunnel", *args]


def labtunnel_env(config_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    # bytecode as an installed LabTunnel has it (pip compiles a wheel's modules when it
    # installs them): without it every start compiles ~180 modules from source again,
    # ~100 ms here. Written once by the first, uncounted run, into the benchmark's folder.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(config_dir.parent / "pycache")
    env.update(
        LABTUNNEL_CONFIG_DIR=str(config_dir),
        # a key without passphrase needs no secret: LabTunnel refuses this backend as
        # insecure and goes on without it (no D-Bus needed)
        PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
        LANG="C.UTF-8",  # the progress lines click_time.py reads are the English ones
        LC_ALL="C.UTF-8",
        PYTHONPATH=os.pathsep.join([str(ROOT / "app"), *filter(None, [env.get("PYTHONPATH")])]),
    )
    return env


def install_labtunnel(into: Path) -> Path:
    """``labtunnel`` as users get it (``pip install .``): the checkout built into a wheel
    and installed, its modules compiled by pip, into a venv of its own whose dependencies
    are this venv's packages (nothing downloaded for them). A checkout's editable install
    costs every start more (its import hook, ~40 ms here). Returns the console script."""
    into.mkdir()
    wheels = into / "wheels"
    venv = into / "venv"
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check"]
    _quiet([*pip, "wheel", "-q", "--no-deps", "-w", str(wheels), str(ROOT)])
    _quiet([sys.executable, "-m", "venv", "--without-pip", str(venv)])
    (site,) = venv.glob("lib/python3*/site-packages")
    # a path line: this venv's packages are found, but its .pth files (the checkout's
    # editable hook among them) are not run
    (site / "bench-deps.pth").write_text(f"{sysconfig.get_paths()['purelib']}\n")
    (wheel,) = wheels.glob("labtunnel-*.whl")
    _quiet(
        [*pip, "--python", str(venv / "bin" / "python"), "install", "-q", "--no-deps", str(wheel)]
    )
    return venv / "bin" / "labtunnel"


def _quiet(argv: list[str]) -> None:
    subprocess.run(argv, check=True, capture_output=True, stdin=subprocess.DEVNULL)


def installed_env(config_dir: Path) -> dict[str, str]:
    """:func:`labtunnel_env` for :func:`install_labtunnel`'s command: nothing points
    Python at the checkout, and the bytecode is the one pip wrote."""
    env = labtunnel_env(config_dir)
    for name in ("PYTHONPATH", "PYTHONPYCACHEPREFIX"):
        env.pop(name, None)
    return env


def http_status(port: int, path: str, timeout: float = 5.0) -> int:
    """Status of a GET through a forward on ``port``, redirects followed as a browser
    does (0: no answer)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        for _redirect in range(5):
            conn.request("GET", path, headers={"Host": f"127.0.0.1:{port}"})
            response = conn.getresponse()
            response.read()
            location = response.getheader("Location") or ""
            if response.status not in (301, 302, 303, 307, 308) or not location:
                return response.status
            path = "/" + location.split("/", 3)[3] if "://" in location else location
        return 0
    except (OSError, http.client.HTTPException):
        return 0
    finally:
        conn.close()


def wait_until_answers(
    port: int, path: str, timeout: float, alive: Callable[[], bool] = lambda: True
) -> float:
    """Poll until ``path`` answers 200 through ``port``; perf_counter when it did."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if http_status(port, path) == 200:
            return time.perf_counter()
        if not alive():
            raise RuntimeError("the tunnel process exited")
        time.sleep(0.002)
    raise RuntimeError(f"127.0.0.1:{port}{path.split('?')[0]} did not answer in {timeout} s")


@dataclass
class JupyterLab:
    lab: LabServer
    port: int  # Jupyter's, on the server's 127.0.0.1
    token: str
    log: Callable[[str], None]
    tmp: Path
    jupyter: subprocess.Popen[bytes] | None = None
    procs: list[subprocess.Popen[Any]] = field(default_factory=list)

    @classmethod
    def start(cls, log: Callable[[str], None]) -> JupyterLab:
        started = time.monotonic()
        lab = start_lab_server()
        tmp = Path(tempfile.mkdtemp(prefix=f"labtunnel-bench-{os.getpid()}-"))
        self = cls(lab, random.randint(20000, 40000), secrets.token_hex(24), log, tmp)
        try:
            self._start_jupyter()
        except BaseException:
            self.close()
            raise
        log(f"lab server ({lab.mode}) and JupyterLab up in {time.monotonic() - started:.1f} s")
        return self

    def _start_jupyter(self) -> None:
        lab = self.lab
        lab.require_jupyter()
        config = {
            "IdentityProvider": {"token": self.token},
            "ServerApp": {"open_browser": False},
            # no "a newer JupyterLab is out" check and no news feed: no network here
            "LabApp": {
                "check_for_updates_class": "jupyterlab.NeverCheckForUpdate",
                "news_url": None,
            },
        }
        lab.write_user_file(lab.user, ".jupyter/jupyter_server_config.json", json.dumps(config))
        out = (self.tmp / "jupyter.log").open("wb")
        self.jupyter = lab.ns_popen(
            [
                lab.jupyter_bin,
                "lab",
                "--no-browser",
                "--ip=127.0.0.1",
                f"--port={self.port}",
                "--port-retries=0",
            ],
            user=lab.user,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        runtime = Path(lab.user.home) / ".local/share/jupyter/runtime"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.jupyter.poll() is not None:
                raise RuntimeError(f"Jupyter exited: {self.log_tail()}")
            files = list(runtime.glob("jpserver-*.json")) if runtime.is_dir() else []
            if any(json.loads(f.read_text() or "{}").get("port") == self.port for f in files):
                break
            time.sleep(0.1)
        else:
            raise RuntimeError(f"Jupyter did not come up: {self.log_tail()}")
        # JupyterLab builds its page assets on the first request: warm it once
        with self.ssh_forward() as port:
            wait_until_answers(port, self.lab_path(), 60.0)

    def log_tail(self) -> str:
        path = self.tmp / "jupyter.log"
        return path.read_text(errors="replace")[-2000:] if path.exists() else ""

    # --- what the figures need -----------------------------------------------------------

    def lab_path(self) -> str:
        """What `labtunnel connect` prints, less the host: /lab?token=..."""
        return f"/lab?token={self.token}"

    def status_path(self) -> str:
        return f"/api/status?token={self.token}"

    def known_hosts_lines(self, path_name: str | None = None) -> str:
        name = self.lab.host if self.lab.port == 22 else f"[{self.lab.host}]:{self.lab.port}"
        return "".join(
            f"{path_name or name} {line}\n" for line in self.lab.host_public_keys.values()
        )

    def config_dir(self, label: str, *, local_port: int = 0) -> Path:
        """A LabTunnel config folder: one key-auth Jupyter profile, host keys known."""
        config = self.tmp / f"config-{label}"
        config.mkdir(mode=0o700)
        argv = labtunnel_argv(
            "profile",
            "add",
            PROFILE,
            "--host",
            self.lab.host,
            "--port",
            str(self.lab.port),
            "--user",
            self.lab.user.name,
            "--key",
            str(self.lab.keys.ed25519),
            "--jupyter-env",
            self.lab.jupyter_venv,
            "--local-port",
            str(local_port),
        )
        subprocess.run(argv, env=labtunnel_env(config), check=True, capture_output=True)
        (config / "known_hosts").write_text(self.known_hosts_lines())
        return config

    def ssh_argv(self, local_port: int, cipher: str | None = None) -> list[str]:
        known_hosts = self.tmp / "ssh_known_hosts"
        if not known_hosts.exists():
            known_hosts.write_text(self.known_hosts_lines())
        return [
            "ssh",
            "-F",
            "none",
            "-p",
            str(self.lab.port),
            "-i",
            str(self.lab.keys.ed25519),
            "-o",
            "IdentitiesOnly=yes",
            "-o",
            "StrictHostKeyChecking=yes",
            "-o",
            f"UserKnownHostsFile={known_hosts}",
            "-o",
            "GlobalKnownHostsFile=/dev/null",
            "-o",
            "BatchMode=yes",
            "-o",
            "LogLevel=ERROR",
            *(["-c", cipher] if cipher else []),
            "-l",
            self.lab.user.name,
            "-N",
            "-o",
            "ExitOnForwardFailure=yes",
            "-L",
            f"127.0.0.1:{local_port}:127.0.0.1:{self.port}",
            self.lab.host,
        ]

    @contextlib.contextmanager
    def ssh_forward(self) -> Iterator[int]:
        """``ssh -N -L`` to Jupyter for as long as the block runs; yields the local port."""
        port = free_port()
        proc = subprocess.Popen(self.ssh_argv(port), stdin=subprocess.DEVNULL)
        try:
            wait_until_answers(port, self.status_path(), 30.0, lambda: proc.poll() is None)
            yield port
        finally:
            stop(proc)

    @contextlib.contextmanager
    def labtunnel_connect(self, label: str, *, windows_path: bool = False) -> Iterator[int]:
        """``labtunnel connect`` for as long as the block runs; yields the local port."""
        port = free_port()
        config = self.config_dir(label, local_port=port)
        proc = subprocess.Popen(
            labtunnel_argv("connect", PROFILE, "--no-browser", windows_path=windows_path),
            env={**labtunnel_env(config), **({WINDOWS_PATH_ENV: "1"} if windows_path else {})},
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=(self.tmp / f"connect-{label}.log").open("wb"),
        )
        try:
            assert proc.stdout is not None
            if not proc.stdout.readline():
                raise RuntimeError(f"labtunnel connect exited: {proc.wait()}")
            wait_until_answers(port, self.status_path(), 30.0, lambda: proc.poll() is None)
            yield port
        finally:
            stop(proc, interrupt=True)

    # --- cleaning up ---------------------------------------------------------------------

    def close(self) -> None:
        try:
            for proc in self.procs:
                stop(proc)
            if self.jupyter is not None:
                stop(self.jupyter)
        finally:
            self.lab.close()
            shutil.rmtree(self.tmp, ignore_errors=True)

    def __enter__(self) -> JupyterLab:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def stop(proc: subprocess.Popen[Any], *, interrupt: bool = False) -> None:
    """End ``proc`` (SIGINT first for LabTunnel's CLI, as Ctrl+C), by PID."""
    stop_popen(proc, 10.0, signal.SIGINT if interrupt else signal.SIGTERM)
    for stream in (proc.stdout, proc.stderr):
        if stream is not None:
            stream.close()

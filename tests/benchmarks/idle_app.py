"""The tray app's idle cost (issue 6): wake-ups, CPU and memory of the real app.

Starts ``python -m labtunnel`` (the tray app, ``QT_QPA_PLATFORM=offscreen``) twice, each in
its own temporary ``LABTUNNEL_CONFIG_DIR`` holding one key-auth profile that forwards a
local port to the benchmark's echo/sink/source server through the benchmark's sshd (its
host key already in the config dir's ``known_hosts``, so nothing asks):

  (a) "after start":   the profile exists, nobody connects;
  (b) "connected":     Settings' ``connect_at_start`` on, connected and left alone;
  (c) "after an hour": (b)'s process after a connected hour simulated by traffic
                       (bulk both ways plus one short connection per second of the hour,
                       compressed), then left alone again.

(a) and (b) are measured over the same window (two idle processes do not disturb each
other). Figures per window, all from /proc (the app is never asked anything):
wake-ups per second (voluntary + involuntary context switches summed over the app's
threads, /proc/PID/task/*/status; the task list is re-read every 0.2 s so threads that
come and go are counted too), CPU (utime + stime of /proc/PID/stat, which also keeps what
ended threads used, and the precise per-thread run time of /proc/PID/task/*/schedstat),
RSS (VmRSS) and the per-thread split, the threads named by py-spy (Python thread names
and the frame each one waits in) or by /proc's comm for Qt's own threads.

The keyring is keyring's "fail" backend: LabTunnel refuses it as insecure and, for a key
without passphrase, connects without any stored secret (no D-Bus needed).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sshd_loopback import LoopbackSshd, free_port

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
CLK_TCK = os.sysconf("SC_CLK_TCK")
MiB = 1024 * 1024
PAYLOAD = bytes(range(256)) * (MiB // 256)

#: issue 6: "idle app: <= 1 wakeup/s, no measurable CPU, RSS <= 120 MB"
GOAL_WAKEUPS_PER_S = 1.0
#: "no measurable CPU", made measurable: under 0.1 % of one core (1 ms per second)
GOAL_CPU_PERCENT = 0.1
GOAL_RSS_MB = 120.0  # 10^6 bytes
POLL_S = 0.2
PROFILE_NAME = "bench-lab"


# --- reading /proc ---------------------------------------------------------------------


@dataclass
class ThreadCount:
    comm: str
    switches: int  # voluntary + nonvoluntary, since the thread started
    runtime_ns: int
    #: the counts at the window's start; 0 for a thread that started during the window
    switches0: int = 0
    runtime0_ns: int = 0
    started_in_window: bool = True
    ended: bool = False


def _read_threads(pid: int) -> dict[int, ThreadCount]:
    found: dict[int, ThreadCount] = {}
    try:
        tasks = list(Path(f"/proc/{pid}/task").iterdir())
    except OSError:
        return found
    for task in tasks:
        try:
            status = (task / "status").read_text()
            comm = (task / "comm").read_text().strip()
            runtime = int((task / "schedstat").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            continue  # ended between listing and reading
        switches = 0
        for line in status.splitlines():
            if line.startswith(("voluntary_ctxt_switches", "nonvoluntary_ctxt_switches")):
                switches += int(line.split()[1])
        found[int(task.name)] = ThreadCount(comm, switches, runtime)
    return found


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime + stime, all threads


def status_kb(pid: int, key: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    raise KeyError(key)


def rss_mb(pid: int) -> float:
    return status_kb(pid, "VmRSS") * 1024 / 1e6


class Window:
    """Counts one process's wake-ups and CPU from :meth:`begin` to :meth:`end`."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.threads: dict[int, ThreadCount] = {}
        self._t0 = 0.0
        self._cpu0 = 0.0
        self.seconds = 0.0
        self.cpu_s = 0.0

    def begin(self) -> None:
        self.threads = _read_threads(self.pid)
        for count in self.threads.values():
            count.switches0, count.runtime0_ns = count.switches, count.runtime_ns
            count.started_in_window = False
        self._cpu0 = cpu_seconds(self.pid)
        self._t0 = time.monotonic()

    def poll(self) -> None:
        current = _read_threads(self.pid)
        for tid, now in current.items():
            seen = self.threads.get(tid)
            if seen is None:
                self.threads[tid] = now  # new in the window: everything it did counts
            else:
                seen.comm, seen.switches, seen.runtime_ns = now.comm, now.switches, now.runtime_ns
        for tid, seen in self.threads.items():
            seen.ended = tid not in current  # what it did until the last poll counts

    def end(self) -> None:
        self.poll()
        self.seconds = time.monotonic() - self._t0
        self.cpu_s = cpu_seconds(self.pid) - self._cpu0


def measure_windows(pids: list[int], seconds: float) -> list[Window]:
    """The same window for several processes (polling never wakes them)."""
    windows = [Window(pid) for pid in pids]
    for window in windows:
        window.begin()
    deadline = time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 0:
        time.sleep(min(POLL_S, left))
        for window in windows:
            window.poll()
    for window in windows:
        window.end()
    return windows


# --- naming the threads ----------------------------------------------------------------

_PYSPY_THREAD = re.compile(r'^Thread (\d+) \((\w+)\): "(.*)"$')
_PYSPY_FRAME = re.compile(r"^\s+(\S+) \((.*)\)$")


def py_spy() -> str | None:
    beside = Path(sys.executable).parent / "py-spy"
    return str(beside) if beside.exists() else shutil.which("py-spy")


def python_thread_names(pid: int) -> dict[int, str]:
    """tid -> 'Python name: innermost frame' from ``py-spy dump`` ({} without py-spy).

    py-spy stops the process for a moment: call it after a window, never during one."""
    tool = py_spy()
    if tool is None:
        return {}
    try:
        out = subprocess.run(
            [tool, "dump", "--pid", str(pid)], capture_output=True, text=True, timeout=30
        ).stdout
    except (OSError, subprocess.TimeoutExpired):
        return {}
    names: dict[int, str] = {}
    current: int | None = None
    for line in out.splitlines():
        header = _PYSPY_THREAD.match(line)
        if header:
            current = int(header.group(1))
            names[current] = header.group(3)
            continue
        frame = _PYSPY_FRAME.match(line)
        if frame and current is not None:
            where = frame.group(2).split("site-packages/")[-1]
            names[current] = f"{names[current]}: {frame.group(1)} ({where})"
            current = None  # the innermost frame is the one that says where it waits
    return names


# --- the app, for real -----------------------------------------------------------------


class TrayApp:
    """``python -m labtunnel`` with its own config dir; ended by PID."""

    def __init__(
        self, sshd: LoopbackSshd, service_port: int, *, connect_at_start: bool, label: str
    ) -> None:
        self.sshd = sshd
        self.service_port = service_port
        self.connect_at_start = connect_at_start
        self.local_port = free_port()
        self.tmp = Path(tempfile.mkdtemp(prefix=f"labtunnel-idle-{os.getpid()}-{label}-"))
        self.config_dir = self.tmp / "config"
        self.proc: subprocess.Popen[bytes] | None = None
        self.exit_code: int | None = None

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def _write_config(self) -> None:
        from labtunnel.core.platform.paths import AppPaths
        from labtunnel.core.profiles.model import AuthMethod, HostProfile, RemoteForward
        from labtunnel.core.profiles.store import ProfileStore
        from labtunnel.ui.settings import SettingsStore  # no Qt in there

        paths = AppPaths(self.config_dir, self.config_dir / "logs")
        paths.ensure()
        shutil.copy(self.sshd.known_hosts_path, paths.known_hosts_file)
        store = ProfileStore(paths.profiles_file)
        store.load()
        profile = store.add(
            HostProfile(
                name=PROFILE_NAME,
                host="127.0.0.1",
                port=self.sshd.port,
                username=self.sshd.user,
                auth=AuthMethod.KEY,
                key_path=str(self.sshd.client_key_path),
                target=RemoteForward("127.0.0.1", self.service_port),
                local_port=self.local_port,
            )
        )
        SettingsStore(store).change(
            default_profile=profile.id, connect_at_start=self.connect_at_start
        )

    def start(self) -> None:
        self._write_config()
        env = dict(os.environ)
        env.update(
            QT_QPA_PLATFORM="offscreen",
            LABTUNNEL_CONFIG_DIR=str(self.config_dir),
            PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
            PYTHONPATH=os.pathsep.join(
                [str(ROOT / "app"), *filter(None, [os.environ.get("PYTHONPATH")])]
            ),
        )
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "labtunnel"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=(self.tmp / "stderr.log").open("wb"),
            env=env,
            cwd=self.tmp,
        )

    def log_text(self) -> str:
        path = self.config_dir / "logs" / "labtunnel.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def _failure(self, what: str) -> RuntimeError:
        stderr = (self.tmp / "stderr.log").read_text(errors="replace")
        return RuntimeError(f"tray app: {what}\nlog:\n{self.log_text()[-3000:]}\n{stderr[-2000:]}")

    def wait_until(self, ready: Callable[[], bool], what: str, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc is None or self.proc.poll() is not None:
                raise self._failure(f"exited before {what}")
            if ready():
                return
            time.sleep(0.05)
        raise self._failure(f"not {what} after {timeout:.0f} s")

    def shell_shown(self) -> bool:
        """Offscreen there is no tray: the app waits a few seconds for one, then shows
        its fallback window (and only then connects, with connect_at_start)."""
        return "showing the fallback window" in self.log_text()

    def forwarding(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.local_port), timeout=5.0) as s:
                s.sendall(b"Ex")
                return s.recv(1) == b"x"
        except OSError:
            return False

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        try:
            if proc is not None:
                if proc.poll() is None:
                    proc.send_signal(signal.SIGTERM)  # the app quits cleanly on SIGTERM
                    try:
                        proc.wait(15.0)
                    except subprocess.TimeoutExpired:
                        proc.kill()
                        proc.wait(5.0)
                self.exit_code = proc.returncode
        finally:
            shutil.rmtree(self.tmp, ignore_errors=True)


# --- a connected hour, compressed ------------------------------------------------------


def _recv_exact(s: socket.socket, n: int) -> bytes:
    buf = bytearray()
    while len(buf) < n:
        got = s.recv(n - len(buf))
        if not got:
            raise EOFError(f"EOF after {len(buf)} of {n} bytes")
        buf += got
    return bytes(buf)


def _push(port: int, nbytes: int) -> None:
    with socket.create_connection(("127.0.0.1", port), timeout=60.0) as s:
        s.sendall(b"S")
        view, left = memoryview(PAYLOAD), nbytes
        while left:
            k = min(left, MiB)
            s.sendall(view[:k])
            left -= k
        s.shutdown(socket.SHUT_WR)
        (got,) = struct.unpack(">Q", _recv_exact(s, 8))
    if got != nbytes:
        raise RuntimeError(f"sink got {got} of {nbytes} bytes")


def _pull(port: int, nbytes: int) -> None:
    buf = bytearray(MiB)
    got = 0
    with socket.create_connection(("127.0.0.1", port), timeout=60.0) as s:
        s.sendall(b"R" + struct.pack(">Q", nbytes))
        while n := s.recv_into(buf):
            got += n
    if got != nbytes:
        raise RuntimeError(f"source sent {got} of {nbytes} bytes")


async def _short_connections(port: int, count: int, parallel: int) -> int:
    """``count`` connections, each one 1 KiB request echoed back (a browser's small
    request), at most ``parallel`` at a time; returns the number that failed."""
    gate = asyncio.Semaphore(parallel)
    msg = os.urandom(1024)

    async def one() -> None:
        async with gate:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            try:
                writer.write(b"E" + msg)
                if await reader.readexactly(1024) != msg:
                    raise RuntimeError("echo mismatch")
            finally:
                writer.close()
                with contextlib.suppress(OSError):
                    await writer.wait_closed()

    results = await asyncio.gather(
        *(asyncio.wait_for(one(), 60.0) for _ in range(count)), return_exceptions=True
    )
    return sum(1 for r in results if isinstance(r, BaseException))


def simulate_hour(port: int, nbytes: int, connections: int) -> dict[str, Any]:
    """Half of ``nbytes`` up, half down, while ``connections`` short ones come and go."""
    t0 = time.monotonic()
    errors: list[BaseException] = []

    def bulk() -> None:
        try:
            _push(port, nbytes // 2)
            _pull(port, nbytes - nbytes // 2)
        except (OSError, EOFError, RuntimeError) as exc:
            errors.append(exc)

    mover = threading.Thread(target=bulk, name="bench-bulk")
    mover.start()
    failed = asyncio.run(_short_connections(port, connections, parallel=4))
    mover.join()
    if errors:
        raise RuntimeError(f"bulk transfer through the tray app failed: {errors[0]!r}")
    return {
        "bytes": nbytes,
        "short_connections": connections,
        "short_connection_errors": failed,
        "seconds": time.monotonic() - t0,
    }


# --- figures ---------------------------------------------------------------------------


def figures(window: Window, names: dict[int, str]) -> dict[str, Any]:
    per_thread: list[dict[str, Any]] = []
    for tid, count in window.threads.items():
        name = names.get(tid) or count.comm
        if count.ended:
            name += " (a thread that ended in the window)"
        per_thread.append(
            {
                "tid": tid,
                "name": name,
                "wakeups_per_s": (count.switches - count.switches0) / window.seconds,
                "cpu_ms": (count.runtime_ns - count.runtime0_ns) / 1e6,
                "started_in_window": count.started_in_window,
                "ended_in_window": count.ended,
            }
        )
    per_thread.sort(key=lambda t: (-t["wakeups_per_s"], t["tid"]))
    wakeups = sum(t["wakeups_per_s"] for t in per_thread)
    # /proc/PID/stat counts in clock ticks (10 ms): too coarse to judge "no measurable
    # CPU" over seconds, so the goal uses the threads' run time in nanoseconds
    precise_ms = sum(t["cpu_ms"] for t in per_thread)
    share = precise_ms / 1000 / window.seconds * 100
    rss = rss_mb(window.pid)
    return {
        "seconds": window.seconds,
        "wakeups_per_s": wakeups,
        "cpu_s_ticks": window.cpu_s,
        "cpu_ms_precise": precise_ms,
        "cpu_percent": share,
        "rss_mb": rss,
        "peak_rss_mb": status_kb(window.pid, "VmHWM") * 1024 / 1e6,
        "threads": len(os.listdir(f"/proc/{window.pid}/task")),
        "per_thread": per_thread,
        "met": {
            "wakeups": wakeups <= GOAL_WAKEUPS_PER_S,
            "cpu": share < GOAL_CPU_PERCENT,
            "rss": rss <= GOAL_RSS_MB,
        },
    }


@dataclass(frozen=True)
class IdleSizes:
    window_s: float
    settle_s: float
    hour_bytes: int
    hour_connections: int


@dataclass
class _Apps:
    started: list[TrayApp] = field(default_factory=list)

    def close(self) -> None:
        for app in self.started:
            app.stop()


def measure(
    sshd: LoopbackSshd,
    service_port: int,
    sizes: IdleSizes,
    log: Callable[[str], None] = lambda _m: None,
) -> dict[str, Any]:
    apps = _Apps()
    try:
        fresh = TrayApp(sshd, service_port, connect_at_start=False, label="a")
        connected = TrayApp(sshd, service_port, connect_at_start=True, label="b")
        for app in (fresh, connected):
            apps.started.append(app)
            app.start()
        log("idle app: starting two tray apps (one connects at start)")
        fresh.wait_until(fresh.shell_shown, "showing itself")
        connected.wait_until(connected.forwarding, "forwarding (connect_at_start)")
        time.sleep(sizes.settle_s)
        log(f"idle app: (a) after start and (b) connected, {sizes.window_s:.0f} s")
        win_a, win_b = measure_windows([fresh.pid, connected.pid], sizes.window_s)
        after_start = figures(win_a, python_thread_names(fresh.pid))
        idle_connected = figures(win_b, python_thread_names(connected.pid))
        fresh.stop()
        log(
            f"idle app: a connected hour: {sizes.hour_bytes // MiB} MiB and "
            f"{sizes.hour_connections} short connections"
        )
        hour = simulate_hour(connected.local_port, sizes.hour_bytes, sizes.hour_connections)
        time.sleep(sizes.settle_s)
        log(f"idle app: (c) after the hour, {sizes.window_s:.0f} s")
        (win_c,) = measure_windows([connected.pid], sizes.window_s)
        after_hour = figures(win_c, python_thread_names(connected.pid))
        after_hour["hour"] = hour
        connected.stop()
        return {
            "app": "python -m labtunnel (QT_QPA_PLATFORM=offscreen: fallback window, no tray)",
            "profile": "key auth, forward to the benchmark's echo server, keepalive 4 s x 3",
            "goals": {
                "wakeups_per_s": GOAL_WAKEUPS_PER_S,
                "cpu_percent_below": GOAL_CPU_PERCENT,
                "rss_mb": GOAL_RSS_MB,
            },
            "after_start": after_start,
            "connected_idle": idle_connected,
            "after_connected_hour": after_hour,
            "exit_codes": [fresh.exit_code, connected.exit_code],
            "thread_names_from": "py-spy dump" if py_spy() else "/proc comm (no py-spy)",
        }
    finally:
        apps.close()

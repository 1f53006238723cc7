"""A small Chrome DevTools Protocol client for Debian's ``chromium``, over a pipe.

``chromium --remote-debugging-pipe`` reads commands on fd 3 and writes replies and events
on fd 4, NUL-terminated JSON: no websocket, no port, nothing else to install. Each browser
gets its own fresh profile folder (cold: no cache, no cookies) and is ended by PID.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType
from typing import Any

from tests.harness._proc import stop_popen

CANDIDATES = ("chromium", "chromium-browser", "google-chrome")


def find_chromium() -> str | None:
    for name in CANDIDATES:
        path = shutil.which(name)
        if path:
            return path
    return None


class Chromium:
    def __init__(self, binary: str) -> None:
        self._binary = binary
        self._profile = Path(tempfile.mkdtemp(prefix=f"labtunnel-chromium-{os.getpid()}-"))
        self._proc: subprocess.Popen[bytes] | None = None
        self._to_browser = -1
        self._from_browser = -1
        self._buffer = b""
        self._next_id = 0
        self._events: list[dict[str, Any]] = []

    def start(self) -> Chromium:
        to_r, to_w = os.pipe()
        from_r, from_w = os.pipe()

        def child_fds() -> None:  # fd 3: commands in, fd 4: replies out
            os.dup2(to_r, 3)
            os.dup2(from_w, 4)

        argv = [
            self._binary,
            "--headless=new",
            "--remote-debugging-pipe",
            f"--user-data-dir={self._profile}",
            "--no-first-run",
            "--no-default-browser-check",
            "--disable-gpu",
            "--disable-extensions",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--metrics-recording-only",
            "--password-store=basic",
            "--window-size=1280,800",
            *(["--no-sandbox"] if os.geteuid() == 0 else []),  # root: no setuid sandbox
            "about:blank",
        ]
        env = dict(os.environ)
        env["DBUS_SESSION_BUS_ADDRESS"] = "disabled:"  # no accessibility bus, no D-Bus
        self._proc = subprocess.Popen(
            argv,
            env=env,
            preexec_fn=child_fds,
            pass_fds=(3, 4),  # kept open through exec: what child_fds() put there
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=(self._profile / "stderr.log").open("wb"),
            start_new_session=True,  # its renderers and helpers: one process group, ours
        )
        os.close(to_r)
        os.close(from_w)
        self._to_browser, self._from_browser = to_w, from_r
        return self

    def call(
        self,
        method: str,
        params: dict[str, Any] | None = None,
        session: str | None = None,
        timeout: float = 30.0,
    ) -> dict[str, Any]:
        self._next_id += 1
        msg: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self._to_browser, json.dumps(msg).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            reply = self._read(deadline)
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                result: dict[str, Any] = reply.get("result", {})
                return result
            self._events.append(reply)

    def _read(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            if time.monotonic() > deadline:
                raise TimeoutError("no answer from chromium")
            chunk = os.read(self._from_browser, 1 << 16)
            if not chunk:
                log = (self._profile / "stderr.log").read_text(errors="replace")[-2000:]
                raise RuntimeError(f"chromium closed the pipe: {log}")
            self._buffer += chunk
        raw, self._buffer = self._buffer.split(b"\0", 1)
        message: dict[str, Any] = json.loads(raw)
        return message

    def page_session(self) -> str:
        """Attach to the first page (about:blank) and return its session id."""
        targets = self.call("Target.getTargets")["targetInfos"]
        page = next(t for t in targets if t["type"] == "page")
        session: str = self.call(
            "Target.attachToTarget", {"targetId": page["targetId"], "flatten": True}
        )["sessionId"]
        return session

    def evaluate(self, session: str, expression: str) -> Any:
        result = self.call(
            "Runtime.evaluate", {"expression": expression, "returnByValue": True}, session
        )
        return result.get("result", {}).get("value")

    def stop(self) -> None:
        proc, self._proc = self._proc, None
        if proc is not None:
            stop_popen(proc, 10.0)
            # helpers that outlived the browser: the group it leads (start_new_session)
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, signal.SIGKILL)
        for fd in (self._to_browser, self._from_browser):
            if fd >= 0:
                os.close(fd)
        self._to_browser = self._from_browser = -1
        shutil.rmtree(self._profile, ignore_errors=True)

    def __enter__(self) -> Chromium:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

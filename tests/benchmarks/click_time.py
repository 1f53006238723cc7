"""The click: from "connect" until Jupyter's URL answers, with the time of each step.

Jupyter already runs on the lab server and its host key is known, as on every day after
the first. Interleaved round by round (the order rotates):

``labtunnel connect``
    spawned (the console script of the checkout built into a wheel and installed, what a
    terminal user runs: lab_jupyter.install_labtunnel) until the URL it prints answers
    200; once more from the checkout's editable install, which costs every start more.
    Its progress lines on stderr are timestamped as they arrive, which splits the time
    into: start (interpreter, imports, profile), TCP + key exchange + host key, login,
    finding Jupyter, opening the local port, LabTunnel's own check that Jupyter answers,
    the first request.
``ssh -N -L``
    spawned until the same URL answers 200 through it: the yardstick (1.0×).
the paramiko floor
    paramiko_floor.py spawned: Python, paramiko, key login, one ``cat`` of Jupyter's
    runtime files, a forward; nothing else. What no paramiko program can go below, with
    its own steps (the server's first session is among them: ``ssh -N`` opens none).
the tray app
    already running under a real tray (Xvfb + trayer): its icon clicked, the menu open
    for 0.6 s, "Connect to ..." picked (xdotool), until the URL answers 200. Twice: as
    shipped (the menu opening logs in ahead and finds Jupyter, core/tunnel/ahead.py; the
    app's log says how long that took) and with ``LABTUNNEL_LOGIN_AHEAD=0`` (the click
    does it all).
connect again
    the running app's core (TunnelManager, in this process): connected, disconnected,
    connected again, which forwards straight to the Jupyter it reached before and checks
    it with one request (core/tunnel/known.py); against its first connect.

Ratios are paired: each round's LabTunnel time over the same round's ``ssh -L`` time.
A separate run of ``labtunnel connect`` with ``PYTHONPROFILEIMPORTTIME=1`` says which
packages the start spends its time importing.
"""

from __future__ import annotations

import os
import queue
import re
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

import lab_jupyter
from lab_jupyter import (
    HERE,
    PROFILE,
    JupyterLab,
    install_labtunnel,
    installed_env,
    labtunnel_argv,
    labtunnel_env,
    stop,
)
from sshd_loopback import free_port
from trayhost import TrayHost

#: issue 13: the CLI <= 1.0x of spawning ssh -L, the tray app (running) <= 0.5x
GOAL_CLI = 1.0
GOAL_TRAY = 0.5


def _progress() -> tuple[tuple[str, str], ...]:
    """(start of the line `labtunnel connect` prints on stderr, step reached): the
    CLI's own words for each step (labtunnel.messages.steps), in English."""
    from labtunnel.core.events import TunnelStep
    from labtunnel.messages.steps import STEP_WORDS

    steps = (
        TunnelStep.CONNECTING,
        TunnelStep.AUTHENTICATING,
        TunnelStep.FINDING_JUPYTER,
        TunnelStep.FORWARDING,
        TunnelStep.CHECKING,
    )
    return tuple((STEP_WORDS[s].split("{")[0].rstrip("…"), s.value) for s in steps)


PROGRESS = _progress()
#: (label, from, to): the steps as printed; "spawn", "url" and "answers" are the ends
STEPS = (
    ("start: interpreter, imports, profile", "spawn", "connecting"),
    ("TCP, key exchange, host key", "connecting", "authenticating"),
    ("login", "authenticating", "finding_jupyter"),
    ("finding Jupyter", "finding_jupyter", "forwarding"),
    ("opening the local port", "forwarding", "checking"),
    ("LabTunnel's check that Jupyter answers", "checking", "url"),
    ("the URL's first request", "url", "answers"),
)


#: (label, from, to) of paramiko_floor.py's steps
FLOOR_STEPS = (
    ("start: interpreter", "spawn", "python"),
    ("import paramiko", "python", "imported"),
    ("TCP, key exchange, host key", "imported", "key_exchange"),
    ("login", "key_exchange", "login"),
    ("the server's first session (sshd, PAM)", "login", "session_open"),
    ("one command: cat the runtime files", "session_open", "command"),
    ("the local port, the URL", "command", "url"),
    ("the URL's first request", "url", "answers"),
)
AHEAD_LOG = re.compile(r"logged in ahead in (\d+) ms")


@dataclass(frozen=True)
class ClickSizes:
    rounds: int
    tray: bool = True


def _cli_argv(installed: Path | None) -> list[str]:
    args = ["connect", PROFILE, "--no-browser"]
    return [str(installed), *args] if installed is not None else labtunnel_argv(*args)


def _cli_env(installed: Path | None, config: Path) -> dict[str, str]:
    return installed_env(config) if installed is not None else labtunnel_env(config)


def _cli_once(lab: JupyterLab, config: Path, installed: Path | None) -> dict[str, float]:
    """One `labtunnel connect` (``installed``'s, else the checkout's): perf_counter of
    each step, relative to the spawn."""
    marks: dict[str, float] = {}
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        _cli_argv(installed),
        env=_cli_env(installed, config),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None and proc.stderr is not None
    lines: list[str] = []
    reader = threading.Thread(target=_read_progress, args=(proc.stderr, marks, lines))
    reader.start()
    try:
        url = proc.stdout.readline().strip()
        marks["url"] = time.perf_counter()
        if not url.startswith("http://127.0.0.1:"):
            raise RuntimeError(f"labtunnel connect printed {url!r}: {''.join(lines)[-2000:]}")
        port = int(url.split(":")[2].split("/")[0])
        path = "/" + url.split("/", 3)[3]
        marks["answers"] = lab_jupyter.wait_until_answers(port, path, 30.0)
    finally:
        stop(proc, interrupt=True)
        reader.join(10.0)
    result = {step: at - t0 for step, at in marks.items()}
    result["path"] = path  # type: ignore[assignment]
    return result


def _read_progress(stream: TextIO, marks: dict[str, float], lines: list[str]) -> None:
    for line in stream:
        now = time.perf_counter()
        lines.append(line)
        for prefix, step in PROGRESS:
            if line.startswith(prefix) and step not in marks:
                marks[step] = now


def _ssh_once(lab: JupyterLab, path: str) -> float:
    """Spawning ``ssh -N -L`` until Jupyter's URL (``path``: the one `labtunnel connect`
    prints) answers 200 through it (s)."""
    port = free_port()
    t0 = time.perf_counter()
    proc = subprocess.Popen(lab.ssh_argv(port), stdin=subprocess.DEVNULL)
    try:
        done = lab_jupyter.wait_until_answers(port, path, 30.0, lambda: proc.poll() is None)
    finally:
        stop(proc)
    return done - t0


def _floor_once(lab: JupyterLab) -> dict[str, float]:
    """paramiko_floor.py spawned: each of its steps (from its stderr) and the URL's
    answer, in s from the spawn."""
    port = free_port()
    known_hosts = lab.tmp / "ssh_known_hosts"
    if not known_hosts.exists():
        known_hosts.write_text(lab.known_hosts_lines())
    argv = [sys.executable, str(HERE / "paramiko_floor.py"), lab.lab.host, str(lab.lab.port)]
    argv += [lab.lab.user.name, str(lab.lab.keys.ed25519), str(known_hosts), str(port)]
    # bytecode as an installed paramiko has it, as for labtunnel (lab_jupyter.labtunnel_env)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    lines: list[str] = []
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        argv, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    assert proc.stdout is not None and proc.stderr is not None
    reader = threading.Thread(target=lambda: lines.extend(proc.stderr))  # type: ignore[arg-type]
    reader.start()
    try:
        url = proc.stdout.readline().strip()
        if not url.startswith("http://127.0.0.1:"):
            raise RuntimeError(f"paramiko_floor.py printed {url!r}: {''.join(lines)[-2000:]}")
        answers = lab_jupyter.wait_until_answers(port, "/" + url.split("/", 3)[3], 30.0)
    finally:
        stop(proc)
        reader.join(10.0)
    marks = {"answers": answers - t0}
    for line in lines:
        words = line.split()
        if len(words) == 3 and words[0] == "step":
            marks[words[1]] = float(words[2]) - t0
    return marks


def _tray_once(
    lab: JupyterLab, tray: TrayHost, label: str, path: str, *, ahead: bool
) -> dict[str, float]:
    """The tray app, started and settled; click its icon, pick "Connect to ..."; until
    the URL answers (s, from the pick); with ``ahead``, also how long its login ahead
    took (from its log)."""
    port = free_port()
    config = lab.config_dir(label, local_port=port)
    env = labtunnel_env(config)
    env.update(tray.env())
    env.update(QT_QPA_PLATFORM="xcb", BROWSER="true")  # the browser it opens: nothing
    if not ahead:
        env["LABTUNNEL_LOGIN_AHEAD"] = "0"
    app = subprocess.Popen(
        labtunnel_argv(),
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=(lab.tmp / f"{label}.stderr").open("wb"),
    )
    try:
        tray.wait_for_icons(1)
        time.sleep(1.5)  # already running: the start is over
        tray.click_icon()
        time.sleep(0.6)  # the menu is open ("Connect to bench-lab" is its first item)
        t0 = time.perf_counter()
        tray.xdotool("key", "Down", "Return")
        done = lab_jupyter.wait_until_answers(port, path, 30.0, lambda: app.poll() is None)
    finally:
        stop(app)
    result = {"click": done - t0}
    logged = "".join(p.read_text(errors="replace") for p in (config / "logs").glob("*.log*"))
    found = AHEAD_LOG.search(logged)
    if ahead and found:
        result["ahead"] = int(found.group(1)) / 1000
    elif ahead:
        raise RuntimeError(f"the tray app did not log in ahead: {logged[-2000:]}")
    return result


_IMPORT_LINE = re.compile(r"^import time:\s+(\d+) \|\s+(\d+) \| (\s*)(\S+)$")


def parse_importtime(text: str) -> list[dict[str, Any]]:
    """-X importtime output summed by top-level package (each module's own time, so
    nothing counts twice), largest first."""
    by_package: dict[str, int] = {}
    for line in text.splitlines():
        match = _IMPORT_LINE.match(line)
        if match:
            package = match.group(4).split(".")[0]
            by_package[package] = by_package.get(package, 0) + int(match.group(1))
    ranked = sorted(by_package.items(), key=lambda item: -item[1])
    return [{"module": name, "ms": us / 1000} for name, us in ranked]


def _wait_connected(events: queue.Queue[Any], timeout: float = 30.0) -> str:
    """The local URL of the next CONNECTED status."""
    from labtunnel.core.events import TunnelState, TunnelStatus

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        event = events.get(timeout=max(0.01, deadline - time.monotonic()))
        if isinstance(event, TunnelStatus):
            if event.state is TunnelState.CONNECTED and event.local_url:
                return event.local_url
            if event.state is TunnelState.FAILED:
                raise RuntimeError(f"connect failed: {event.error!r}")
    raise RuntimeError("not connected in time")


def _connect_again(lab: JupyterLab, rounds: int) -> tuple[list[float], list[float]]:
    """The running app's core, in this process: (first connects, connects again after a
    disconnect), s from TunnelManager.connect until the URL answers; a new manager (so
    nothing known yet) every round."""
    from labtunnel.core.context import AppContext
    from labtunnel.core.events import TunnelState, TunnelStatus
    from labtunnel.core.platform.paths import default_paths
    from labtunnel.core.profiles.secrets import MemorySecretStore
    from labtunnel.core.tunnel.manager import TunnelManager

    config = lab.config_dir("click-again")
    context = AppContext.create(
        default_paths({"LABTUNNEL_CONFIG_DIR": str(config)}), secrets=MemorySecretStore()
    )
    profile = context.store.get(PROFILE)
    first: list[float] = []
    again: list[float] = []
    for _round in range(rounds):
        events: queue.Queue[Any] = queue.Queue()
        manager = TunnelManager(context.tunnel_deps(), events.put)
        try:
            for times in (first, again):
                t0 = time.perf_counter()
                manager.connect(profile.id)
                url = _wait_connected(events)
                port = int(url.split(":")[2].split("/")[0])
                done = lab_jupyter.wait_until_answers(port, "/" + url.split("/", 3)[3], 30.0)
                times.append(done - t0)
                manager.disconnect(profile.id)
                while True:
                    event = events.get(timeout=30.0)
                    if isinstance(event, TunnelStatus) and event.state is TunnelState.DISCONNECTED:
                        break
        finally:
            manager.close()
    return first, again


def measure(lab: JupyterLab, sizes: ClickSizes, log: Callable[[str], None]) -> dict[str, Any]:
    cli_config = lab.config_dir("click-cli")
    started = time.monotonic()
    installed = install_labtunnel(lab.tmp / "installed")
    log(f"click: the checkout built and installed as a wheel in {time.monotonic() - started:.1f} s")
    log("click: a first `labtunnel connect` (remembers the server and the port; not counted)")
    path = str(_cli_once(lab, cli_config, installed)["path"])
    _cli_once(lab, cli_config, None)  # the checkout's bytecode written: not counted
    tray: TrayHost | None = None
    missing = TrayHost.available() if sizes.tray else "not asked for"
    if missing is None:
        tray = TrayHost().start()
    samples: dict[str, list[Any]] = {way: [] for way in WAYS}
    try:
        ways = ["cli", "cli_checkout", "ssh", "floor", *(["tray", "tray_cold"] if tray else [])]
        for rnd in range(sizes.rounds):
            log(f"click: round {rnd + 1}/{sizes.rounds}")
            k = rnd % len(ways)
            for way in [*ways[k:], *ways[:k]]:
                if way == "cli":
                    samples[way].append(_cli_once(lab, cli_config, installed))
                elif way == "cli_checkout":
                    samples[way].append(_cli_once(lab, cli_config, None))
                elif way == "ssh":
                    samples[way].append(_ssh_once(lab, path))
                elif way == "floor":
                    samples[way].append(_floor_once(lab))
                else:
                    assert tray is not None
                    label = f"click-{way}-{rnd}"
                    samples[way].append(_tray_once(lab, tray, label, path, ahead=way == "tray"))
    finally:
        if tray is not None:
            tray.stop()
    log("click: connect again in a running app (core, in this process)")
    samples["first"], samples["again"] = _connect_again(lab, sizes.rounds)
    imports = _import_profile(cli_config, installed)
    return summarize(samples, imports, missing)


def _import_profile(config: Path, installed: Path) -> list[dict[str, Any]]:
    """Top-level packages the installed `labtunnel connect` imports, by cumulative import
    time (one run with PYTHONPROFILEIMPORTTIME=1, not timed)."""
    env = _cli_env(installed, config)
    env["PYTHONPROFILEIMPORTTIME"] = "1"
    proc = subprocess.Popen(
        _cli_argv(installed),
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None and proc.stderr is not None
    chunks: list[str] = []
    reader = threading.Thread(target=lambda: chunks.append(proc.stderr.read()))  # type: ignore[union-attr]
    reader.start()
    try:
        proc.stdout.readline()  # the URL: everything connect needs is imported by now
    finally:
        stop(proc, interrupt=True)
        reader.join(10.0)
    return parse_importtime("".join(chunks))[:10]


def _spread(values: list[float]) -> dict[str, float] | None:
    if not values:
        return None
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


#: the ways the click is measured (see the module's docstring)
WAYS = ("cli", "cli_checkout", "ssh", "floor", "tray", "tray_cold", "first", "again")


def _steps(runs: list[dict[str, float]], table: tuple[tuple[str, str, str], ...]) -> list[Any]:
    steps = []
    for label, start, end in table:
        values = [
            run[end] - (0.0 if start == "spawn" else run[start])
            for run in runs
            if end in run and (start == "spawn" or start in run)
        ]
        steps.append({"step": label, "s": _spread(values)})
    return steps


def _paired(values: list[float], ssh: list[float]) -> dict[str, float] | None:
    return _spread([v / s for v, s in zip(values, ssh, strict=False)])


def summarize(
    samples: dict[str, list[Any]], imports: list[dict[str, Any]], tray_missing: str | None
) -> dict[str, Any]:
    ssh = samples["ssh"]
    cli_total = [run["answers"] for run in samples["cli"]]
    checkout_total = [run["answers"] for run in samples["cli_checkout"]]
    floor_total = [run["answers"] for run in samples["floor"]]
    tray = [run["click"] for run in samples["tray"]]
    tray_cold = [run["click"] for run in samples["tray_cold"]]
    ahead = [run["ahead"] for run in samples["tray"] if "ahead" in run]
    cli_ratio = _paired(cli_total, ssh)
    tray_ratio = _paired(tray, ssh)
    return {
        "cli_s": _spread(cli_total),
        "cli_samples": samples["cli"],
        "cli_checkout_s": _spread(checkout_total),
        "cli_checkout_ratio": _paired(checkout_total, ssh),
        "ssh_s": _spread(ssh),
        "ssh_samples": ssh,
        "floor_s": _spread(floor_total),
        "floor_samples": samples["floor"],
        "floor_ratio": _paired(floor_total, ssh),
        "floor_steps": _steps(samples["floor"], FLOOR_STEPS),
        "tray_s": _spread(tray),
        "tray_samples": tray,
        "tray_ahead_s": _spread(ahead),
        "tray_cold_s": _spread(tray_cold),
        "tray_cold_samples": tray_cold,
        "tray_cold_ratio": _paired(tray_cold, ssh),
        "tray_missing": tray_missing,
        "first_s": _spread(samples["first"]),
        "again_s": _spread(samples["again"]),
        "again_samples": samples["again"],
        "again_ratio": _spread(
            [a / f for a, f in zip(samples["again"], samples["first"], strict=False)]
        ),
        "cli_ratio": cli_ratio,
        "tray_ratio": tray_ratio,
        "steps": _steps(samples["cli"], STEPS),
        "imports": imports,
        "goals": {"cli": GOAL_CLI, "tray": GOAL_TRAY},
        "met": {
            "cli": cli_ratio is not None and cli_ratio["median"] <= GOAL_CLI,
            "tray": tray_ratio is not None and tray_ratio["median"] <= GOAL_TRAY,
        },
    }


def _ms(f: dict[str, float] | None, suffix: str = " ms", scale: float = 1000) -> str:
    if not f:
        return "-"
    return f"{f['median'] * scale:.0f}{suffix} ({f['min'] * scale:.0f}–{f['max'] * scale:.0f})"


def _x(f: dict[str, float] | None) -> str:
    if not f:
        return "-"
    return f"{f['median']:.2f}× ({f['min']:.2f}–{f['max']:.2f})"


def format_table(click: dict[str, Any]) -> str:
    yes = {True: "yes", False: "**NO**"}
    rows = [
        f"## The click (Jupyter running, host key known), {len(click['ssh_samples'])} rounds",
        "",
        "| from the click until Jupyter's URL answers 200 | time (min–max) | / ssh -L, paired"
        " | goal | met |",
        "|---|---|---|---|---|",
        f"| spawning `ssh -N -L` | {_ms(click['ssh_s'])} | 1.0× | | |",
        f"| spawning `labtunnel connect` | {_ms(click['cli_s'])} | {_x(click['cli_ratio'])}"
        f" | ≤ {click['goals']['cli']:g}× | {yes[click['met']['cli']]} |",
        "| the same from the checkout (its editable install, the dev venv)"
        f" | {_ms(click['cli_checkout_s'])} | {_x(click['cli_checkout_ratio'])} | | |",
        f"| spawning the paramiko floor (paramiko_floor.py) | {_ms(click['floor_s'])}"
        f" | {_x(click['floor_ratio'])} | | |",
    ]
    if click["tray_samples"]:
        rows.append(
            f"| the tray app (running): click → URL answers | {_ms(click['tray_s'])}"
            f" | {_x(click['tray_ratio'])} | ≤ {click['goals']['tray']:g}×"
            f" | {yes[click['met']['tray']]} |"
        )
        rows.append(
            "| the same, `LABTUNNEL_LOGIN_AHEAD=0` (nothing done while the menu is open)"
            f" | {_ms(click['tray_cold_s'])} | {_x(click['tray_cold_ratio'])} | | |"
        )
    else:
        rows.append(f"| the tray app | not measured: {click['tray_missing']} | | | |")
    rows += [
        "",
        f"The tray app's login ahead (while the menu was open 0.6 s): {_ms(click['tray_ahead_s'])}."
        " A running app's core connecting again after a disconnect (the Jupyter it reached"
        f" checked with one request): {_ms(click['again_s'])} against its first connect"
        f" {_ms(click['first_s'])}, {_x(click['again_ratio'])}.",
    ]
    for title, key in (("`labtunnel connect`", "steps"), ("the paramiko floor", "floor_steps")):
        rows += ["", f"{title}, step by step:", "", "| step | time (min–max) |", "|---|---|"]
        rows += [f"| {s['step']} | {_ms(s['s'])} |" for s in click[key]]
    if click["imports"]:
        rows.append("")
        rows.append(
            "Imports at start (time spent in each package's own modules; one run with"
            " PYTHONPROFILEIMPORTTIME=1): "
            + ", ".join(f"{m['module']} {m['ms']:.0f} ms" for m in click["imports"])
        )
    return "\n".join(rows)

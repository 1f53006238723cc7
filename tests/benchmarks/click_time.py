"""The click: from "connect" until Jupyter's URL answers, with the time of each step.

Jupyter already runs on the lab server and its host key is known, as on every day after
the first. Three ways, interleaved round by round (the order rotates):

``labtunnel connect``
    spawned (the venv's console script, what a terminal user runs) until the URL it prints
    answers 200. Its progress lines on stderr are timestamped as they arrive, which splits
    the time into: start (interpreter, imports, profile), TCP + key exchange + host key,
    login, finding Jupyter, opening the local port, LabTunnel's own check that Jupyter
    answers, the first request.
``ssh -N -L``
    spawned until the same URL answers 200 through it: the yardstick (1.0×).
the tray app
    already running under a real tray (Xvfb + trayer): its icon clicked, "Connect to ..."
    picked in the menu (xdotool), until the URL answers 200.

Ratios are paired: each round's LabTunnel time over the same round's ``ssh -L`` time.
A separate run of ``labtunnel connect`` with ``PYTHONPROFILEIMPORTTIME=1`` says which
packages the start spends its time importing.
"""

from __future__ import annotations

import re
import statistics
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

import lab_jupyter
from lab_jupyter import PROFILE, JupyterLab, labtunnel_argv, labtunnel_env, stop
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


@dataclass(frozen=True)
class ClickSizes:
    rounds: int
    tray: bool = True


def _cli_once(lab: JupyterLab, config: Path) -> dict[str, float]:
    """One `labtunnel connect`: perf_counter of each step, relative to the spawn."""
    marks: dict[str, float] = {}
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        labtunnel_argv("connect", PROFILE, "--no-browser"),
        env=labtunnel_env(config),
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


def _tray_once(lab: JupyterLab, tray: TrayHost, label: str, path: str) -> float:
    """The tray app, started and settled; click its icon, pick "Connect to ..."; until
    the URL answers (s, from the pick)."""
    port = free_port()
    config = lab.config_dir(label, local_port=port)
    env = labtunnel_env(config)
    env.update(tray.env())
    env.update(QT_QPA_PLATFORM="xcb", BROWSER="true")  # the browser it opens: nothing
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
        return done - t0
    finally:
        stop(app)


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


def measure(lab: JupyterLab, sizes: ClickSizes, log: Callable[[str], None]) -> dict[str, Any]:
    cli_config = lab.config_dir("click-cli")
    log("click: a first `labtunnel connect` (remembers the server and the port; not counted)")
    path = str(_cli_once(lab, cli_config)["path"])
    tray: TrayHost | None = None
    missing = TrayHost.available() if sizes.tray else "not asked for"
    if missing is None:
        tray = TrayHost().start()
    cli: list[dict[str, float]] = []
    ssh: list[float] = []
    tray_s: list[float] = []
    try:
        ways = ["cli", "ssh", *(["tray"] if tray else [])]
        for rnd in range(sizes.rounds):
            log(f"click: round {rnd + 1}/{sizes.rounds}")
            k = rnd % len(ways)
            for way in [*ways[k:], *ways[:k]]:
                if way == "cli":
                    cli.append(_cli_once(lab, cli_config))
                elif way == "ssh":
                    ssh.append(_ssh_once(lab, path))
                else:
                    assert tray is not None
                    tray_s.append(_tray_once(lab, tray, f"click-tray-{rnd}", path))
    finally:
        if tray is not None:
            tray.stop()
    imports = _import_profile(lab, cli_config)
    return summarize(cli, ssh, tray_s, imports, missing)


def _import_profile(lab: JupyterLab, config: Path) -> list[dict[str, Any]]:
    """Top-level packages `labtunnel connect` imports, by cumulative import time (one
    run with PYTHONPROFILEIMPORTTIME=1, not timed)."""
    env = labtunnel_env(config)
    env["PYTHONPROFILEIMPORTTIME"] = "1"
    proc = subprocess.Popen(
        labtunnel_argv("connect", PROFILE, "--no-browser"),
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


def summarize(
    cli: list[dict[str, float]],
    ssh: list[float],
    tray: list[float],
    imports: list[dict[str, Any]],
    tray_missing: str | None,
) -> dict[str, Any]:
    cli_total = [run["answers"] for run in cli]
    steps = []
    for label, start, end in STEPS:
        values = [
            run[end] - (0.0 if start == "spawn" else run[start])
            for run in cli
            if end in run and (start == "spawn" or start in run)
        ]
        steps.append({"step": label, "s": _spread(values)})
    cli_ratio = _spread([c / s for c, s in zip(cli_total, ssh, strict=False)])
    tray_ratio = _spread([t / s for t, s in zip(tray, ssh, strict=False)])
    return {
        "cli_s": _spread(cli_total),
        "cli_samples": cli,
        "ssh_s": _spread(ssh),
        "ssh_samples": ssh,
        "tray_s": _spread(tray),
        "tray_samples": tray,
        "tray_missing": tray_missing,
        "cli_ratio": cli_ratio,
        "tray_ratio": tray_ratio,
        "steps": steps,
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
    ]
    if click["tray_samples"]:
        rows.append(
            f"| the tray app (running): click → URL answers | {_ms(click['tray_s'])}"
            f" | {_x(click['tray_ratio'])} | ≤ {click['goals']['tray']:g}×"
            f" | {yes[click['met']['tray']]} |"
        )
    else:
        rows.append(f"| the tray app | not measured: {click['tray_missing']} | | | |")
    rows += ["", "`labtunnel connect`, step by step:", "", "| step | time (min–max) |", "|---|---|"]
    rows += [f"| {s['step']} | {_ms(s['s'])} |" for s in click["steps"]]
    if click["imports"]:
        rows.append("")
        rows.append(
            "Imports at start (time spent in each package's own modules; one run with"
            " PYTHONPROFILEIMPORTTIME=1): "
            + ", ".join(f"{m['module']} {m['ms']:.0f} ms" for m in click["imports"])
        )
    return "\n".join(rows)

"""``labtunnel connect NAME``: the tray's "Connect" from a terminal or a script.

The URL is the first (and only) line on stdout; progress goes to stderr (for a Slurm
profile also the queue: "Waiting in the queue for a GPU (Resources); ..."). The tunnel
stays up, reconnecting by itself, until SIGINT or SIGTERM. Ctrl+C while the job still
waits in the queue cancels it; once it runs, the job keeps running. Each extra forward
(TensorBoard...) gets a ``NAME URL`` line on stderr too; with ``--json`` stdout gets one
JSON object instead, with all of them.
"""

from __future__ import annotations

import argparse
import getpass
import json
import queue
import signal
import sys
import threading
from collections.abc import Sequence
from types import FrameType
from typing import Any

from labtunnel.cli.output import fail, say
from labtunnel.core.context import AppContext
from labtunnel.core.errors import HostKeyUnknown, LabTunnelError, unknown_host_key
from labtunnel.core.events import (
    Event,
    ForwardState,
    ForwardStatus,
    JobEndingSoon,
    TunnelState,
    TunnelStatus,
    TunnelStep,
    TunnelWarning,
)
from labtunnel.core.platform.browser import BrowserOpener, pages_folder
from labtunnel.core.profiles.model import JupyterSpec
from labtunnel.core.ssh.cancel import CancelToken
from labtunnel.core.tunnel.tunnel import Tunnel
from labtunnel.messages import describe, describe_step
from labtunnel.messages.browser import browser_not_opened, redirect_link
from labtunnel.messages.glance import describe_gpus, describe_listen
from labtunnel.messages.slurm import (
    describe_ending_soon,
    describe_job,
    describe_left_running,
    describe_queue,
    describe_starting,
)
from labtunnel.messages.tunnel import describe_forward, describe_forward_answering


def register(commands: Any) -> None:
    connect = commands.add_parser(
        "connect",
        help="connect a lab server and keep the tunnel open until Ctrl+C",
        description="Connect, find or start Jupyter, forward a local port and open the "
        "browser. The URL is printed as the first line on stdout; each extra forward "
        "(profile set --forward) follows as a NAME URL line on stderr. Stops on "
        "SIGINT/SIGTERM.",
    )
    connect.add_argument("name", help="the lab server (profile) name")
    connect.add_argument(
        "--accept-new-host-key",
        action="store_true",
        help="trust the server's key on first connection (a changed key is still refused)",
    )
    connect.add_argument("--no-browser", action="store_true", help="do not open the browser")
    connect.add_argument(
        "--json",
        action="store_true",
        help="print one JSON object on stdout instead of the URL: url, local_port and "
        "forwards (name, url, local_port, remote, state of each extra forward)",
    )
    connect.set_defaults(handler=_connect)


class TerminalPrompter:
    """One-time codes typed at the terminal; none when there is no terminal. (A typed
    answer cannot be withdrawn: Ctrl+C stops the connect, the question goes with the
    process.)"""

    def ask(
        self,
        host: str,
        title: str,
        instructions: str,
        prompts: Sequence[tuple[str, bool]],
        cancel: CancelToken | None = None,
    ) -> Sequence[str] | None:
        if not sys.stdin.isatty() or (cancel is not None and cancel.cancelled):
            return None
        if instructions:
            say(instructions)
        answers = []
        for text, echo in prompts:
            answers.append(input(text) if echo else getpass.getpass(text))
        return answers


def _confirm_host_key(error: HostKeyUnknown) -> bool:
    if not sys.stdin.isatty():
        return False
    say(describe(error).text)
    reply = input(f"Trust this key for {error.host} and connect? [y/N] ")
    return reply.strip().lower() in ("y", "yes")


def _connect(args: argparse.Namespace, context: AppContext) -> int:
    profile = context.store.get(args.name)
    events: queue.Queue[Event] = queue.Queue()
    stop_requested = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop_requested.set()
        events.put(
            TunnelStatus(profile.id, profile.name, TunnelState.DISCONNECTED)
        )  # wakes _follow

    # the URL's token goes to the browser through a private page, never its command line
    browser = BrowserOpener(
        lambda: pages_folder(context.paths.config_dir), text=redirect_link().text
    )
    previous = {s: signal.signal(s, on_signal) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        while True:
            tunnel = Tunnel(profile, context.tunnel_deps(TerminalPrompter()), events.put)
            tunnel.start()
            outcome = _follow(tunnel, events, stop_requested, args, context, browser)
            if outcome is not None:
                return outcome
    finally:
        browser.close()
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _follow(
    tunnel: Tunnel,
    events: queue.Queue[Event],
    stop_requested: threading.Event,
    args: argparse.Namespace,
    context: AppContext,
    browser: BrowserOpener,
) -> int | None:
    """Report the tunnel's events until it ends; None means: connect again."""
    printed_url = False
    last_line = ""
    forward_states: dict[str, ForwardState] = {}
    while True:
        try:
            event: Event | None = events.get(timeout=0.5)
        except queue.Empty:
            event = None
        if stop_requested.is_set():
            return _close(tunnel)
        if isinstance(event, JobEndingSoon):
            say(describe_ending_soon(event.job_id, event.seconds_left).text)
            continue
        if isinstance(event, TunnelWarning):
            say(describe(event.warning).text)
            continue
        if not isinstance(event, TunnelStatus):
            continue
        line = _progress_line(event, tunnel.profile.host)
        if line and line != last_line:
            say(line)
            last_line = line
        if event.state is TunnelState.CONNECTED and event.local_url:
            if not printed_url:
                _print_urls(event, args.json)
                forward_states = {f.name: f.state for f in event.forwards}
                printed_url = True
                if not args.no_browser:
                    _open_browser(browser, event.local_url, tunnel.profile.id)
                for detail in _jupyter_details(event):
                    say(detail)
                if event.job is not None:
                    say("Press Ctrl+C to close the tunnel (the job keeps running on the cluster).")
                else:
                    say("Press Ctrl+C to close the tunnel (Jupyter keeps running on the server).")
            else:
                _say_forward_changes(event.forwards, forward_states)
        elif event.state is TunnelState.FAILED:
            tunnel.join(5.0)
            error = event.error or LabTunnelError("failed")
            unknown = unknown_host_key(error)
            if (
                unknown is not None
                and not printed_url
                and (args.accept_new_host_key or _confirm_host_key(unknown))
            ):
                context.hostkeys.trust(
                    unknown.host, unknown.port, unknown.key_type, unknown.key_base64
                )
                say(f"Trusted {unknown.key_type} key {unknown.fingerprint} for {unknown.host}.")
                return None
            return fail(error)
        elif event.state is TunnelState.JUPYTER_DOWN:
            tunnel.start_jupyter_again()
        elif event.state is TunnelState.JOB_ENDED:
            # never a second job by itself: the person decides
            tunnel.stop()
            tunnel.join(10.0)
            say(f'To start a new job:  labtunnel connect "{tunnel.profile.name}"')
            return 1
        elif event.state is TunnelState.DISCONNECTED and not tunnel.is_running:
            return 0


def _jupyter_details(status: TunnelStatus) -> list[str]:
    """Where the user's Jupyter listens (and why not privately) and its GPUs."""
    details = status.jupyter
    if details is None or status.job is not None:
        return []
    lines = [describe_listen(details).text]
    gpus = describe_gpus(details, None)
    if gpus is not None:
        lines.append(gpus.text)
    return lines


def _close(tunnel: Tunnel) -> int:
    """Ctrl+C: close the tunnel. A Slurm job that has not started Jupyter yet (waiting in
    the queue, or being submitted) is cancelled: nobody waits for it any more. A running
    one goes on, and we say how to stop it."""
    status = tunnel.status
    target = tunnel.profile.target
    slurm = isinstance(target, JupyterSpec) and target.slurm is not None
    waiting = slurm and status.state in (TunnelState.QUEUED, TunnelState.STARTING_JUPYTER)
    tunnel.stop(stop_jupyter=waiting)
    if not tunnel.join(30.0):
        say("The tunnel did not close within 30 s.")
        return 1
    job = tunnel.status.job or status.job
    if waiting and job is not None:
        say(f"Cancelled your Slurm job {job.job_id}: it was still waiting to start.")
    elif job is not None and status.state is TunnelState.CONNECTED:
        say(describe_left_running(job, tunnel.profile.name).text)
    say("Tunnel closed.")
    return 0


def _open_browser(browser: BrowserOpener, url: str, key: str) -> None:
    try:
        browser.open(url, key=key)
    except OSError as exc:
        say(browser_not_opened(exc.strerror or str(exc)).text)


def _print_urls(status: TunnelStatus, as_json: bool) -> None:
    """Jupyter's URL first on stdout (or everything as JSON), then the extra forwards."""
    if as_json:
        document = {
            "profile": status.profile_name,
            "url": status.local_url,
            "local_port": status.local_port,
            "forwards": [
                {
                    "name": f.name,
                    "url": f.local_url,
                    "local_port": f.local_port,
                    "remote": f.remote,
                    "state": f.state.value,
                }
                for f in status.forwards
            ],
        }
        print(json.dumps(document, ensure_ascii=False), flush=True)
    else:
        print(status.local_url, flush=True)
    for forward in status.forwards:
        if forward.local_url:
            say(f"{forward.name} {forward.local_url}")
        problem = describe_forward(forward)
        if problem is not None:
            say(problem.text)


def _say_forward_changes(
    forwards: tuple[ForwardStatus, ...], reported: dict[str, ForwardState]
) -> None:
    for forward in forwards:
        if reported.get(forward.name) is forward.state:
            continue
        reported[forward.name] = forward.state
        if forward.state is ForwardState.ANSWERING:
            say(describe_forward_answering(forward).text)
        else:
            problem = describe_forward(forward)
            if problem is not None:
                say(problem.text)


def _progress_line(status: TunnelStatus, host: str) -> str:
    if status.state is TunnelState.QUEUED and status.job is not None:
        return describe_queue(status.job).text
    if status.step is TunnelStep.JOB_STARTING and status.job is not None:
        return describe_starting(status.job).text
    if status.state is TunnelState.CONNECTED and status.job is not None:
        connected = "Connected again" if status.was_connected else "Connected"
        return f"{connected}: {describe_job(status.job).text}."
    if status.state is TunnelState.JOB_ENDED and status.error is not None:
        return describe(status.error).text
    if status.state in (TunnelState.CONNECTING, TunnelState.STARTING_JUPYTER):
        return describe_step(status.step, host).text
    if status.state is TunnelState.RECONNECTING and status.error is not None:
        return f"{describe(status.error).text} Retrying in {status.retry_in:g} s…"
    if status.state is TunnelState.CONNECTED:
        return "Connected again." if status.was_connected else "Connected."
    if status.state is TunnelState.JUPYTER_DOWN:
        return "Jupyter stopped on the server (the SSH connection is fine); starting it again…"
    return ""

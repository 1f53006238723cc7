"""The words for each step of a connect, the same for the tray and the command line."""

from __future__ import annotations

from labtunnel.core.events import TunnelStep
from labtunnel.messages.base import QT_TRANSLATE_NOOP, Message, msg

STEP_WORDS: dict[TunnelStep, str] = {
    TunnelStep.CONNECTING: QT_TRANSLATE_NOOP("messages", "Connecting to {host}…"),
    TunnelStep.AUTHENTICATING: QT_TRANSLATE_NOOP("messages", "Signing in…"),
    TunnelStep.FINDING_JUPYTER: QT_TRANSLATE_NOOP("messages", "Looking for your Jupyter…"),
    TunnelStep.STARTING_JUPYTER: QT_TRANSLATE_NOOP("messages", "Starting Jupyter on the server…"),
    TunnelStep.WAITING_JUPYTER: QT_TRANSLATE_NOOP("messages", "Waiting for Jupyter to be ready…"),
    TunnelStep.FORWARDING: QT_TRANSLATE_NOOP("messages", "Opening the tunnel…"),
    TunnelStep.CHECKING: QT_TRANSLATE_NOOP("messages", "Checking that Jupyter answers…"),
    TunnelStep.SUBMITTING_JOB: QT_TRANSLATE_NOOP(
        "messages", "Looking for your Slurm job (or submitting one)…"
    ),
    TunnelStep.QUEUED: QT_TRANSLATE_NOOP("messages", "Waiting in the queue…"),
    TunnelStep.JOB_STARTING: QT_TRANSLATE_NOOP("messages", "Starting Jupyter in the job…"),
}


def describe_step(step: TunnelStep | None, host: str) -> Message:
    """What is happening now, in a few words (a connect that has not started a step yet
    is "connecting")."""
    return msg(STEP_WORDS[step or TunnelStep.CONNECTING], host=host)

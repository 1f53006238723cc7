"""Sentences for the check for a newer version (Settings, ``labtunnel check-update``)."""

from __future__ import annotations

from labtunnel.core.updates import CheckProblem, UpdateCheckFailed, UpdateStatus
from labtunnel.messages.base import QT_TRANSLATE_NOOP, Message, msg

_PROBLEMS = {
    CheckProblem.OFFLINE: QT_TRANSLATE_NOOP(
        "messages",
        "Could not check for a newer version: this computer seems to be offline, or "
        "GitHub cannot be reached. Try again later.",
    ),
    CheckProblem.NO_RELEASE: QT_TRANSLATE_NOOP(
        "messages", "No release of LabTunnel has been published yet."
    ),
    CheckProblem.REFUSED: QT_TRANSLATE_NOOP(
        "messages", "GitHub did not answer the check ({detail}). Try again later."
    ),
    CheckProblem.BAD_ANSWER: QT_TRANSLATE_NOOP(
        "messages", "GitHub’s answer was not understood. Try again later."
    ),
}


def describe_update(result: UpdateStatus | UpdateCheckFailed) -> Message:
    """What the check found, or why it could not tell."""
    if isinstance(result, UpdateCheckFailed):
        return msg(_PROBLEMS[result.problem], detail=result.detail)
    if result.newer_available:
        return msg(
            QT_TRANSLATE_NOOP("messages", "LabTunnel {version} is available (you have {current})."),
            version=result.latest.version,
            current=result.current,
        )
    return msg(
        QT_TRANSLATE_NOOP("messages", "You have the latest version, LabTunnel {current}."),
        current=result.current,
    )

"""Errors -> plain sentences that name the fix. Shared by the CLI and the tray.

One module per part of core (profiles, ssh, hostkeys, keysetup, tunnel, jupyter, slurm,
sharing), each registering a describer per error class; :mod:`.base` holds :class:`Message` and
:func:`describe`.
"""

from __future__ import annotations

from labtunnel.messages import (
    browser,
    hostkeys,
    jupyter,
    keysetup,
    profiles,
    sharing,
    slurm,
    ssh,
    steps,
    tunnel,
)
from labtunnel.messages.base import (
    QT_TRANSLATE_NOOP,
    Message,
    Translate,
    describe,
    join_sentences,
)
from labtunnel.messages.profiles import describe_problem, describe_profile_note
from labtunnel.messages.sharing import (
    describe_import_note,
    describe_share_problem,
    describe_skipped_host,
)
from labtunnel.messages.steps import describe_step

__all__ = [
    "QT_TRANSLATE_NOOP",
    "Message",
    "Translate",
    "browser",
    "describe",
    "describe_import_note",
    "describe_problem",
    "describe_profile_note",
    "describe_share_problem",
    "describe_skipped_host",
    "describe_step",
    "hostkeys",
    "join_sentences",
    "jupyter",
    "keysetup",
    "profiles",
    "sharing",
    "slurm",
    "ssh",
    "steps",
    "tunnel",
]

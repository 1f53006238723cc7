"""Errors -> plain sentences that name the fix. Shared by the CLI and the tray.

One module per part of core (profiles, ssh, hostkeys, keysetup, tunnel, jupyter, slurm,
sharing), each registering a describer per error class; :mod:`.base` holds :class:`Message` and
:func:`describe`, which loads them all the first time it is asked. The submodules and the
names below from them load when first used: ``labtunnel connect`` prints its progress
without loading the key-setup, sharing or Slurm sentences (and the core code behind them).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from labtunnel.messages.base import (
    DESCRIBER_MODULES,
    QT_TRANSLATE_NOOP,
    Message,
    Translate,
    describe,
    join_sentences,
)
from labtunnel.messages.steps import describe_step

if TYPE_CHECKING:
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
    from labtunnel.messages.profiles import describe_problem, describe_profile_note
    from labtunnel.messages.sharing import (
        describe_import_note,
        describe_share_problem,
        describe_skipped_host,
    )

#: name -> the submodule it comes from, imported on first use
_FROM_SUBMODULES = {
    "describe_problem": "profiles",
    "describe_profile_note": "profiles",
    "describe_import_note": "sharing",
    "describe_share_problem": "sharing",
    "describe_skipped_host": "sharing",
}


def __getattr__(name: str) -> Any:
    if name in DESCRIBER_MODULES:
        return importlib.import_module(f"{__name__}.{name}")
    if name in _FROM_SUBMODULES:
        module = importlib.import_module(f"{__name__}.{_FROM_SUBMODULES[name]}")
        return getattr(module, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


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

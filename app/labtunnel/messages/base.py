"""The machinery behind the sentences: a translatable :class:`Message`, and
:func:`describe`, which finds the describer registered for an error's class.

Templates are English and marked with QT_TRANSLATE_NOOP("messages", ...) so Qt's
lupdate extracts them. A message's ``params`` are data (host names, paths); its
``parts`` are messages themselves (a field's name, the reason behind a jump-host
failure), so a front end translates them too: the tray calls
``message.render(translate)``, the CLI uses ``message.text`` (English). Never imports Qt.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from labtunnel.core import errors as e
from labtunnel.core.logs import redact

#: sentence ends after which a joined sentence needs no space (CJK full-width punctuation)
_FULL_WIDTH_ENDS = "。！？；：）」』"


def QT_TRANSLATE_NOOP(context: str, text: str) -> str:
    return text


Translate = Callable[[str], str]


def _untranslated(template: str) -> str:
    return template


def join_sentences(sentences: list[str]) -> str:
    """Sentences one after another: a space between them, none after a full-width stop."""
    text = ""
    for sentence in sentences:
        if not sentence:
            continue
        if text and not text.endswith(tuple(_FULL_WIDTH_ENDS)):
            text += " "
        text += sentence
    return text


@dataclass(frozen=True)
class Message:
    template: str
    params: Mapping[str, str] = field(default_factory=dict)
    #: placeholders filled with messages (joined as sentences), translated like the template
    parts: Mapping[str, tuple[Message, ...]] = field(default_factory=dict)

    def render(self, translate: Translate = _untranslated) -> str:
        """The sentence, every template (this one's and its parts') through ``translate``."""
        values = dict(self.params)
        for key, messages in self.parts.items():
            values[key] = join_sentences([m.render(translate) for m in messages])
        return (translate(self.template) or self.template).format(**values)

    @property
    def text(self) -> str:
        return self.render()

    def __str__(self) -> str:
        return self.text


def msg(
    template: str, parts: Mapping[str, tuple[Message, ...]] | None = None, **params: object
) -> Message:
    return Message(template, {k: redact(str(v)) for k, v in params.items()}, dict(parts or {}))


def field_name(names: Mapping[str, str], key: str) -> tuple[str, Message | None]:
    """A field's name as a translatable part, or the raw key when it has no name."""
    template = names.get(key)
    return (key, None) if template is None else (key, Message(template))


def field_message(template: str, names: Mapping[str, str], problem: e.FieldProblem) -> Message:
    raw, named = field_name(names, problem.field)
    if named is None:
        return msg(template, field=raw, value=problem.value)
    return msg(template, {"field": (named,)}, value=problem.value)


_Describer = Callable[[Any], Message]


DESCRIBERS: dict[type[BaseException], _Describer] = {}

#: the modules of this package that register describers; :func:`describe` imports them
#: the first time it is called, so a program that never has to explain an error (a
#: ``labtunnel connect`` that works) never loads them
DESCRIBER_MODULES = (
    "browser",
    "hostkeys",
    "jupyter",
    "keysetup",
    "profiles",
    "sharing",
    "slurm",
    "ssh",
    "steps",
    "tunnel",
)
_loaded = False


def describers() -> dict[type[BaseException], _Describer]:
    """Every registered describer, by the error class it describes."""
    global _loaded
    if not _loaded:
        for name in DESCRIBER_MODULES:
            importlib.import_module(f"labtunnel.messages.{name}")
        _loaded = True
    return DESCRIBERS


def describes(kind: type[BaseException]) -> Callable[[_Describer], _Describer]:
    def register(function: _Describer) -> _Describer:
        DESCRIBERS[kind] = function
        return function

    return register


def describe(error: BaseException) -> Message:
    """A sentence for people: what happened and what to do about it."""
    registered = describers()
    for kind in type(error).__mro__:
        describer = registered.get(kind)
        if describer is not None:
            return describer(error)
    return msg(
        QT_TRANSLATE_NOOP(
            "messages",
            "Something unexpected went wrong ({kind}). See the log (Show log) for details.",
        ),
        kind=type(error).__name__,
    )


@describes(e.LabTunnelError)
def _generic(x: e.LabTunnelError) -> Message:
    return msg(
        QT_TRANSLATE_NOOP(
            "messages", "LabTunnel could not finish: {detail}. See the log (Show log) for details."
        ),
        detail=str(x),
    )

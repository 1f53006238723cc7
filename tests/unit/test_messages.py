from __future__ import annotations

import inspect

import pytest

from labtunnel import messages
from labtunnel.core import errors as e
from labtunnel.core.errors import ForwardRefusal, ProblemCode
from labtunnel.messages import describe, describe_problem

SECRET = "hunter2-secret"


def concrete_errors() -> list[type[e.LabTunnelError]]:
    found = []
    for _, cls in inspect.getmembers(e, inspect.isclass):
        abstract = cls in (e.LabTunnelError, e.NetworkError, e.KeyFileError)
        if issubclass(cls, e.LabTunnelError) and cls.__module__ == e.__name__ and not abstract:
            found.append(cls)
    return found


def test_every_core_error_has_its_own_sentence() -> None:
    registered = messages.base.describers()
    generic = registered[e.LabTunnelError]
    missing = []
    for cls in concrete_errors():
        describer = next(registered[k] for k in cls.__mro__ if k in registered)
        if describer is generic:
            missing.append(cls.__name__)
    assert missing == []


SAMPLES: list[e.LabTunnelError] = [
    e.DnsFailure("gpu.lab", 22),
    e.ConnectionRefused("gpu.lab", 2222),
    e.ConnectTimeout("gpu.lab", 22, 15),
    e.HostUnreachable("gpu.lab", 22),
    e.AuthFailed("gpu.lab", "alice", ["password"]),
    e.KeyPassphraseWrong("/home/a/.ssh/id"),
    e.LocalPortInUse(8000),
    e.HostKeyUnknown("gpu.lab", 22, "ssh-ed25519", "SHA256:abc", "AAAA"),
    e.HostKeyChanged("gpu.lab", 22, "ssh-ed25519", ["SHA256:old"], "SHA256:new", "pinned"),
    e.ForwardingRefused("gpu.lab", "127.0.0.1", 8888, ForwardRefusal.PROHIBITED),
    e.SecretStoreUnavailable("keyring.backends.fail.Keyring"),
    e.ProfileStoreCorrupt("/cfg/profiles.json", "bad json", "/cfg/profiles.json.unreadable"),
    e.JumpHostFailed("gw", "gpu", e.ConnectionRefused("gpu", 22)),
]


@pytest.mark.parametrize("error", SAMPLES, ids=lambda x: type(x).__name__)
def test_sentences_are_plain_and_name_data(error: e.LabTunnelError) -> None:
    text = describe(error).text
    assert text.endswith((".", ")")), text
    assert "{" not in text and "Traceback" not in text
    for value in ("gpu.lab", "8000", "SHA256:abc", "SHA256:new", "/cfg/profiles.json"):
        if value in str(error):
            assert value in text


def test_fingerprints_both_shown_for_changed_key() -> None:
    text = describe(SAMPLES[8]).text
    assert "SHA256:old" in text and "SHA256:new" in text


def test_secrets_in_error_data_are_redacted() -> None:
    from labtunnel.core.logs import register_secret

    register_secret(SECRET)
    failed = e.RemoteCommandFailed("jupyter", 1, f"error: token={SECRET} bad")
    text = describe(failed).text
    assert SECRET not in text


def test_field_problems_name_the_field() -> None:
    text = describe_problem(e.FieldProblem("port", ProblemCode.PORT_OUT_OF_RANGE, "70000")).text
    assert "SSH port" in text and "70000" in text and "65535" in text


def test_unexpected_exceptions_still_get_a_sentence() -> None:
    assert "ZeroDivisionError" in describe(ZeroDivisionError()).text


def test_every_problem_code_has_a_sentence() -> None:
    from labtunnel.messages.profiles import FIELD_PROBLEMS
    from labtunnel.messages.sharing import SHARE_PROBLEMS

    assert [c for c in e.ProblemCode if c not in FIELD_PROBLEMS and c not in SHARE_PROBLEMS] == []


def test_every_step_has_words() -> None:
    from labtunnel.core.events import TunnelStep
    from labtunnel.messages.steps import STEP_WORDS

    assert set(STEP_WORDS) == set(TunnelStep)

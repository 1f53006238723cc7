"""The authentication chain of one SSH connection.

Password, key file or agent first, as the profile says; then whatever the server
still asks for (keyboard-interactive: password prompts are answered from the
stored password, anything else such as a one-time code goes to the prompter).
A password login uses keyboard-interactive when the server offers it, as OpenSSH's
``ssh`` does: a PAM stack with a second factor can ask for its code only there.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import paramiko

from labtunnel.core.errors import (
    AgentHasNoKeys,
    AgentUnavailable,
    AuthFailed,
    AuthMethodNotAllowed,
    KeyPassphraseNeeded,
    OneTimeCodeCancelled,
    OneTimeCodeRefused,
)
from labtunnel.core.profiles.model import AuthMethod
from labtunnel.core.ssh.cancel import CancelToken
from labtunnel.core.ssh.keys import load_private_key

KEYBOARD_INTERACTIVE = "keyboard-interactive"


@dataclass(frozen=True)
class Credentials:
    """Secrets for one connection: given, or fetched from the keyring just before use.

    ``fetch`` ("password" or "passphrase" -> the stored secret or None) is asked only
    when the login needs that secret: a key login reads the keyring only for an
    encrypted key or a second factor, so most key logins never touch it (no unlock
    prompt, no keyring start-up time)."""

    password: str | None = field(default=None, repr=False)
    passphrase: str | None = field(default=None, repr=False)
    fetch: Callable[[str], str | None] | None = field(default=None, repr=False, compare=False)

    def login_password(self) -> str | None:
        if self.password is not None or self.fetch is None:
            return self.password
        return self.fetch("password")

    def stored_passphrase(self) -> str | None:
        """The keyring's passphrase, for a key that needs one and was given none."""
        return self.fetch("passphrase") if self.fetch is not None else None


class Prompter(Protocol):
    """Answers keyboard-interactive prompts that are not the password (one-time codes).

    Called on a worker thread; may block until the person answers (or ``cancel`` fires).
    None = cancelled.
    """

    def ask(
        self,
        host: str,
        title: str,
        instructions: str,
        prompts: Sequence[tuple[str, bool]],
        cancel: CancelToken | None = None,
    ) -> Sequence[str] | None:
        """``cancel``: the connect was stopped; withdraw the question and return None."""
        ...


AgentFactory = Callable[[], paramiko.Agent]


class SecondFactorNeeded(Exception):
    """The server wants more than the first login method, and the login was to ask
    nothing (a login ahead of a click, labtunnel.core.tunnel.ahead). Nobody is told:
    the click logs in again, with its questions."""


def _is_password_prompt(text: str, echo: bool) -> bool:
    return not echo and "password" in text.lower()


class _InteractiveAnswers:
    """Keyboard-interactive handler: the stored password once, other prompts to the user."""

    def __init__(
        self,
        host: str,
        password: str | None,
        prompter: Prompter | None,
        cancel: CancelToken | None = None,
    ) -> None:
        self.host = host
        self.password = password
        self.prompter = prompter
        self.cancel = cancel
        self.cancelled = False
        self.password_sent = False
        #: the person answered a prompt that was not the password (a one-time code)
        self.code_given = False

    def __call__(
        self, title: str, instructions: str, prompts: Sequence[tuple[str, bool]]
    ) -> list[str]:
        answers: list[str | None] = []
        for text, echo in prompts:
            if _is_password_prompt(text, echo) and self.password and not self.password_sent:
                self.password_sent = True
                answers.append(self.password)
            else:
                answers.append(None)
        unanswered = [p for p, a in zip(prompts, answers, strict=True) if a is None]
        if unanswered:
            replies = None
            stopped = self.cancel is not None and self.cancel.cancelled
            if self.prompter is not None and not self.cancelled and not stopped:
                replies = self.prompter.ask(
                    self.host, title, instructions, unanswered, cancel=self.cancel
                )
            if replies is None or len(replies) != len(unanswered):
                self.cancelled = True
                replies = [""] * len(unanswered)
            else:
                self.code_given = True
            iterator = iter(replies)
            answers = [a if a is not None else next(iterator) for a in answers]
        return [a or "" for a in answers]


def authenticate(
    transport: paramiko.Transport,
    host: str,
    username: str,
    method: AuthMethod,
    key_path: str,
    credentials: Credentials,
    prompter: Prompter | None,
    agent_factory: AgentFactory = paramiko.Agent,
    cancel: CancelToken | None = None,
    ask_nothing: bool = False,
) -> None:
    """Authenticate or raise a typed error; never puts a secret in the error. ``cancel``
    withdraws a one-time-code question when the connect is stopped. ``ask_nothing``:
    when the first method is not enough, raise SecondFactorNeeded instead of answering
    (an empty answer would count as a failed login on the server)."""
    tried: list[str] = []
    remaining: list[str]
    try:
        if method is AuthMethod.KEY:
            key = _load_key(key_path, credentials)
            tried.append("publickey")
            remaining = transport.auth_publickey(username, key)
        elif method is AuthMethod.AGENT:
            remaining = _agent_auth(transport, username, agent_factory, tried)
        else:
            remaining = _password_auth(
                transport, host, username, credentials, prompter, tried, cancel
            )
        if remaining and ask_nothing:
            raise SecondFactorNeeded(remaining)
        if remaining:
            remaining = _continue_partial(
                transport, host, username, credentials, prompter, remaining, tried, cancel
            )
    except paramiko.BadAuthenticationType as exc:
        raise AuthMethodNotAllowed(
            host, tried[-1] if tried else method.value, exc.allowed_types
        ) from None
    except paramiko.AuthenticationException:
        raise AuthFailed(host, username, tried) from None
    if not transport.is_authenticated():
        raise AuthFailed(host, username, tried)


def _load_key(key_path: str, credentials: Credentials) -> paramiko.PKey:
    try:
        return load_private_key(key_path, credentials.passphrase)
    except KeyPassphraseNeeded:
        stored = credentials.stored_passphrase()
        if not stored:
            raise
        return load_private_key(key_path, stored)


def _password_auth(
    transport: paramiko.Transport,
    host: str,
    username: str,
    credentials: Credentials,
    prompter: Prompter | None,
    tried: list[str],
    cancel: CancelToken | None = None,
) -> list[str]:
    """Keyboard-interactive first when offered (the password prompt answered from the
    stored password), else the password method; like ``ssh``. With a second factor in
    the server's PAM stack, the password method goes through that stack too and fails,
    because it cannot ask for the code."""
    offered = _offered_methods(transport, username)
    if offered is None:
        return []  # the server let us in without any (auth "none")
    if KEYBOARD_INTERACTIVE in offered:
        handler = _InteractiveAnswers(host, credentials.password, prompter, cancel)
        try:
            return _interactive(transport, host, username, handler, tried)
        except paramiko.AuthenticationException:
            # keyboard-interactive that never asked for a password (no PAM behind it):
            # the password method may still work
            if handler.password_sent or "password" not in offered or not credentials.password:
                raise
    if credentials.password is None or "password" not in offered:
        raise paramiko.BadAuthenticationType("no password login", offered)
    tried.append("password")
    return transport.auth_password(username, credentials.password, fallback=False)


def _offered_methods(transport: paramiko.Transport, username: str) -> list[str] | None:
    """The login methods the server offers, asked with the method "none" (as ``ssh``
    does); None when "none" itself was accepted."""
    try:
        transport.auth_none(username)
    except paramiko.BadAuthenticationType as exc:
        return list(exc.allowed_types)
    except paramiko.AuthenticationException:
        return ["password", KEYBOARD_INTERACTIVE]  # it did not say: try both
    return None


def _interactive(
    transport: paramiko.Transport,
    host: str,
    username: str,
    handler: _InteractiveAnswers,
    tried: list[str],
) -> list[str]:
    tried.append(KEYBOARD_INTERACTIVE)
    try:
        return transport.auth_interactive(username, handler)
    except paramiko.BadAuthenticationType:
        raise
    except paramiko.AuthenticationException:
        if handler.cancelled:
            raise OneTimeCodeCancelled(host) from None
        if handler.code_given:
            raise OneTimeCodeRefused(host, username) from None
        raise


def _agent_auth(
    transport: paramiko.Transport,
    username: str,
    agent_factory: AgentFactory,
    tried: list[str],
) -> list[str]:
    if os.name == "posix" and not os.environ.get("SSH_AUTH_SOCK"):
        raise AgentUnavailable("SSH_AUTH_SOCK is not set")
    try:
        agent = agent_factory()
        keys = agent.get_keys()
    except (paramiko.SSHException, OSError) as exc:
        raise AgentUnavailable(type(exc).__name__) from None
    if not keys:
        raise AgentHasNoKeys()
    tried.append("agent")
    last_error: paramiko.AuthenticationException | None = None
    try:
        for key in keys:
            try:
                return transport.auth_publickey(username, key)
            except paramiko.BadAuthenticationType:
                raise
            except paramiko.AuthenticationException as exc:
                last_error = exc
    finally:
        agent.close()
    raise last_error or paramiko.AuthenticationException()


def _continue_partial(
    transport: paramiko.Transport,
    host: str,
    username: str,
    credentials: Credentials,
    prompter: Prompter | None,
    remaining: list[str],
    tried: list[str],
    cancel: CancelToken | None = None,
) -> list[str]:
    """The server accepted the first factor and wants another (e.g. key + OTP)."""
    password = credentials.login_password()
    if KEYBOARD_INTERACTIVE in remaining:
        handler = _InteractiveAnswers(host, password, prompter, cancel)
        return _interactive(transport, host, username, handler, tried)
    if "password" in remaining and password is not None:
        tried.append("password")
        return transport.auth_password(username, password, fallback=False)
    raise AuthMethodNotAllowed(host, tried[-1] if tried else "", remaining)

"""``labtunnel profile use-key | remove-key | forget-password``: from password to key and
back, the tray's "Use a key instead of my password…" from a terminal."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from labtunnel.cli.connect_cmd import TerminalPrompter
from labtunnel.cli.output import say
from labtunnel.cli.secrets_input import read_secret
from labtunnel.core.context import AppContext
from labtunnel.core.errors import KeyPassphraseNeeded, LabTunnelError
from labtunnel.core.profiles.model import AuthMethod
from labtunnel.core.profiles.secrets import SecretKind
from labtunnel.core.ssh.keys import load_private_key
from labtunnel.core.ssh.keysetup import KeyStep
from labtunnel.messages.keysetup import (
    describe_key_removal,
    describe_key_setup,
    describe_key_step,
    describe_password_deleted,
    describe_password_kept,
    describe_password_offer,
)


def register_profile_actions(actions: Any) -> None:
    """Adds the key actions to ``labtunnel profile``."""
    use_key = actions.add_parser(
        "use-key",
        help="sign in with a key instead of the password (made and installed for you)",
        description="Switch a lab server from its password to a key, in one go: LabTunnel "
        "makes an ed25519 key (kept in its settings folder, mode 0600) or takes yours "
        "(--existing), signs in with the saved password, adds the public key to "
        "~/.ssh/authorized_keys on the server (and on a jump host given as an address) "
        "without touching the other lines, signs in again with the key alone to prove it, "
        "and only then switches the lab server to it. If anything goes wrong, nothing is "
        "changed. Undo with remove-key.",
    )
    use_key.add_argument("name", help="the lab server (profile)")
    use_key.add_argument(
        "--existing", metavar="PATH", type=Path, help="use this private key instead of a new one"
    )
    use_key.add_argument(
        "--passphrase-stdin",
        action="store_true",
        help="read a passphrase from stdin: it encrypts the new key (or unlocks --existing) "
        "and is kept in the system keyring",
    )
    password = use_key.add_mutually_exclusive_group()
    password.add_argument(
        "--forget-password",
        action="store_true",
        help="once the key works, delete the saved password (asked on a terminal otherwise)",
    )
    password.add_argument(
        "--keep-password", action="store_true", help="keep the saved password without asking"
    )
    use_key.set_defaults(handler=_use_key)

    remove_key = actions.add_parser(
        "remove-key",
        help="take LabTunnel's key off the server and sign in with the password again",
        description="Undo use-key: sign in with the password (saved, or --password-stdin; "
        "it must work, or the key stays so you are not locked out), take exactly "
        "LabTunnel's line for the key off ~/.ssh/authorized_keys (other lines stay), switch "
        "the lab server back to the password and delete the key LabTunnel made.",
    )
    remove_key.add_argument("name", help="the lab server (profile)")
    remove_key.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from stdin (kept in the system keyring)",
    )
    remove_key.set_defaults(handler=_remove_key)

    forget = actions.add_parser(
        "forget-password",
        help="delete the saved password of a lab server that signs in with a key",
    )
    forget.add_argument("name", help="the lab server (profile)")
    forget.set_defaults(handler=_forget_password)


def _progress(step: KeyStep) -> None:
    say(describe_key_step(step).text)


def _use_key(args: argparse.Namespace, context: AppContext) -> int:
    profile = context.store.get(args.name)
    passphrase = read_secret(True, "") if args.passphrase_stdin else None
    if passphrase is None and args.existing is not None and not args.passphrase_stdin:
        passphrase = _passphrase_if_needed(args.existing)
    password = None
    if sys.stdin.isatty() and context.secrets.get(profile.id, SecretKind.PASSWORD) is None:
        password = read_secret(False, f"Password for {profile.username}@{profile.host}: ")
    keys = context.key_setup(TerminalPrompter())
    result = keys.use_key(
        profile.id,
        existing=args.existing,
        passphrase=passphrase,
        password=password,
        on_step=_progress,
    )
    for sentence in describe_key_setup(result):
        say(sentence.text)
    if args.keep_password or not result.password_saved:
        if args.keep_password:
            say(describe_password_kept(profile.name).text)
        return 0
    if args.forget_password or _yes(describe_password_offer(profile.name).text):
        keys.forget_password(profile.id)
        say(describe_password_deleted(profile.name).text)
    else:
        say(describe_password_kept(profile.name).text)
    return 0


def _passphrase_if_needed(path: Path) -> str | None:
    """An encrypted key of the user's: its passphrase, typed on the terminal."""
    try:
        load_private_key(str(path.expanduser()), None)
    except KeyPassphraseNeeded:
        return read_secret(False, f"Passphrase for {path}: ")
    except LabTunnelError:  # any other problem is reported by use_key itself
        return None
    return None


def _yes(question: str) -> bool:
    if not sys.stdin.isatty():
        return False
    return input(f"{question} [y/N] ").strip().lower() in ("y", "yes")


def _remove_key(args: argparse.Namespace, context: AppContext) -> int:
    profile = context.store.get(args.name)
    password = read_secret(True, "") if args.password_stdin else None
    if password is None and profile.auth is AuthMethod.KEY:
        stored = context.secrets.get(profile.id, SecretKind.PASSWORD)
        if stored is None and sys.stdin.isatty():
            password = read_secret(False, f"Password for {profile.username}@{profile.host}: ")
    keys = context.key_setup(TerminalPrompter())
    result = keys.remove_key(profile.id, password=password, on_step=_progress)
    for sentence in describe_key_removal(result):
        say(sentence.text)
    return 0


def _forget_password(args: argparse.Namespace, context: AppContext) -> int:
    profile = context.store.get(args.name)
    context.key_setup().forget_password(profile.id)
    say(describe_password_deleted(profile.name).text)
    return 0

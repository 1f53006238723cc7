"""``labtunnel profile export|import|import-ssh-config``: profiles from and for other people."""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path
from typing import Any

from labtunnel.cli.output import say
from labtunnel.cli.secrets_input import read_secret
from labtunnel.core.context import AppContext
from labtunnel.core.profiles.model import AuthMethod, HostProfile
from labtunnel.core.profiles.sharing import (
    FILE_SUFFIX,
    SharedHost,
    SharedProfile,
    import_shared,
    plan_import,
    read_shared,
    share_profile,
    write_shared,
)
from labtunnel.core.profiles.sshconfig import apply_ssh_import, plan_ssh_import, read_ssh_config
from labtunnel.messages import describe_import_note, describe_skipped_host
from labtunnel.messages.sharing import jump_password_question


def register_profile_actions(actions: Any) -> None:
    """Adds the sharing actions to ``labtunnel profile``."""
    export = actions.add_parser(
        "export",
        help="write a lab profile file (.labtunnel) for others: no secrets",
        description="Write a lab server as a small .labtunnel file to give to others: "
        "address, port, jump host, Jupyter settings and the pinned SHA256 host key "
        "fingerprints of the server and jump host (connect once first). Never a password; "
        "the user name only with --include-user.",
    )
    export.add_argument("name", help="the lab server (profile) to export")
    export.add_argument("file", type=Path, help=f"the file to write (…{FILE_SUFFIX})")
    export.add_argument(
        "--include-user", action="store_true", help="also write your user name into the file"
    )
    export.set_defaults(handler=_export)

    imported = actions.add_parser(
        "import",
        help="add a lab server from a .labtunnel file",
        description="Add a lab server from a .labtunnel file. Its host keys are pinned, so "
        "the first connection asks no question. A jump host in the file becomes a lab "
        "server of its own (same user name unless --jump-user; the same password only with "
        "--same-password-for-jump or when you say yes).",
    )
    imported.add_argument("file", type=Path, help="the .labtunnel file")
    imported.add_argument("--name", help="save it under this name (default: the file's)")
    imported.add_argument("--user", help="your user name on the server (asked for when not given)")
    imported.add_argument("--jump-user", help="your user name on the jump host, if different")
    imported.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from stdin and keep it in the system keyring",
    )
    imported.add_argument(
        "--same-password-for-jump",
        action="store_true",
        help="keep the password for the file's jump host too (without it: asked on a "
        "terminal, else not kept; the file's author chose that host)",
    )
    imported.set_defaults(handler=_import)

    ssh = actions.add_parser(
        "import-ssh-config",
        help="add lab servers from your OpenSSH config (~/.ssh/config)",
        description="Add a lab server for each Host in your OpenSSH client config (HostName, "
        "User, Port, IdentityFile, ProxyJump; Include is followed). Patterns such as "
        "'Host *.lab' are skipped, and no secret is ever read.",
    )
    ssh.add_argument(
        "--config", type=Path, default=None, help="the config file (default ~/.ssh/config)"
    )
    ssh.add_argument(
        "--host",
        dest="hosts",
        action="append",
        default=[],
        metavar="ALIAS",
        help="import only this Host (repeatable)",
    )
    ssh.add_argument(
        "--dry-run", action="store_true", help="show what would be imported, save nothing"
    )
    ssh.set_defaults(handler=_import_ssh_config)


def _pins_text(shared: SharedHost) -> str:
    return ", ".join(shared.fingerprints)


def _export(args: argparse.Namespace, context: AppContext) -> int:
    profile = context.store.get(args.name)
    shared = share_profile(profile, context.hostkeys, context.store.get, args.include_user)
    write_shared(args.file, shared)
    say(f"Wrote “{shared.name}” to {args.file}.")
    say(f"Pinned host key of {shared.server.host}: {_pins_text(shared.server)}")
    if shared.jump is not None:
        say(f"Pinned host key of the jump host {shared.jump.host}: {_pins_text(shared.jump)}")
    kept = "your user name, " if args.include_user else ""
    say(f"The file holds no password{'' if kept else ' and no user name'}: {kept}share it freely")
    return 0


def _ask_user(host: str) -> str | None:
    if not sys.stdin.isatty():
        return None
    return input(f"Your user name on {host}: ").strip() or None


def _same_password_for_jump(
    args: argparse.Namespace, context: AppContext, shared: SharedProfile, username: str
) -> bool:
    """The file chose the jump host: the server's password goes there only if asked to."""
    if shared.jump is None:
        return False
    plan = plan_import(
        shared,
        context.store.profiles(),
        username,
        name=args.name,
        jump_username=args.jump_user,
        check_files=False,
    )
    if not plan.jump_is_new:
        return False  # a lab server of the user's own, with its own password
    if args.same_password_for_jump:
        return True
    if not sys.stdin.isatty():
        return False
    reply = input(jump_password_question(shared.jump.host).text + " [y/N] ")
    return reply.strip().lower() in ("y", "yes")


def _import(args: argparse.Namespace, context: AppContext) -> int:
    shared = read_shared(args.file)
    username = args.user or shared.server.username or None
    if username is None and not args.password_stdin:
        username = _ask_user(shared.server.host)
    if username is None:
        say("labtunnel: this file holds no user name: give yours with --user NAME.")
        return 1
    password = read_secret(args.password_stdin, f"Password for {username}@{shared.server.host}: ")
    same = bool(password) and _same_password_for_jump(args, context, shared, username)
    jump_password = password if same else None
    plan = import_shared(
        context.profiles,
        shared,
        username,
        password=password,
        jump_password=jump_password,
        name=args.name,
        jump_username=args.jump_user,
    )
    profile = plan.profile
    say(f"Saved “{profile.name}” ({profile.username}@{profile.host}:{profile.port}).")
    say(f"Its host key is pinned: {', '.join(profile.pinned_fingerprints)}")
    jump = plan.jump_profile
    if jump is not None and plan.jump_is_new:
        say(f"Also saved its jump host as “{jump.name}” ({jump.username}@{jump.host}:{jump.port}).")
    elif jump is not None:
        say(f"Goes through your saved lab server “{jump.name}” as jump host.")
    for new in plan.new_profiles:
        if not (jump_password if new is plan.jump_profile else password):
            say(f'No password saved yet: run  labtunnel profile set-password "{new.name}"')
    say(f'Connect with:  labtunnel connect "{profile.name}"')
    return 0


def _describe_profile(profile: HostProfile, by_id: dict[str, HostProfile]) -> str:
    login = f"{profile.username}@{profile.host}:{profile.port}"
    how = f"key {profile.key_path}" if profile.auth is AuthMethod.KEY else "password"
    via = ""
    if profile.jump is not None:
        if profile.jump.profile_id:
            jump = by_id.get(profile.jump.profile_id)
            via = f", via “{jump.name if jump else profile.jump.profile_id}”"
        else:
            via = f", via {profile.jump}"
    return f"{profile.name}\t{login}\t{how}{via}"


def _import_ssh_config(args: argparse.Namespace, context: AppContext) -> int:
    config = read_ssh_config(args.config)
    existing = context.store.profiles()
    plan = plan_ssh_import(config, existing, default_user=getpass.getuser(), only=args.hosts)
    by_id = {p.id: p for p in [*existing, *plan.profiles]}
    for note in plan.config_notes:
        say(describe_import_note(note.code, note.detail).text)
    for skipped in plan.skipped:
        say(describe_skipped_host(skipped.alias, skipped.reason, skipped.detail).text)
    for import_note in plan.notes:
        say(describe_import_note(import_note.code, import_note.detail, import_note.alias).text)
    if args.dry_run:
        for profile in plan.profiles:
            print(_describe_profile(profile, by_id))
        say(f"Dry run: {len(plan.profiles)} lab server(s) would be added; nothing was saved.")
        return 0
    added = apply_ssh_import(context.profiles, plan)
    for profile in added:
        print(_describe_profile(profile, by_id))
    say(f"Added {len(added)} lab server(s) from {config.path}.")
    if any(p.auth is AuthMethod.PASSWORD for p in added):
        say('Save passwords with:  labtunnel profile set-password "NAME"')
    if any(p.auth is AuthMethod.KEY for p in added):
        say('A key with a passphrase:  labtunnel profile set-password "NAME" --passphrase')
    if args.hosts and not plan.profiles:
        return 1
    return 0

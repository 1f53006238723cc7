"""Sentences for .labtunnel lab files and ~/.ssh/config import."""

from __future__ import annotations

from labtunnel.core import errors as e
from labtunnel.messages.base import QT_TRANSLATE_NOOP, Message, describes, field_message, msg
from labtunnel.messages.profiles import FIELD_PROBLEMS

_SHARE_FIELD_NAMES = {
    "file": QT_TRANSLATE_NOOP("messages", "The file"),
    "format": QT_TRANSLATE_NOOP("messages", "File type"),
    "version": QT_TRANSLATE_NOOP("messages", "Format version"),
    "sha256": QT_TRANSLATE_NOOP("messages", "Integrity check (sha256)"),
    "profile": QT_TRANSLATE_NOOP("messages", "Lab server settings"),
    "name": QT_TRANSLATE_NOOP("messages", "Name"),
    "server": QT_TRANSLATE_NOOP("messages", "Server"),
    "server.host": QT_TRANSLATE_NOOP("messages", "Server address"),
    "server.port": QT_TRANSLATE_NOOP("messages", "SSH port"),
    "server.username": QT_TRANSLATE_NOOP("messages", "User name"),
    "server.host_key_fingerprints": QT_TRANSLATE_NOOP("messages", "Server host key fingerprints"),
    "jump": QT_TRANSLATE_NOOP("messages", "Jump host"),
    "jump.host": QT_TRANSLATE_NOOP("messages", "Jump host address"),
    "jump.port": QT_TRANSLATE_NOOP("messages", "Jump host SSH port"),
    "jump.username": QT_TRANSLATE_NOOP("messages", "Jump host user name"),
    "jump.host_key_fingerprints": QT_TRANSLATE_NOOP("messages", "Jump host key fingerprints"),
    "target": QT_TRANSLATE_NOOP("messages", "What to open"),
    "target.kind": QT_TRANSLATE_NOOP("messages", "What to open"),
    "target.app": QT_TRANSLATE_NOOP("messages", "Jupyter app"),
    "target.env": QT_TRANSLATE_NOOP("messages", "Jupyter environment"),
    "target.workdir": QT_TRANSLATE_NOOP("messages", "Jupyter working folder"),
    "target.gpu": QT_TRANSLATE_NOOP("messages", "GPU"),
    "target.host": QT_TRANSLATE_NOOP("messages", "Remote address"),
    "target.port": QT_TRANSLATE_NOOP("messages", "Remote port"),
    "target.slurm": QT_TRANSLATE_NOOP("messages", "Slurm job"),
    "target.slurm.partition": QT_TRANSLATE_NOOP("messages", "Partition"),
    "target.slurm.gpus": QT_TRANSLATE_NOOP("messages", "GPUs"),
    "target.slurm.cpus": QT_TRANSLATE_NOOP("messages", "CPUs"),
    "target.slurm.memory": QT_TRANSLATE_NOOP("messages", "Memory"),
    "target.slurm.time_limit": QT_TRANSLATE_NOOP("messages", "Time limit"),
    "target.slurm.account": QT_TRANSLATE_NOOP("messages", "Account"),
    "target.slurm.qos": QT_TRANSLATE_NOOP("messages", "QoS"),
    "target.slurm.extra_options": QT_TRANSLATE_NOOP("messages", "Extra #SBATCH lines"),
    "forwards": QT_TRANSLATE_NOOP("messages", "Extra forwards"),
}


SHARE_PROBLEMS = {
    e.ProblemCode.NOT_TEXT: QT_TRANSLATE_NOOP("messages", "{field} is not a text file."),
    e.ProblemCode.NOT_JSON: QT_TRANSLATE_NOOP("messages", "{field} is not valid JSON ({value})."),
    e.ProblemCode.NOT_LABTUNNEL: QT_TRANSLATE_NOOP(
        "messages", "{field}: this is not a LabTunnel lab profile file."
    ),
    e.ProblemCode.REQUIRED: QT_TRANSLATE_NOOP("messages", "{field} is missing."),
    e.ProblemCode.WRONG_TYPE: QT_TRANSLATE_NOOP(
        "messages", "{field} has the wrong type (expected: {value})."
    ),
    e.ProblemCode.UNKNOWN_FIELD: QT_TRANSLATE_NOOP(
        "messages", "{field} is not a field LabTunnel knows."
    ),
    e.ProblemCode.DUPLICATE_KEY: QT_TRANSLATE_NOOP("messages", "“{field}” appears twice."),
    e.ProblemCode.TOO_LONG: QT_TRANSLATE_NOOP(
        "messages", "{field} is longer than {value} characters."
    ),
    e.ProblemCode.TOO_MANY: QT_TRANSLATE_NOOP("messages", "{field}: more than {value} entries."),
    e.ProblemCode.CONTROL_CHARS: QT_TRANSLATE_NOOP(
        "messages", "{field} contains control characters."
    ),
    e.ProblemCode.BAD_CHOICE: QT_TRANSLATE_NOOP("messages", "{field} must be one of: {value}."),
    e.ProblemCode.BAD_DIGEST: QT_TRANSLATE_NOOP(
        "messages", "{field} is not a SHA-256 digest (64 hexadecimal characters)."
    ),
}


def describe_share_problem(problem: e.FieldProblem) -> Message:
    """One problem of a lab profile file; ``field`` is its dotted path in the file."""
    template = SHARE_PROBLEMS.get(problem.code) or FIELD_PROBLEMS.get(
        problem.code, QT_TRANSLATE_NOOP("messages", "{field} is not valid.")
    )
    return field_message(template, _SHARE_FIELD_NAMES, problem)


@describes(e.ShareFileUnreadable)
def _share_file_unreadable(x: e.ShareFileUnreadable) -> Message:
    return msg(
        QT_TRANSLATE_NOOP(
            "messages",
            "LabTunnel could not use the lab profile file {path} ({detail}). Check the name "
            "and folder of the file and that you may read and write there.",
        ),
        path=x.path,
        detail=x.detail,
    )


@describes(e.ShareFileTooLarge)
def _share_file_too_large(x: e.ShareFileTooLarge) -> Message:
    return msg(
        QT_TRANSLATE_NOOP(
            "messages",
            "{path} is too big to be a lab profile ({size} bytes; they are under {limit}). "
            "Choose the .labtunnel file your lab admin gave you.",
        ),
        path=x.path,
        size=x.size,
        limit=x.limit,
    )


@describes(e.ShareFileMalformed)
def _share_file_malformed(x: e.ShareFileMalformed) -> Message:
    return msg(
        QT_TRANSLATE_NOOP(
            "messages",
            "{path} is not a lab profile LabTunnel can use. {details} Ask your lab admin for "
            "a new file (exported with “labtunnel profile export”).",
        ),
        {"details": tuple(describe_share_problem(p) for p in x.problems[:6])},
        path=x.path,
    )


@describes(e.ShareFileDamaged)
def _share_file_damaged(x: e.ShareFileDamaged) -> Message:
    if x.reason is e.ShareDamage.TRUNCATED:
        return msg(
            QT_TRANSLATE_NOOP(
                "messages",
                "The lab profile file {path} is incomplete: it ends too early (an interrupted "
                "download or copy?). Get the file again from your lab admin.",
            ),
            path=x.path,
        )
    return msg(
        QT_TRANSLATE_NOOP(
            "messages",
            "The lab profile file {path} was changed after it was exported: its integrity "
            "check does not match. Nothing was imported. Get the original file again from "
            "your lab admin.",
        ),
        path=x.path,
    )


@describes(e.ShareFileTooNew)
def _share_file_too_new(x: e.ShareFileTooNew) -> Message:
    return msg(
        QT_TRANSLATE_NOOP(
            "messages",
            "The lab profile file {path} was made by a newer LabTunnel (format {found}; this "
            "version reads up to {supported}). Update LabTunnel, then import it again.",
        ),
        path=x.path,
        found=x.found_version,
        supported=x.supported_version,
    )


@describes(e.ShareHostKeyUnknown)
def _share_host_key_unknown(x: e.ShareHostKeyUnknown) -> Message:
    if x.role is e.HostRole.JUMP:
        template = QT_TRANSLATE_NOOP(
            "messages",
            "LabTunnel does not know the host key of the jump host {host} yet, so “{profile}” "
            "cannot be shared with it pinned. Connect to “{profile}” once (and check the key), "
            "then export again.",
        )
    else:
        template = QT_TRANSLATE_NOOP(
            "messages",
            "LabTunnel does not know the host key of {host} yet, so “{profile}” cannot be "
            "shared with it pinned. Connect to “{profile}” once (and check the key), then "
            "export again.",
        )
    return msg(template, host=x.host, profile=x.profile_name)


@describes(e.ShareUnsupportedProfile)
def _share_unsupported_profile(x: e.ShareUnsupportedProfile) -> Message:
    return msg(
        QT_TRANSLATE_NOOP(
            "messages",
            "“{profile}” goes through a jump host that itself goes through another one; a lab "
            "profile file holds one jump host. Make the first jump host connect directly, "
            "then export again.",
        ),
        profile=x.profile_name,
    )


@describes(e.SshConfigUnreadable)
def _ssh_config_unreadable(x: e.SshConfigUnreadable) -> Message:
    return msg(
        QT_TRANSLATE_NOOP(
            "messages",
            "LabTunnel could not read the SSH config file {path} ({detail}). Check that the "
            "file exists and that ssh itself accepts it (ssh -G HOST), or choose another file.",
        ),
        path=x.path,
        detail=x.detail,
    )


SKIP_REASONS = {
    "wildcard": QT_TRANSLATE_NOOP(
        "messages", "“{alias}” is a pattern for many hosts, not one server: skipped."
    ),
    "not_found": QT_TRANSLATE_NOOP(
        "messages", "“{alias}” is not a Host in the SSH config: skipped."
    ),
    "exists": QT_TRANSLATE_NOOP(
        "messages", "“{alias}”: a lab server with this name already exists: skipped."
    ),
    "proxy_command": QT_TRANSLATE_NOOP(
        "messages",
        "“{alias}” connects through a ProxyCommand, which LabTunnel cannot run: skipped. "
        "Use ProxyJump instead, or add it by hand.",
    ),
    "multi_hop_jump": QT_TRANSLATE_NOOP(
        "messages",
        "“{alias}” goes through several jump hosts ({detail}); LabTunnel imports one: "
        "skipped. Import the first jump host, then add this server with it as jump host.",
    ),
    "bad_port": QT_TRANSLATE_NOOP(
        "messages", "“{alias}” has the port “{detail}”, which is not valid: skipped."
    ),
    "bad_jump": QT_TRANSLATE_NOOP(
        "messages", "“{alias}” has the ProxyJump “{detail}”, which is not valid: skipped."
    ),
    "jump_loop": QT_TRANSLATE_NOOP(
        "messages", "“{alias}”: its jump hosts lead in a circle ({detail}): skipped."
    ),
    "invalid": QT_TRANSLATE_NOOP(
        "messages", "“{alias}” has settings LabTunnel cannot use ({detail}): skipped."
    ),
}


IMPORT_NOTES = {
    "identity_file_missing": QT_TRANSLATE_NOOP(
        "messages",
        "“{alias}”: the key file {detail} does not exist; using the next key file named, "
        "or else the password.",
    ),
    "include_cycle": QT_TRANSLATE_NOOP("messages", "{detail} includes itself; it was read once."),
    "include_too_deep": QT_TRANSLATE_NOOP(
        "messages", "{detail} is included too deeply (more than 16 levels): not read."
    ),
    "include_unreadable": QT_TRANSLATE_NOOP(
        "messages", "{detail} could not be read: not imported from."
    ),
    "match_ignored": QT_TRANSLATE_NOOP(
        "messages", "“{detail}”: LabTunnel does not evaluate this Match block; ignored."
    ),
    "canonicalize_ignored": QT_TRANSLATE_NOOP(
        "messages", "“{detail}”: host name canonicalization is not used; ignored."
    ),
}


def describe_skipped_host(alias: str, reason: str, detail: str = "") -> Message:
    """Why a host of the SSH config was not imported (SkippedHost)."""
    template = SKIP_REASONS.get(
        reason, QT_TRANSLATE_NOOP("messages", "“{alias}” was skipped ({detail}).")
    )
    return msg(template, alias=alias, detail=detail or reason)


def describe_import_note(code: str, detail: str, alias: str = "") -> Message:
    """A remark on an SSH config import (ImportNote, ConfigNote)."""
    template = IMPORT_NOTES.get(code, QT_TRANSLATE_NOOP("messages", "{detail}: {code}."))
    return msg(template, alias=alias, detail=detail, code=code)


def jump_password_question(jump_host: str) -> Message:
    """Asked before the server's password is also kept for the jump host a lab profile
    file names (whoever wrote the file chose that host)."""
    return msg(
        QT_TRANSLATE_NOOP(
            "messages",
            "This file sends the connection through the jump host {jump}. Use the same "
            "password there? Say yes only if that is your lab's gateway.",
        ),
        jump=jump_host,
    )

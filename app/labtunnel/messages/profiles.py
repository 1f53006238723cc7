"""Sentences for problems with lab server settings, the settings file and the keyring."""

from __future__ import annotations

from labtunnel.core import errors as e
from labtunnel.core.profiles.secrets import SecretKind
from labtunnel.messages.base import QT_TRANSLATE_NOOP, Message, describes, field_message, msg

_FIELD_NAMES = {
    "name": QT_TRANSLATE_NOOP("messages", "Name"),
    "host": QT_TRANSLATE_NOOP("messages", "Server address"),
    "port": QT_TRANSLATE_NOOP("messages", "SSH port"),
    "username": QT_TRANSLATE_NOOP("messages", "User name"),
    "key_path": QT_TRANSLATE_NOOP("messages", "Key file"),
    "jump": QT_TRANSLATE_NOOP("messages", "Jump host"),
    "remote": QT_TRANSLATE_NOOP("messages", "Remote address"),
    "local_port": QT_TRANSLATE_NOOP("messages", "Local port"),
    "keepalive_interval": QT_TRANSLATE_NOOP("messages", "Keepalive interval"),
    "keepalive_count_max": QT_TRANSLATE_NOOP("messages", "Keepalive count"),
    "connect_timeout": QT_TRANSLATE_NOOP("messages", "Connect timeout"),
    "gpu": QT_TRANSLATE_NOOP("messages", "GPU"),
    "max_connections": QT_TRANSLATE_NOOP("messages", "Connections at once"),
    "max_channel_opens": QT_TRANSLATE_NOOP("messages", "Connections opening at once"),
    "pinned_fingerprints": QT_TRANSLATE_NOOP("messages", "Pinned host key"),
    "slurm_partition": QT_TRANSLATE_NOOP("messages", "Partition"),
    "slurm_gpus": QT_TRANSLATE_NOOP("messages", "GPUs"),
    "slurm_cpus": QT_TRANSLATE_NOOP("messages", "CPUs"),
    "slurm_memory": QT_TRANSLATE_NOOP("messages", "Memory"),
    "slurm_time_limit": QT_TRANSLATE_NOOP("messages", "Time limit"),
    "slurm_account": QT_TRANSLATE_NOOP("messages", "Account"),
    "slurm_qos": QT_TRANSLATE_NOOP("messages", "QoS"),
    "slurm_extra_options": QT_TRANSLATE_NOOP("messages", "Extra #SBATCH lines"),
    "forwards": QT_TRANSLATE_NOOP("messages", "Extra forwards"),
    "forward_name": QT_TRANSLATE_NOOP("messages", "Forward name"),
    "forward_remote": QT_TRANSLATE_NOOP("messages", "Forward address"),
}


FIELD_PROBLEMS = {
    e.ProblemCode.EMPTY: QT_TRANSLATE_NOOP("messages", "{field} is empty: please fill it in."),
    e.ProblemCode.DUPLICATE: QT_TRANSLATE_NOOP(
        "messages", "{field}: another lab server is already called “{value}”. Choose another name."
    ),
    e.ProblemCode.BAD_HOST: QT_TRANSLATE_NOOP(
        "messages", "{field} “{value}” is not a valid host name or IP address."
    ),
    e.ProblemCode.PORT_OUT_OF_RANGE: QT_TRANSLATE_NOOP(
        "messages", "{field} {value} is not a valid port: use a number from 1 to 65535."
    ),
    e.ProblemCode.MISSING: QT_TRANSLATE_NOOP(
        "messages", "{field}: the file {value} does not exist. Choose the private key file."
    ),
    e.ProblemCode.NOT_A_FILE: QT_TRANSLATE_NOOP(
        "messages", "{field}: {value} is not a file. Choose the private key file."
    ),
    e.ProblemCode.BAD_USERNAME: QT_TRANSLATE_NOOP(
        "messages", "{field} “{value}” contains spaces: enter the user name only."
    ),
    e.ProblemCode.SELF_REFERENCE: QT_TRANSLATE_NOOP(
        "messages", "{field}: a server cannot be its own jump host."
    ),
    e.ProblemCode.UNKNOWN_PROFILE: QT_TRANSLATE_NOOP(
        "messages", "{field}: the lab server it names no longer exists. Choose another."
    ),
    e.ProblemCode.CYCLE: QT_TRANSLATE_NOOP(
        "messages", "{field}: the jump hosts lead in a circle. Remove one of them."
    ),
    e.ProblemCode.OUT_OF_RANGE: QT_TRANSLATE_NOOP("messages", "{field} {value} is out of range."),
    e.ProblemCode.NOT_JUPYTER: QT_TRANSLATE_NOOP(
        "messages", "{field}: this lab server forwards {value}, not Jupyter."
    ),
    e.ProblemCode.BAD_FINGERPRINT: QT_TRANSLATE_NOOP(
        "messages", "{field} “{value}” is not a SHA256 fingerprint (SHA256:…, 43 characters)."
    ),
    e.ProblemCode.BAD_GPU: QT_TRANSLATE_NOOP(
        "messages",
        "{field} “{value}” is not a GPU setting: use any, all, none or GPU numbers such as 1 "
        "or 0,2.",
    ),
    e.ProblemCode.BAD_SLURM_NAME: QT_TRANSLATE_NOOP(
        "messages", "{field} “{value}” is not a Slurm name: use letters, digits, -, _ and . only."
    ),
    e.ProblemCode.BAD_MEMORY: QT_TRANSLATE_NOOP(
        "messages", "{field} “{value}” is not a memory size: use a number with M or G, like 16G."
    ),
    e.ProblemCode.BAD_TIME: QT_TRANSLATE_NOOP(
        "messages",
        "{field} “{value}” is not a Slurm time limit: use minutes, H:MM:SS or D-HH:MM:SS, "
        "like 4:00:00.",
    ),
    e.ProblemCode.BAD_OPTION: QT_TRANSLATE_NOOP(
        "messages",
        "{field}: “{value}” is not an sbatch option (one per line, starting with -, like "
        "--constraint=a100).",
    ),
    e.ProblemCode.RESERVED_OPTION: QT_TRANSLATE_NOOP(
        "messages", "{field}: LabTunnel sets {value} itself. Remove that line."
    ),
    e.ProblemCode.DUPLICATE_FORWARD: QT_TRANSLATE_NOOP(
        "messages", "{field}: two extra forwards are called “{value}”. Give each its own name."
    ),
    e.ProblemCode.BAD_FORWARD_NAME: QT_TRANSLATE_NOOP(
        "messages",
        "{field} “{value}” is too long or has control characters: use a short name (at most "
        "40 characters).",
    ),
    e.ProblemCode.TOO_MANY: QT_TRANSLATE_NOOP(
        "messages", "{field}: at most {value} per lab server."
    ),
    e.ProblemCode.BAD_FORWARD: QT_TRANSLATE_NOOP(
        "messages", "{field} “{value}” is not NAME=HOST:PORT, e.g. TensorBoard=localhost:6006."
    ),
    e.ProblemCode.NO_SUCH_FORWARD: QT_TRANSLATE_NOOP(
        "messages", "{field}: this lab server has no extra forward called “{value}”."
    ),
}

PROFILE_NOTES = {
    "changed": QT_TRANSLATE_NOOP("messages", "Saved the changes to “{name}”."),
    "nothing_to_change": QT_TRANSLATE_NOOP(
        "messages",
        "Nothing to change: name at least one setting (see labtunnel profile set --help).",
    ),
}


def describe_profile_note(code: str, **params: object) -> Message:
    """A remark of the profile commands (``code`` is a key of PROFILE_NOTES)."""
    return msg(PROFILE_NOTES[code], None, **params)


def describe_problem(problem: e.FieldProblem) -> Message:
    template = FIELD_PROBLEMS.get(
        problem.code, QT_TRANSLATE_NOOP("messages", "{field} is not valid.")
    )
    if problem.field == "local_port" and problem.code is e.ProblemCode.PORT_OUT_OF_RANGE:
        template = QT_TRANSLATE_NOOP(
            "messages", "{field} {value} is not valid: use 0 (pick a free port) or 1 to 65535."
        )
    return field_message(template, _FIELD_NAMES, problem)


def _profile_invalid(err: e.ProfileInvalid) -> Message:
    return msg(
        QT_TRANSLATE_NOOP("messages", "The lab server settings are not valid. {details}"),
        {"details": tuple(describe_problem(p) for p in err.problems)},
    )


def _store_corrupt(err: e.ProfileStoreCorrupt) -> Message:
    if err.backup_path:
        return msg(
            QT_TRANSLATE_NOOP(
                "messages",
                "LabTunnel cannot read its settings file {path} ({detail}). The file was left "
                "as it is and a copy was saved as {backup}. Fix or move the file away, then "
                "restart LabTunnel; until then changes cannot be saved.",
            ),
            path=err.path,
            detail=err.detail,
            backup=err.backup_path,
        )
    return msg(
        QT_TRANSLATE_NOOP(
            "messages",
            "LabTunnel cannot read its settings file {path} ({detail}). The file was left as "
            "it is. Fix or move it away, then restart LabTunnel; until then changes cannot "
            "be saved.",
        ),
        path=err.path,
        detail=err.detail,
    )


def _secret_missing(err: e.SecretMissing) -> Message:
    if err.kind == SecretKind.PASSPHRASE:
        return msg(
            QT_TRANSLATE_NOOP(
                "messages",
                "No key passphrase is saved for “{profile}”. Edit the lab server and enter it.",
            ),
            profile=err.profile_name,
        )
    return msg(
        QT_TRANSLATE_NOOP(
            "messages",
            "No password is saved for “{profile}”. Edit the lab server and enter your "
            'password (or run: labtunnel profile set-password "{profile}").',
        ),
        profile=err.profile_name,
    )


@describes(e.ProfileNotFound)
def _profile_not_found(x: e.ProfileNotFound) -> Message:
    return msg(
        QT_TRANSLATE_NOOP(
            "messages",
            "There is no saved lab server called “{name}”. Check the name in the list of servers.",
        ),
        name=x.name,
    )


@describes(e.ProfileStoreTooNew)
def _profile_store_too_new(x: e.ProfileStoreTooNew) -> Message:
    return msg(
        QT_TRANSLATE_NOOP(
            "messages",
            "The settings file {path} was written by a newer LabTunnel (format {found}; this "
            "version reads up to {supported}). Update LabTunnel. The file was left as it is.",
        ),
        path=x.path,
        found=x.found_version,
        supported=x.supported_version,
    )


@describes(e.ProfileStoreLocked)
def _profile_store_locked(x: e.ProfileStoreLocked) -> Message:
    return msg(
        QT_TRANSLATE_NOOP(
            "messages",
            "Nothing was saved, because the settings file {path} could not be read when "
            "LabTunnel started. Fix or move that file away, then restart LabTunnel.",
        ),
        path=x.path,
    )


@describes(e.ProfileFileUnwritable)
def _profile_file_unwritable(x: e.ProfileFileUnwritable) -> Message:
    return msg(
        QT_TRANSLATE_NOOP(
            "messages",
            "LabTunnel could not save its settings to {path} ({detail}). Check that you may "
            "write to that folder and that the disk is not full.",
        ),
        path=x.path,
        detail=x.detail,
    )


@describes(e.SecretStoreUnavailable)
def _secret_store_unavailable(x: e.SecretStoreUnavailable) -> Message:
    return msg(
        QT_TRANSLATE_NOOP(
            "messages",
            "No secure password store (system keyring) is available. On Linux, install and "
            "start GNOME Keyring or KWallet. LabTunnel never keeps passwords in plain files.",
        )
    )


@describes(e.SecretStoreLocked)
def _secret_store_locked(x: e.SecretStoreLocked) -> Message:
    return msg(
        QT_TRANSLATE_NOOP(
            "messages",
            "Your system keyring is locked. Unlock it (log in again, or open your keyring "
            "app) and try again.",
        )
    )


describes(e.ProfileInvalid)(_profile_invalid)
describes(e.ProfileStoreCorrupt)(_store_corrupt)
describes(e.SecretMissing)(_secret_missing)

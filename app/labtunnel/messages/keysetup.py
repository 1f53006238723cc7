"""Sentences for switching from the password to a key and back (core.ssh.keysetup)."""

from __future__ import annotations

from labtunnel.core import errors as e
from labtunnel.core.ssh.keysetup import KeyRemovalResult, KeySetupResult, KeyStep
from labtunnel.messages.base import QT_TRANSLATE_NOOP, Message, describes, msg

_KEEPS_PASSWORD = QT_TRANSLATE_NOOP(
    "messages", "Nothing was changed: LabTunnel keeps signing in with your password."
)

STEP_WORDS = {
    KeyStep.SIGNING_IN: QT_TRANSLATE_NOOP("messages", "Signing in with your password…"),
    KeyStep.CHECKING: QT_TRANSLATE_NOOP("messages", "Checking that the server accepts keys…"),
    KeyStep.ADDING: QT_TRANSLATE_NOOP("messages", "Adding the key to ~/.ssh/authorized_keys…"),
    KeyStep.TESTING: QT_TRANSLATE_NOOP("messages", "Signing in with the key alone, as a test…"),
    KeyStep.SAVING: QT_TRANSLATE_NOOP("messages", "Saving the lab server's settings…"),
    KeyStep.REMOVING: QT_TRANSLATE_NOOP("messages", "Taking the key off the server…"),
}


def describe_key_step(step: KeyStep) -> Message:
    return msg(STEP_WORDS[step])


def _keeps_password() -> Message:
    return msg(_KEEPS_PASSWORD)


def describe_key_setup(result: KeySetupResult) -> list[Message]:
    """What :meth:`KeySetup.use_key` did, sentence by sentence."""
    host = result.profile.host
    said = [
        msg(
            QT_TRANSLATE_NOOP(
                "messages", "LabTunnel now signs in to {host} with a key ({path}) and checked it."
            ),
            host=host,
            path=result.key_path,
        )
    ]
    for other in result.already_on:
        said.append(
            msg(
                QT_TRANSLATE_NOOP("messages", "{host} had this key already; nothing was added."),
                host=other,
            )
        )
    if result.asks_code:
        said.append(
            msg(
                QT_TRANSLATE_NOOP(
                    "messages",
                    "{host} still asks for a one-time code after the key: LabTunnel asks you "
                    "for it when connecting, as before.",
                ),
                host=host,
            )
        )
    return said


def describe_password_offer(profile_name: str) -> Message:
    return msg(
        QT_TRANSLATE_NOOP(
            "messages",
            "The password of “{profile}” is still saved in your keyring, but signing in no "
            "longer needs it. Delete it?",
        ),
        profile=profile_name,
    )


def describe_password_deleted(profile_name: str) -> Message:
    return msg(
        QT_TRANSLATE_NOOP("messages", "The saved password of “{profile}” was deleted."),
        profile=profile_name,
    )


def describe_password_kept(profile_name: str) -> Message:
    return msg(
        QT_TRANSLATE_NOOP(
            "messages",
            "The password of “{profile}” stays saved (labtunnel profile forget-password "
            "deletes it later).",
        ),
        profile=profile_name,
    )


def describe_key_removal(result: KeyRemovalResult) -> list[Message]:
    count = sum(result.removed.values())
    if count == 0:
        said = [
            msg(
                QT_TRANSLATE_NOOP(
                    "messages",
                    "LabTunnel signs in to {host} with your password again. It had added no "
                    "line for this key to ~/.ssh/authorized_keys, so that file was left as it is.",
                ),
                host=result.profile.host,
            )
        ]
    else:
        said = [
            msg(
                QT_TRANSLATE_NOOP(
                    "messages",
                    "LabTunnel signs in to {host} with your password again and took its key off "
                    "the server ({count} line(s) removed from ~/.ssh/authorized_keys).",
                ),
                host=result.profile.host,
                count=count,
            )
        ]
    if result.key_file_deleted:
        said.append(msg(QT_TRANSLATE_NOOP("messages", "The key file it made was deleted.")))
    return said


@describes(e.KeySetupNotApplicable)
def _not_applicable(x: e.KeySetupNotApplicable) -> Message:
    if x.action is e.KeyAction.REMOVE_KEY:
        return msg(
            QT_TRANSLATE_NOOP(
                "messages",
                "“{profile}” does not sign in with a key, so there is no key to remove.",
            ),
            profile=x.profile_name,
        )
    if x.action is e.KeyAction.FORGET_PASSWORD:
        return msg(
            QT_TRANSLATE_NOOP(
                "messages",
                "“{profile}” signs in with its password: deleting it would stop it from "
                'connecting. Switch it to a key first (labtunnel profile use-key "{profile}").',
            ),
            profile=x.profile_name,
        )
    return msg(
        QT_TRANSLATE_NOOP(
            "messages",
            "“{profile}” already signs in with a key or the SSH agent, not a password: there "
            "is nothing to switch. To start again with a new key, run labtunnel profile "
            'remove-key "{profile}" first.',
        ),
        profile=x.profile_name,
    )


@describes(e.KeyLoginNotAllowed)
def _key_login_not_allowed(x: e.KeyLoginNotAllowed) -> Message:
    return msg(
        QT_TRANSLATE_NOOP(
            "messages",
            "{host} does not accept keys for signing in (it allows: {allowed}; see "
            "PubkeyAuthentication and AuthenticationMethods in its SSH settings). {keeps}",
        ),
        {"keeps": (_keeps_password(),)},
        host=x.host,
        allowed=", ".join(x.allowed) or "-",
    )


@describes(e.KeyNotEnough)
def _key_not_enough(x: e.KeyNotEnough) -> Message:
    return msg(
        QT_TRANSLATE_NOOP(
            "messages",
            "{host} takes the key only as well as your password (AuthenticationMethods), so "
            "a key would not spare you the password. The key was taken off again. {keeps}",
        ),
        {"keeps": (_keeps_password(),)},
        host=x.host,
    )


@describes(e.KeyNotAccepted)
def _key_not_accepted(x: e.KeyNotAccepted) -> Message:
    return msg(
        QT_TRANSLATE_NOOP(
            "messages",
            "{host} did not accept the key even in {path}: its SSH server may read keys from "
            "somewhere else (AuthorizedKeysFile). The key was taken off again; ask your lab "
            "admin where keys go. {keeps}",
        ),
        {"keeps": (_keeps_password(),)},
        host=x.host,
        path=x.path,
    )


@describes(e.KeyRefusedByModes)
def _key_refused_by_modes(x: e.KeyRefusedByModes) -> Message:
    if x.problem is e.StrictModesProblem.OWNER:
        return msg(
            QT_TRANSLATE_NOOP(
                "messages",
                "{host} ignores keys because {path} belongs to another user; its SSH server "
                "then refuses every key (StrictModes). Ask your lab admin to make it yours "
                "again, then try again. The key was taken off again. {keeps}",
            ),
            {"keeps": (_keeps_password(),)},
            host=x.host,
            path=x.path,
        )
    return msg(
        QT_TRANSLATE_NOOP(
            "messages",
            "{host} ignores keys because other users may change {path} ({mode}); its SSH "
            "server then refuses every key (StrictModes). Fix it on the server with: chmod "
            "go-w {path} - then try again. The key was taken off again. {keeps}",
        ),
        {"keeps": (_keeps_password(),)},
        host=x.host,
        path=x.path,
        mode=x.mode,
    )


_UNWRITABLE = {
    e.AuthorizedKeysProblem.READ_ONLY: QT_TRANSLATE_NOOP(
        "messages",
        "Your home folder on {host} is read-only, so LabTunnel could not add the key to "
        "{path}. Ask your lab admin how keys are added there. {keeps}",
    ),
    e.AuthorizedKeysProblem.FULL: QT_TRANSLATE_NOOP(
        "messages",
        "Your home folder on {host} is full (or over its quota), so LabTunnel could not add "
        "the key to {path}. Free some space there, then try again. {keeps}",
    ),
    e.AuthorizedKeysProblem.NO_PERMISSION: QT_TRANSLATE_NOOP(
        "messages",
        "LabTunnel may not change {path} on {host} ({detail}). Check that ~/.ssh is yours, "
        "then try again. {keeps}",
    ),
    e.AuthorizedKeysProblem.SYMLINK: QT_TRANSLATE_NOOP(
        "messages",
        "{path} on {host} is a link to another file, which LabTunnel does not replace. Add "
        "the key to that file yourself, or ask your lab admin. {keeps}",
    ),
    e.AuthorizedKeysProblem.NO_HOME: QT_TRANSLATE_NOOP(
        "messages",
        "Your account on {host} has no home folder, so there is no place for a key. Ask "
        "your lab admin. {keeps}",
    ),
    e.AuthorizedKeysProblem.OTHER: QT_TRANSLATE_NOOP(
        "messages",
        "LabTunnel could not change {path} on {host} ({detail}). Check your home folder "
        "there, then try again. {keeps}",
    ),
}


@describes(e.AuthorizedKeysUnwritable)
def _authorized_keys_unwritable(x: e.AuthorizedKeysUnwritable) -> Message:
    return msg(
        _UNWRITABLE[x.problem],
        {"keeps": (_keeps_password(),)},
        host=x.host,
        path=x.path,
        detail=x.detail,
    )


@describes(e.PasswordLoginFailed)
def _password_login_failed(x: e.PasswordLoginFailed) -> Message:
    return msg(
        QT_TRANSLATE_NOOP(
            "messages",
            "{host} did not accept your password, so LabTunnel kept the key: removing it "
            "would lock you out. Enter the right password and try again.",
        ),
        host=x.host,
    )

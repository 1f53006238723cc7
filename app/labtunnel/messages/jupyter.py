"""Sentences for Jupyter on the server and the commands that manage it."""

from __future__ import annotations

from labtunnel.core import errors as e
from labtunnel.core.jupyter.env import KNOWN_PLACES
from labtunnel.core.ssh.remote import MARKER_PREFIX
from labtunnel.messages.base import QT_TRANSLATE_NOOP, Message, describes, msg


def log_lines(log_tail: str, count: int = 3) -> list[str]:
    """The last lines of a job log worth showing: not LabTunnel's own marker lines."""
    lines = [line.strip() for line in log_tail.splitlines()]
    return [line for line in lines if line and MARKER_PREFIX not in line][-count:]


@describes(e.RemoteCommandFailed)
def _remote_command_failed(x: e.RemoteCommandFailed) -> Message:
    return msg(
        QT_TRANSLATE_NOOP(
            "messages",
            "A command on the server failed (exit status {status}): {stderr}. See the log for "
            "details.",
        ),
        status=x.exit_status,
        stderr=x.stderr_tail[-300:],
    )


@describes(e.RemoteCommandTimeout)
def _remote_command_timeout(x: e.RemoteCommandTimeout) -> Message:
    return msg(
        QT_TRANSLATE_NOOP(
            "messages",
            "The server did not finish “{command}” within {seconds} seconds. It may be busy: "
            "try again, and check the Jupyter environment in the lab server's settings.",
        ),
        command=x.command,
        seconds=f"{x.seconds:g}",
    )


_JUPYTER_NOT_FOUND = {
    e.JupyterMissing.NOT_ON_PATH: QT_TRANSLATE_NOOP(
        "messages",
        "LabTunnel ran “{command}” on the server, but there is no jupyter on your PATH there.",
    ),
    e.JupyterMissing.ENV_MISSING: QT_TRANSLATE_NOOP(
        "messages", "The Jupyter environment “{env}” does not exist on the server."
    ),
    e.JupyterMissing.NOT_EXECUTABLE: QT_TRANSLATE_NOOP(
        "messages", "“{env}” on the server is not a program LabTunnel can run."
    ),
    e.JupyterMissing.CONDA_MISSING: QT_TRANSLATE_NOOP(
        "messages",
        "The profile names the conda environment “{env}”, but conda was not found on the server.",
    ),
    e.JupyterMissing.CONDA_ENV_MISSING: QT_TRANSLATE_NOOP(
        "messages", "There is no conda environment called “{env}” on the server."
    ),
    e.JupyterMissing.ENV_HAS_NO_JUPYTER: QT_TRANSLATE_NOOP(
        "messages", "The environment “{env}” on the server has no jupyter in it."
    ),
    e.JupyterMissing.JUPYTER_BROKEN: QT_TRANSLATE_NOOP(
        "messages", "jupyter on the server failed to run ({detail})."
    ),
}


#: "not_on_path" for the login kind: what was tried, by how the terminal's shell started
_NOWHERE = {
    "terminal": QT_TRANSLATE_NOOP(
        "messages",
        "LabTunnel found no jupyter on the server: not on the PATH your terminal has there "
        "(your login shell {shell}, started as a terminal starts it), and not in {places}.",
    ),
    "login": QT_TRANSLATE_NOOP(
        "messages",
        "LabTunnel found no jupyter on the server: not on the PATH of your login shell "
        "{shell} (it did not start as an interactive shell, so only its login files were "
        "read), and not in {places}.",
    ),
    "none": QT_TRANSLATE_NOOP(
        "messages",
        "LabTunnel found no jupyter on the server: your login shell {shell} did not start "
        "there, so LabTunnel searched only the PATH the SSH server sets, and {places}.",
    ),
}


@describes(e.JupyterNotFound)
def _jupyter_not_found(x: e.JupyterNotFound) -> Message:
    if x.reason is e.JupyterMissing.NOT_ON_PATH and not x.env.strip() and x.shell_mode in _NOWHERE:
        first = msg(_NOWHERE[x.shell_mode], shell=x.shell or "sh", places=", ".join(KNOWN_PLACES))
    else:
        first = msg(
            _JUPYTER_NOT_FOUND[x.reason],
            command=x.command_tried,
            env=x.env,
            detail=x.detail[-200:],
        )
    if x.candidates:
        fix = msg(
            QT_TRANSLATE_NOOP(
                "messages",
                "Set the lab server's Jupyter environment to one of these: {candidates} "
                "(or install Jupyter there: pip install jupyterlab).",
            ),
            candidates=", ".join(x.candidates[:4]),
        )
    else:
        fix = msg(
            QT_TRANSLATE_NOOP(
                "messages",
                "Set the lab server's Jupyter environment to the conda environment name, the "
                "venv folder or the full path of jupyter (or install it there: pip install "
                "jupyterlab).",
            )
        )
    if x.job_id is not None:
        tail = log_lines(x.log_tail)
        where = (
            msg(
                QT_TRANSLATE_NOOP(
                    "messages",
                    "(This was inside Slurm job {job} on a compute node; its log ends with: "
                    "{tail})",
                ),
                job=x.job_id,
                tail=" / ".join(tail),
            )
            if tail
            else msg(
                QT_TRANSLATE_NOOP(
                    "messages", "(This was inside Slurm job {job} on a compute node.)"
                ),
                job=x.job_id,
            )
        )
        return msg(
            QT_TRANSLATE_NOOP("messages", "{problem} {where} {fix}"),
            {"problem": (first,), "where": (where,), "fix": (fix,)},
        )
    return msg(
        QT_TRANSLATE_NOOP("messages", "{problem} {fix}"), {"problem": (first,), "fix": (fix,)}
    )


@describes(e.JupyterStartFailed)
def _jupyter_start_failed(x: e.JupyterStartFailed) -> Message:
    if x.reason is e.JupyterStartProblem.APP_MISSING and x.app == "notebook":
        return msg(
            QT_TRANSLATE_NOOP(
                "messages",
                "The Notebook app is not installed in that Jupyter environment on the server, "
                "and the lab server's settings ask for it. Install it there (pip install "
                "notebook), or set the lab server's Jupyter app to Automatic.",
            )
        )
    if x.reason is e.JupyterStartProblem.APP_MISSING:
        return msg(
            QT_TRANSLATE_NOOP(
                "messages",
                "JupyterLab is not installed in that Jupyter environment on the server, and "
                "the lab server's settings ask for it. Install it there (pip install "
                "jupyterlab), or set the lab server's Jupyter app to Automatic.",
            )
        )
    if x.reason is e.JupyterStartProblem.LOG_DIR_UNSAFE:
        return msg(
            QT_TRANSLATE_NOOP(
                "messages",
                "LabTunnel did not start Jupyter: its log folder {path} on the server is a "
                "symbolic link or belongs to someone else, and the log will hold your "
                "Jupyter token. Remove it on the server (rm -r {path}), then connect again.",
            ),
            path=x.log_path,
        )
    if x.reason is e.JupyterStartProblem.WORKDIR_MISSING:
        return msg(
            QT_TRANSLATE_NOOP(
                "messages",
                "The working folder {workdir} does not exist on the server. Create it, or "
                "change the Jupyter working folder in the lab server's settings.",
            ),
            workdir=x.workdir,
        )
    tail = x.log_tail.strip().splitlines()[-3:] if x.log_tail else []
    return msg(
        QT_TRANSLATE_NOOP(
            "messages",
            "Jupyter did not start on the server ({reason}). Its log {log} ends with: {tail} "
            "Check the Jupyter environment in the lab server's settings.",
        ),
        reason=x.reason,
        log=x.log_path or "-",
        tail=" / ".join(tail) or "-",
    )


@describes(e.JupyterNotResponding)
def _jupyter_not_responding(x: e.JupyterNotResponding) -> Message:
    return msg(
        QT_TRANSLATE_NOOP(
            "messages",
            "Your Jupyter on the server (port {port}) is running but does not answer. Use "
            "“Stop Jupyter on server”, then connect again to start a fresh one.",
        ),
        port=x.port,
    )


@describes(e.JupyterNotRunning)
def _jupyter_not_running(x: e.JupyterNotRunning) -> Message:
    return msg(
        QT_TRANSLATE_NOOP(
            "messages",
            "Jupyter is no longer running on the server (port {port}). Connect again to start it.",
        ),
        port=x.port,
    )


@describes(e.JupyterStopFailed)
def _jupyter_stop_failed(x: e.JupyterStopFailed) -> Message:
    return msg(
        QT_TRANSLATE_NOOP(
            "messages",
            "LabTunnel could not stop your Jupyter on the server (process {pid}). Stop it "
            "from a terminal on the server: kill {pid}",
        ),
        pid=x.pid if x.pid is not None else "?",
    )


@describes(e.JupyterEnvUnsafe)
def _jupyter_env_unsafe(x: e.JupyterEnvUnsafe) -> Message:
    return msg(
        QT_TRANSLATE_NOOP(
            "messages",
            "Warning: the Jupyter LabTunnel runs for you on the server is outside your home "
            "folder, and other users can change {path} (they can write to it, or it is "
            "theirs), so they decide what runs as you. Use a Jupyter environment in your "
            "home folder, or ask your lab admin to make {path} writable only by its owner.",
        ),
        path=x.path,
    )

"""Words for states, notifications and field problems, all through Qt's translator.

Error sentences come from :func:`labtunnel.messages.describe` and are translated
here in the ``messages`` context, the one place the UI turns core errors into text.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from labtunnel.core.errors import FieldProblem, ProblemCode
from labtunnel.core.events import TunnelState, TunnelStatus
from labtunnel.messages import Message, describe, describe_step
from labtunnel.messages.slurm import describe_ending_soon
from labtunnel.ui.notices import Notice, NoticeKind

translate = QCoreApplication.translate


def _messages_translate(template: str) -> str:
    return translate("messages", template)


def message_text(message: Message) -> str:
    """A message from :mod:`labtunnel.messages`, its parts translated too."""
    return message.render(_messages_translate)


def error_text(error: BaseException) -> str:
    return message_text(describe(error))


def state_text(status: TunnelStatus) -> str:
    """The state in a few words, as shown in the menu and the tooltip."""
    state = status.state
    if state is TunnelState.CONNECTED:
        return translate("States", "Connected")
    if state in (TunnelState.CONNECTING, TunnelState.STARTING_JUPYTER):
        return message_text(describe_step(status.step, status.profile_name))
    if state is TunnelState.RECONNECTING:
        if status.retry_in is not None and status.retry_in >= 1:
            return translate("States", "Connection lost, retrying in {seconds} s").format(
                seconds=round(status.retry_in)
            )
        return translate("States", "Connection lost, reconnecting…")
    if state is TunnelState.JUPYTER_DOWN:
        return translate("States", "Jupyter stopped on the server")
    if state is TunnelState.QUEUED:
        return translate("States", "Waiting in the Slurm queue")
    if state is TunnelState.JOB_ENDED:
        return translate("States", "Jupyter job ended")
    if state is TunnelState.FAILED:
        return translate("States", "Could not connect")
    return translate("States", "Not connected")


def notice_text(notice: Notice) -> tuple[str, str]:
    """Title and body of a notification."""
    name = notice.profile_name
    reason = error_text(notice.error) if notice.error is not None else ""
    kind = notice.kind
    if kind is NoticeKind.CONNECTED:
        return (
            translate("Notices", "Connected to {name}").format(name=name),
            translate("Notices", "Jupyter is ready. Click here to open it in your browser."),
        )
    if kind is NoticeKind.CONNECTED_WARNING:
        return (
            translate("Notices", "Connected to {name}, with a warning").format(name=name),
            reason,
        )
    if kind is NoticeKind.RESTORED:
        return (
            translate("Notices", "Connection to {name} re-established").format(name=name),
            translate("Notices", "Your notebooks are reachable again."),
        )
    if kind is NoticeKind.LOST:
        body = reason or translate("Notices", "The connection dropped.")
        return (
            translate("Notices", "Connection to {name} lost").format(name=name),
            body + " " + translate("Notices", "LabTunnel keeps trying to reconnect."),
        )
    if kind is NoticeKind.DISCONNECTED:
        return (
            translate("Notices", "Disconnected from {name}").format(name=name),
            translate("Notices", "Jupyter keeps running on the server."),
        )
    if kind is NoticeKind.JOB_ENDED:
        return (
            translate("Notices", "Jupyter job of {name} ended").format(name=name),
            reason or translate("Notices", "Choose “Start a new job” in the menu."),
        )
    if kind is NoticeKind.JOB_ENDING:
        return (
            translate("Notices", "Jupyter job of {name} ends soon").format(name=name),
            message_text(describe_ending_soon(notice.job_id, notice.seconds_left)),
        )
    if kind is NoticeKind.JUPYTER_DOWN:
        return (
            translate("Notices", "Jupyter stopped on {name}").format(name=name),
            reason or translate("Notices", "Choose “Start Jupyter again” in the menu."),
        )
    if kind is NoticeKind.JUPYTER_STOPPED:
        return (
            translate("Notices", "Jupyter on {name} shut down").format(name=name),
            translate("Notices", "Unsaved work in open notebooks is lost; saved files stay."),
        )
    if kind is NoticeKind.KERNELS_SHUT_DOWN:
        return (
            translate("Notices", "Kernels shut down on {name}").format(name=name),
            translate(
                "Notices", "{count} kernels were shut down; their GPU memory is free."
            ).format(count=notice.count),
        )
    if kind is NoticeKind.KERNELS_NOT_SHUT_DOWN:
        return (
            translate("Notices", "Not every kernel was shut down on {name}").format(name=name),
            reason
            or translate(
                "Notices", "{count} kernels were shut down; Jupyter refused the others."
            ).format(count=notice.count),
        )
    if kind is NoticeKind.STOP_FAILED:
        return (
            translate("Notices", "Could not stop Jupyter on {name}").format(name=name),
            reason or translate("Notices", "The reason is in the log."),
        )
    return (
        translate("Notices", "Could not connect to {name}").format(name=name),
        reason or translate("Notices", "The reason is in the log."),
    )


def problem_text(problem: FieldProblem) -> str:
    """A short note shown beside the field it is about."""
    if problem.field in ("forwards", "forward_name", "forward_remote"):
        return _forward_problem_text(problem)
    code = problem.code
    if code is ProblemCode.EMPTY:
        return translate("Fields", "Required")
    if code is ProblemCode.DUPLICATE:
        return translate("Fields", "Another server already has this name")
    if code is ProblemCode.BAD_HOST:
        return translate("Fields", "Not a host name or IP address")
    if code is ProblemCode.PORT_OUT_OF_RANGE and problem.field == "local_port":
        return translate("Fields", "Use 0 (pick a free port) or a port up to 65535")
    if code is ProblemCode.PORT_OUT_OF_RANGE:
        return translate("Fields", "Use a port from 1 to 65535")
    if code is ProblemCode.BAD_USERNAME:
        return translate("Fields", "User names have no spaces")
    if code is ProblemCode.MISSING:
        return translate("Fields", "No file at this path")
    if code is ProblemCode.NOT_A_FILE:
        return translate("Fields", "This is a folder, not a key file")
    if code is ProblemCode.SELF_REFERENCE:
        return translate("Fields", "A server cannot be its own jump host")
    if code is ProblemCode.UNKNOWN_PROFILE:
        return translate("Fields", "That jump host profile no longer exists")
    if code is ProblemCode.BAD_FINGERPRINT:
        return translate("Fields", "Not a SHA256 fingerprint")
    if code is ProblemCode.OUT_OF_RANGE:
        return translate("Fields", "Value out of range")
    if code is ProblemCode.BAD_SLURM_NAME:
        return translate("Fields", "Letters, digits, - _ and . only")
    if code is ProblemCode.BAD_MEMORY:
        return translate("Fields", "A size like 16G or 500M")
    if code is ProblemCode.BAD_TIME:
        return translate("Fields", "Not a Slurm time limit (4:00:00)")
    if code is ProblemCode.BAD_OPTION:
        return translate("Fields", "One sbatch option per line, like --constraint=a100")
    if code is ProblemCode.RESERVED_OPTION:
        return translate("Fields", "LabTunnel sets {option} itself").format(option=problem.value)
    return translate("Fields", "Invalid value")


def _forward_problem_text(problem: FieldProblem) -> str:
    code = problem.code
    if code is ProblemCode.DUPLICATE_FORWARD:
        return translate("Fields", "Two forwards have the name “{name}”").format(name=problem.value)
    if code is ProblemCode.TOO_MANY:
        return translate("Fields", "At most {count} forwards").format(count=problem.value)
    if problem.field == "forward_name" and code is ProblemCode.EMPTY:
        return translate("Fields", "Every forward needs a name")
    if problem.field == "forward_name":
        return translate("Fields", "Forward names: at most 40 characters")
    return translate("Fields", "Forward address: use host:port, e.g. localhost:6006")

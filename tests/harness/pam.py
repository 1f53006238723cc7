"""PAM configurations for sshd variants, without touching the machine's /etc/pam.d."""

from __future__ import annotations

from pathlib import Path

SSHD_PAM = "/etc/pam.d/sshd"


def private_sshd_pam_argv(pam_file: Path) -> list[str]:
    """An argv prefix: the command after it runs in a mount namespace of its own in which
    /etc/pam.d/sshd is ``pam_file`` (a bind mount that vanishes with its processes).
    ``unshare`` and ``sh`` exec, so the PID is the command's own."""
    script = 'mount --bind "$0" "$1" && shift && exec "$@"'
    return [
        *("unshare", "--mount", "--propagation", "private", "sh", "-c", script),
        *(str(pam_file), SSHD_PAM),
    ]


def with_module_after_auth(base: str, line: str) -> str:
    """``base`` (an /etc/pam.d file) with ``line`` right after its own auth stack
    (``@include common-auth`` on Debian), as the usual guides for 2FA modules do."""
    lines = base.splitlines()
    for index, existing in enumerate(lines):
        if existing.strip() == "@include common-auth":
            return "\n".join([*lines[: index + 1], line, *lines[index + 1 :]]) + "\n"
    raise ValueError("no '@include common-auth' in the PAM file")

"""Where the user's Jupyter lives on the server: the login shell's PATH, a conda
environment, a venv, an absolute ``jupyter`` or a python with Jupyter installed."""

from __future__ import annotations

import re
import shlex
from enum import Enum

from labtunnel.core.jupyter.scripts import script
from labtunnel.core.ssh.remote import shell_path


class EnvKind(str, Enum):
    LOGIN = "login"  # whatever ``jupyter`` the login shell finds
    CONDA = "conda"  # a conda environment name
    VENV = "venv"  # a directory with bin/jupyter (venv, or a conda env prefix)
    EXECUTABLE = "executable"  # an absolute path to ``jupyter``
    INTERPRETER = "interpreter"  # a python with jupyter installed: ``python -m jupyter``


_PYTHON_NAME = re.compile(r"python[0-9.]*")


def classify_env(env: str) -> EnvKind:
    env = env.strip()
    if not env:
        return EnvKind.LOGIN
    if "/" in env or env.startswith("~"):
        name = env.rstrip("/").rsplit("/", 1)[-1]
        if name == "jupyter":
            return EnvKind.EXECUTABLE
        if _PYTHON_NAME.fullmatch(name):
            return EnvKind.INTERPRETER
        return EnvKind.VENV
    return EnvKind.CONDA


def command_tried(env: str) -> str:
    """The ``jupyter`` command LabTunnel runs for ``env``, as a person would type it."""
    env = env.strip()
    kind = classify_env(env)
    if kind is EnvKind.LOGIN:
        return "jupyter"
    if kind is EnvKind.CONDA:
        return f"conda activate {shlex.quote(env)} && jupyter"
    if kind is EnvKind.VENV:
        return env.rstrip("/") + "/bin/jupyter"
    if kind is EnvKind.INTERPRETER:
        return f"{env} -m jupyter"
    return env


def env_prologue(env: str, *, activate: bool) -> str:
    """Script that finds Jupyter for ``env`` or reports NOTFOUND and exits.

    It sets JUP (the executable), PY (a python for small helpers) and the
    positional parameters to the command that runs jupyter (``"$@" lab ...``).
    With ``activate`` the environment is activated (PATH, conda's activation
    scripts) for what runs after it, as Jupyter and its kernels need. For the
    login kind, Jupyter is what the user's terminal finds (run_script took on its
    environment), else one in the places conda-style installs go (KNOWN-PLACE).
    It reports UNSAFE when that Jupyter is outside the home where others can
    change it. Usable wherever Jupyter is to run for a profile (a batch job too):
    it needs only :mod:`labtunnel.core.ssh.remote`'s prologue (``lt_m``).
    """
    env = env.strip()
    kind = classify_env(env)
    values: dict[str, str | int] = {"lt_activate": int(activate)}
    if kind is EnvKind.CONDA:
        values["lt_envname"] = shlex.quote(env)
    elif kind is EnvKind.VENV:
        values["lt_env"] = shell_path(env.rstrip("/"))
    elif kind is not EnvKind.LOGIN:
        values["lt_env"] = shell_path(env)
    names = ["functions", f"env_{kind.value}"]
    if kind is not EnvKind.INTERPRETER:
        names.append("env_command")
    names.append("env_check")
    return script(*names, **values)


#: where the login kind looks when the terminal's PATH has no jupyter (as people write them)
KNOWN_PLACES = (
    "~/miniconda3",
    "~/anaconda3",
    "~/miniforge3",
    "~/mambaforge",
    "/opt/conda",
    "~/.conda/envs",
)

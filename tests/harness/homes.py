"""Home directories the way real lab-server accounts have them: Jupyter environments in the
places people put them, ``conda init`` blocks, and startup files that talk.

Every environment here really runs Jupyter: it is the harness's Jupyter venv (or the
Notebook 6 venv) reached through a symlink, so a test finds and starts a real server
without building another venv. Files are owned by the user, as if they had written them.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from .errors import HarnessError
from .lab import LabServer
from .users import TestUser


def _chown(lab: LabServer, user: TestUser, path: Path) -> None:
    if os.geteuid() == 0:
        os.lchown(path, user.uid, user.gid)


def _make_dirs(lab: LabServer, user: TestUser, directory: Path) -> None:
    home = Path(user.home)
    missing = [p for p in [*reversed(directory.parents), directory] if not p.exists()]
    directory.mkdir(parents=True, exist_ok=True)
    for path in missing:
        if home in path.parents:
            _chown(lab, user, path)


def link(lab: LabServer, user: TestUser, relative_path: str, target: str) -> str:
    """``~user/relative_path`` -> ``target`` (a symlink the user owns); return its path."""
    path = Path(user.home) / relative_path
    _make_dirs(lab, user, path.parent)
    if path.is_symlink() or path.exists():
        raise HarnessError(f"{path} exists already")
    path.symlink_to(target)
    _chown(lab, user, path)
    return str(path)


def append_user_file(lab: LabServer, user: TestUser, relative_path: str, text: str) -> str:
    """Append ``text`` to ``~user/relative_path`` (e.g. after the skeleton ``.bashrc``)."""
    path = Path(user.home) / relative_path
    old = path.read_text() if path.exists() else ""
    mode = path.stat().st_mode & 0o7777 if path.exists() else 0o644
    return lab.write_user_file(user, relative_path, old + text, mode=mode)


# --- conda, as far as shells and LabTunnel see it ---------------------------------------

_CONDA_EXE = r"""#!/bin/sh
# A stand-in for conda: the commands `conda init` blocks and LabTunnel run.
root={root}
case "$1 ${{2:-}}" in
  "shell.bash hook"|"shell.zsh hook"|"shell.posix hook")
    # like conda's hook with auto_activate_base: define the function, activate base
    printf '. "%s/etc/profile.d/conda.sh"\nconda activate base\n' "$root"
    exit 0;;
  "info --base") echo "$root"; exit 0;;
  "--version "*) echo "conda 24.1.2"; exit 0;;
esac
echo "CommandNotFoundError: this test conda only knows hook, info --base, --version" >&2
exit 1
"""

_CONDA_SH = r"""# conda's shell functions (a small POSIX stand-in for etc/profile.d/conda.sh)
export CONDA_EXE={root}/bin/conda
_CONDA_ROOT={root}
conda() {{
  case "${{1:-}}" in
    activate)
      _lt_name=${{2:-base}}
      case $_lt_name in
        */*) _lt_prefix=$_lt_name;;
        base) _lt_prefix=$_CONDA_ROOT;;
        *) _lt_prefix=$_CONDA_ROOT/envs/$_lt_name;;
      esac
      if [ ! -d "$_lt_prefix" ]; then
        echo "EnvironmentNameNotFound: Could not find conda environment: $_lt_name" >&2
        return 1
      fi
      if [ -n "${{CONDA_PREFIX:-}}" ]; then PATH=${{PATH#"$CONDA_PREFIX/bin:"}}; fi
      PATH="$_lt_prefix/bin:$PATH"
      CONDA_PREFIX=$_lt_prefix
      CONDA_DEFAULT_ENV=$_lt_name
      CONDA_SHLVL=1
      export PATH CONDA_PREFIX CONDA_DEFAULT_ENV CONDA_SHLVL;;
    deactivate)
      if [ -n "${{CONDA_PREFIX:-}}" ]; then PATH=${{PATH#"$CONDA_PREFIX/bin:"}}; fi
      unset CONDA_PREFIX CONDA_DEFAULT_ENV
      CONDA_SHLVL=0
      export PATH CONDA_SHLVL;;
    *) "$CONDA_EXE" "$@";;
  esac
}}
"""

#: what ``conda init bash`` appends to ~/.bashrc (``{root}`` = the install's absolute path)
CONDA_INIT_BASH = """
# >>> conda initialize >>>
# !! Contents within this block are managed by 'conda init' !!
__conda_setup="$('{root}/bin/conda' 'shell.bash' 'hook' 2> /dev/null)"
if [ $? -eq 0 ]; then
    eval "$__conda_setup"
else
    if [ -f "{root}/etc/profile.d/conda.sh" ]; then
        . "{root}/etc/profile.d/conda.sh"
    else
        export PATH="{root}/bin:$PATH"
    fi
fi
unset __conda_setup
# <<< conda initialize <<<
"""

#: the same for ``conda init zsh`` (~/.zshrc)
CONDA_INIT_ZSH = CONDA_INIT_BASH.replace("'shell.bash'", "'shell.zsh'")


def install_conda(
    lab: LabServer,
    user: TestUser,
    root: str = "miniconda3",
    envs: Mapping[str, str] | None = None,
) -> str:
    """A conda install at ``~/root`` (base without Jupyter) whose named ``envs`` are
    symlinks to real environment prefixes, e.g. ``{"ml": lab.jupyter_venv}``; returns the
    install's absolute path. ``conda activate`` / ``deactivate``, ``conda shell.bash
    hook`` and ``conda info --base`` behave like conda's."""
    base = Path(user.home) / root
    if base.exists():
        raise HarnessError(f"{base} exists already")
    quoted = "'" + str(base).replace("'", "'\\''") + "'"
    lab.write_user_file(user, f"{root}/bin/conda", _CONDA_EXE.format(root=quoted), mode=0o755)
    lab.write_user_file(
        user, f"{root}/etc/profile.d/conda.sh", _CONDA_SH.format(root=quoted), mode=0o644
    )
    for name, prefix in (envs or {}).items():
        link(lab, user, f"{root}/envs/{name}", prefix)
    return str(base)


# --- startup files that talk ----------------------------------------------------------

#: sets the terminal title, no newline (as many ~/.bashrc and zsh themes do)
TITLE_ESCAPE = 'printf \'\\033]0;%s@%s: %s\\007\' "$USER" lab-server "$PWD"\n'

#: colours and a cursor move, still without a newline
COLOUR_NOISE = "printf '\\033[1;32mwelcome\\033[0m \\033[2K\\r'\n"


def chatty_lines(token_like: str) -> str:
    """Shell lines printing what confuses a parser: a banner, a line that looks like one of
    LabTunnel's own, fake Jupyter JSON, token-looking text, and output without a newline."""
    fake_server = (
        '{"pid": 1, "port": 8888, "hostname": "localhost", "base_url": "/", '
        f'"token": "{token_like}", "url": "http://localhost:8888/", "root_dir": "/"}}'
    )
    return (
        "echo '*** Welcome to the GPU server. Quota: 50 GB. Be nice. ***'\n"
        "echo '@@LT:NOTFOUND not_on_path'\n"
        "echo '@@LT:SERVER jpserver-1.json'\n"
        f"echo '{fake_server}'\n"
        f"echo 'http://127.0.0.1:8888/lab?token={token_like}'\n"
        f"printf 'token: {token_like}'\n" + TITLE_ESCAPE + COLOUR_NOISE
    )

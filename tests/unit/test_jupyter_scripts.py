"""The remote scripts, run for real by the local login shell (bash -l, as over SSH) in a
temporary HOME with fake ``jupyter`` / conda layouts. No SSH and no real Jupyter here:
tests/integration/test_jupyter_real.py does that against the lab server."""

from __future__ import annotations

import contextlib
import os
import signal
import stat
import subprocess
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from tests.harness import _proc
from tests.unit.remote_helpers import LocalShRunner

from labtunnel.core.errors import (
    JupyterEnvUnsafe,
    JupyterNotFound,
    JupyterStartFailed,
    JupyterStopFailed,
    LabTunnelError,
)
from labtunnel.core.jupyter.manager import JupyterManager
from labtunnel.core.jupyter.server import JupyterServer, StopOutcome
from labtunnel.core.profiles.model import JupyterApp, JupyterSpec
from labtunnel.core.profiles.remembered import RememberedServer, RememberedServers
from labtunnel.core.ssh.remote import SCRIPT_COMMAND, run_script, shell_path

pytestmark = pytest.mark.posix  # runs the server-side scripts with /bin/sh


def write_exe(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(0o755)
    return path


# A stand-in for ``jupyter``: answers --runtime-dir; "lab"/"notebook" behave like a
# server that comes up (writes its runtime file, stays running), unless $HOME/mode
# says "crash", "port-taken-once" or "hang".
FAKE_JUPYTER = r"""#!/bin/sh
rt="$HOME/rt"
case "$1" in
  --runtime-dir) echo "$rt"; exit 0;;
  lab|notebook) ;;
  *) echo "unexpected $*" >&2; exit 2;;
esac
echo "$$" >> "$HOME/launched.pids"
{ echo "ARGV $*"; echo "CWD $(pwd)"; echo "CONDA_PREFIX ${CONDA_PREFIX:-}";
  echo "VIRTUAL_ENV ${VIRTUAL_ENV:-}"; echo "PATH $PATH"; echo "UMASK $(umask)"
  echo "SID $(ps -o sid= -p $$ | tr -d ' ')"; } > "$HOME/launch.info"
port=
for a in "$@"; do case $a in --port=*) port=${a#--port=};; esac; done
mode=$(cat "$HOME/mode" 2>/dev/null)
if [ "$mode" = no-app-5 ]; then
  echo "Jupyter command \`jupyter-$1\` not found."
  exit 1
fi
if [ "$mode" = no-app ]; then
  echo "Jupyter command \`jupyter-$1\` not found."
  echo "jupyter: '$1' is not a Jupyter command"
  exit 1
fi
if [ "$mode" = crash ]; then
  echo "[I ServerApp] http://127.0.0.1:$port/lab?token=0123456789abcdef0123456789abcdef0123"
  echo "Traceback: ImportError: cannot import name 'x'"
  exit 1
fi
if [ "$mode" = port-taken-once ]; then
  echo second > "$HOME/mode"
  echo "[C ServerApp] ERROR: the Jupyter server could not be started because port" \
    "$port is not available."
  exit 1
fi
if [ "$mode" != hang ]; then
  mkdir -p "$rt"
  info='{"pid": %s, "port": %s, "hostname": "127.0.0.1", "base_url": "/", "token": "tok%s",'
  info="$info"' "root_dir": "%s", "url": "http://127.0.0.1:%s/"}\n'
  printf "$info" "$$" "$port" "$$" "$(pwd)" "$port" > "$rt/jpserver-$$.json"
fi
trap 'rm -f "$rt/jpserver-$$.json"; exit 0' TERM
while :; do sleep 0.2; done
"""


@pytest.fixture
def home(tmp_path: Path) -> Iterator[Path]:
    directory = tmp_path / "home"
    directory.mkdir()
    try:
        yield directory
    finally:
        pids = directory / "launched.pids"
        if pids.exists():
            for line in pids.read_text().split():
                with contextlib.suppress(ProcessLookupError):
                    os.kill(int(line), signal.SIGKILL)


@pytest.fixture
def sleeper() -> Iterator[subprocess.Popen[bytes]]:
    proc = subprocess.Popen(["sleep", "60"])
    try:
        yield proc
    finally:
        proc.kill()
        proc.wait()


def on_login_path(home: Path, directory: str) -> None:
    """What a user's ~/.profile does (a login shell's /etc/profile resets PATH)."""
    profile = home / ".profile"
    old = profile.read_text() if profile.exists() else ""
    profile.write_text(old + f'PATH="$HOME/{directory}:$PATH"\n')


def manager(
    home: Path, env: str = "", *, shell: str = "/bin/sh", **kwargs: object
) -> JupyterManager:
    options: dict[str, object] = {
        "remembered": RememberedServers(home.parent / "state.json"),
        "profile_id": "p1",
        "start_timeout": 15.0,
        "poll_interval": 0.1,
    }
    options.update(kwargs)
    spec = options.pop("spec", JupyterSpec(env=env))
    runner = LocalShRunner(home, shell=shell)
    return JupyterManager(runner, spec, **options)  # type: ignore[arg-type]


def wait_gone(pid: int, seconds: float = 5.0) -> bool:
    """The process ended (a zombie nobody reaped yet counts as ended: here PID 1 reaps
    orphans late, and kill -0 succeeds on a zombie)."""
    return _proc.wait_gone([pid], seconds)


# --- the login shell wrapper ------------------------------------------------------------


def test_bootstrap_reads_script_from_stdin_in_a_login_shell(home: Path) -> None:
    (home / ".profile").write_text('echo "banner from profile"\nexport LT_FROM_PROFILE=yes\n')
    script = 'echo "${lt_m}X $LT_FROM_PROFILE"\nread -r line || echo "${lt_m}STDIN-EMPTY"\n'
    result = run_script(LocalShRunner(home), script, timeout=10)
    found = {s.name: s.arg for s in result.sections()}
    assert found == {"SHELL": "terminal /bin/sh", "X": "yes", "STDIN-EMPTY": ""}


def test_printf_is_a_builtin_so_tokens_never_reach_an_argv(home: Path) -> None:
    result = run_script(LocalShRunner(home), "type printf\n", timeout=10)
    assert "builtin" in result.stdout


@pytest.mark.parametrize("name", ["plain", "with space", "it's", 'quo"te$HOME`x`'])
def test_shell_path_survives_odd_names(home: Path, name: str) -> None:
    target = home / name
    target.mkdir()
    for path in (name, "~/" + name):
        script = f'cd {shell_path(path)} && echo "${{lt_m}}PWD $(pwd)"\n'
        found = run_script(LocalShRunner(home), script, timeout=10).sections()
        assert [s.arg for s in found if s.name == "PWD"] == [str(target)]


# --- finding jupyter --------------------------------------------------------------------


def test_not_on_path_reports_path_shell_and_candidates(home: Path) -> None:
    # two conda envs with Jupyter: which one is for the user to say
    write_exe(home / "miniconda3" / "envs" / "ml" / "bin" / "jupyter", FAKE_JUPYTER)
    write_exe(home / "miniconda3" / "envs" / "cv" / "bin" / "jupyter", FAKE_JUPYTER)
    write_exe(home / ".venvs" / "x" / "bin" / "jupyter", FAKE_JUPYTER)
    with pytest.raises(JupyterNotFound) as caught:
        manager(home).list_servers()
    error = caught.value
    assert (error.reason, error.command_tried, error.env) == ("not_on_path", "jupyter", "")
    assert (error.shell, error.shell_mode) == ("/bin/sh", "terminal")
    assert "/usr/bin" in error.search_path
    # (this machine may have more, e.g. under /opt)
    assert set(error.candidates) >= {
        f"{home}/miniconda3/envs/ml/bin/jupyter",
        f"{home}/miniconda3/envs/cv/bin/jupyter",
        f"{home}/.venvs/x/bin/jupyter",
    }


def test_shell_function_named_jupyter_does_not_count(home: Path) -> None:
    (home / ".profile").write_text("jupyter() { echo hi; }\n")
    with pytest.raises(JupyterNotFound) as caught:
        manager(home).list_servers()
    assert caught.value.reason == "not_on_path"


@pytest.mark.parametrize(
    ("env", "make", "reason"),
    [
        ("~/venvs/nope", None, "env_missing"),
        ("~/venvs/empty", "venvs/empty/bin/python3", "env_has_no_jupyter"),
        ("~/bin/jupyter", "bin/other", "not_executable"),
        ("torch", None, "conda_missing"),
    ],
)
def test_not_found_reasons(home: Path, env: str, make: str | None, reason: str) -> None:
    if make:
        write_exe(home / make, "#!/bin/sh\n")
    with pytest.raises(JupyterNotFound) as caught:
        manager(home, env).list_servers()
    assert caught.value.reason == reason
    assert caught.value.env == env


def make_runtime_files(home: Path, live: list[int], dead: list[int]) -> None:
    runtime = home / "rt"
    runtime.mkdir()
    now = time.time()
    for age, pid in enumerate(live + dead):
        path = runtime / f"jpserver-{pid}.json"
        path.write_text(
            f'{{"pid": {pid}, "port": {20000 + age}, "hostname": "localhost", "token": "t{pid}",'
            f' "base_url": "/", "url": "http://localhost:{20000 + age}/"}}'
        )
        os.utime(path, (now - 10 * age, now - 10 * age))
    (runtime / "jpserver-123-open.html").write_text("<html>")
    (runtime / "jpserver-abc.json").write_text("{}")
    (runtime / "jupyter_cookie_secret").write_text("x")


def dead_pid() -> int:
    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid


def test_listing_from_login_path_newest_first_skips_dead(
    home: Path, sleeper: subprocess.Popen[bytes]
) -> None:
    write_exe(home / "tools" / "bin" / "jupyter", FAKE_JUPYTER)
    on_login_path(home, "tools/bin")
    make_runtime_files(home, live=[sleeper.pid, os.getpid()], dead=[dead_pid()])
    servers = manager(home).list_servers()
    assert [s.pid for s in servers] == [sleeper.pid, os.getpid()]
    assert [s.token for s in servers] == [f"t{sleeper.pid}", f"t{os.getpid()}"]


def test_a_live_server_in_the_default_runtime_folder_needs_no_python(
    home: Path, sleeper: subprocess.Popen[bytes]
) -> None:
    """jupyter_core's folder on Linux, ~/.local/share/jupyter/runtime, holds a live
    server: it is listed without starting ``jupyter --runtime-dir`` (a Python) first."""
    calls = home / "jupyter.calls"
    write_exe(
        home / "tools" / "bin" / "jupyter",
        f'#!/bin/sh\necho "$*" >> {calls}\necho "$HOME/elsewhere"\n',
    )
    on_login_path(home, "tools/bin")
    make_runtime_files(home, live=[sleeper.pid], dead=[dead_pid()])
    default = home / ".local" / "share" / "jupyter"
    default.mkdir(parents=True)
    (home / "rt").rename(default / "runtime")
    servers = manager(home).list_servers()
    assert [s.pid for s in servers] == [sleeper.pid]
    assert not calls.exists(), calls.read_text()
    # no live server there: Jupyter is asked where its folder is, as before
    (default / "runtime" / f"jpserver-{sleeper.pid}.json").unlink()
    assert manager(home).list_servers() == []
    assert calls.read_text().split() == ["--runtime-dir"]


def test_venv_path_with_spaces_and_quotes(home: Path, sleeper: subprocess.Popen[bytes]) -> None:
    write_exe(home / "my envs" / "it's" / "bin" / "jupyter", FAKE_JUPYTER)
    make_runtime_files(home, live=[sleeper.pid], dead=[])
    assert [s.pid for s in manager(home, "~/my envs/it's").list_servers()] == [sleeper.pid]
    absolute = str(home / "my envs" / "it's" / "bin" / "jupyter")
    assert [s.pid for s in manager(home, absolute).list_servers()] == [sleeper.pid]


CONDA_SH = r"""
conda() {
  [ "$1" = activate ] || return 1
  prefix="$HOME/miniconda3/envs/$2"
  [ "$2" = base ] && prefix="$HOME/miniconda3"
  case $2 in /*) prefix=$2;; esac
  [ -d "$prefix" ] || { echo "EnvironmentNameNotFound: $2" >&2; return 1; }
  CONDA_PREFIX=$prefix
  PATH="$prefix/bin:$PATH"
  export CONDA_PREFIX PATH
}
"""


def fake_conda(home: Path) -> None:
    write_exe(home / "miniconda3" / "bin" / "conda", "#!/bin/sh\nexit 1\n")
    (home / "miniconda3" / "etc" / "profile.d").mkdir(parents=True)
    (home / "miniconda3" / "etc" / "profile.d" / "conda.sh").write_text(CONDA_SH)
    write_exe(home / "miniconda3" / "envs" / "torch" / "bin" / "jupyter", FAKE_JUPYTER)


def test_conda_env_by_name(home: Path, sleeper: subprocess.Popen[bytes]) -> None:
    fake_conda(home)
    make_runtime_files(home, live=[sleeper.pid], dead=[])
    assert [s.pid for s in manager(home, "torch").list_servers()] == [sleeper.pid]
    with pytest.raises(JupyterNotFound) as caught:
        manager(home, "nope").list_servers()
    assert caught.value.reason == "conda_env_missing"
    with pytest.raises(JupyterNotFound) as caught:
        manager(home, "base").list_servers()
    assert caught.value.reason == "env_has_no_jupyter"


# --- starting ---------------------------------------------------------------------------


def launch_info(home: Path) -> dict[str, str]:
    info = {}
    for line in (home / "launch.info").read_text().splitlines():
        key, _, value = line.partition(" ")
        info[key] = value
    return info


def test_start_in_conda_env_detached_and_remembered(home: Path) -> None:
    fake_conda(home)
    (home / "work dir").mkdir()
    steps: list[str] = []
    spec = JupyterSpec(app=JupyterApp.NOTEBOOK, env="torch", workdir="~/work dir")
    jm = manager(home, spec=spec)
    server = jm.find_or_start(steps.append)
    assert steps == ["starting_jupyter", "waiting_jupyter"]
    assert server.app is JupyterApp.NOTEBOOK
    assert server.root_dir == str(home / "work dir")
    assert server.token == f"tok{server.pid}"
    info = launch_info(home)
    argv = info["ARGV"].split()
    assert argv[0] == "notebook"
    assert {"--no-browser", "--ip=127.0.0.1", f"--port={server.port}", "--port-retries=0"} <= set(
        argv
    )
    assert not any("token" in a.lower() for a in argv)
    assert info["CONDA_PREFIX"] == str(home / "miniconda3" / "envs" / "torch")
    assert info["CWD"] == str(home / "work dir")
    # the user's umask, not the private one used for the log: notebooks stay shareable
    assert info["UMASK"] != "0077"
    # its own session: the SSH session ending does not take it down
    assert server.pid is not None
    assert os.getsid(server.pid) == server.pid
    log = home / ".local" / "share" / "labtunnel" / "jupyter-p1.log"
    assert stat.S_IMODE(log.stat().st_mode) == 0o600
    remembered = RememberedServers(home.parent / "state.json").get("p1")
    assert remembered is not None
    assert (remembered.pid, remembered.port, remembered.app) == (
        server.pid,
        server.port,
        "notebook",
    )

    # the next connect reuses it, and prefers it over a newer server it did not start
    again = manager(home, spec=spec)
    assert again.find() == replace(server, launch=None)  # found, not started, this time
    other = subprocess.Popen(["sleep", "60"])
    try:
        (home / "rt" / f"jpserver-{other.pid}.json").write_text(
            f'{{"pid": {other.pid}, "port": 1234, "token": "x", "url": "http://127.0.0.1:1234/"}}'
        )
        assert again.list_servers()[0].pid == other.pid
        assert again.find() == replace(server, launch=None)
    finally:
        other.kill()
        other.wait()


def test_venv_start_activates_path(home: Path) -> None:
    write_exe(home / "venv" / "bin" / "jupyter", FAKE_JUPYTER)
    server = manager(home, "~/venv").start()
    info = launch_info(home)
    assert info["VIRTUAL_ENV"] == str(home / "venv")
    assert info["PATH"].startswith(f"{home}/venv/bin:")
    assert info["CWD"] == str(home)
    assert info["ARGV"].startswith("lab ")
    assert server.app is JupyterApp.LAB


def test_start_that_crashes_reports_redacted_log_tail(home: Path) -> None:
    write_exe(home / "venv" / "bin" / "jupyter", FAKE_JUPYTER)
    (home / "mode").write_text("crash")
    with pytest.raises(JupyterStartFailed) as caught:
        manager(home, "~/venv").start()
    error = caught.value
    assert error.reason == "exited"
    assert "ImportError" in error.log_tail
    assert "0123456789abcdef" not in error.log_tail
    assert "token=<redacted>" in error.log_tail
    assert error.log_path == f"{home}/.local/share/labtunnel/jupyter-p1.log"
    assert "0123456789abcdef" not in str(error)


def test_start_without_the_app_installed(home: Path) -> None:
    write_exe(home / "venv" / "bin" / "jupyter", FAKE_JUPYTER)
    (home / "mode").write_text("no-app")
    spec = JupyterSpec(app=JupyterApp.NOTEBOOK, env="~/venv")
    with pytest.raises(JupyterStartFailed) as caught:
        manager(home, spec=spec).start()
    assert caught.value.reason == "app_missing"
    assert "'notebook' is not a Jupyter command" in caught.value.log_tail


def test_interpreter_runs_python_m_jupyter(home: Path) -> None:
    jupyter = write_exe(home / "fake-jupyter", FAKE_JUPYTER)
    write_exe(
        home / "py" / "bin" / "python3",
        "#!/bin/sh\n"
        'if [ "$1" = -m ] && [ "$2" = jupyter ]; then shift 2; exec '
        f'"{jupyter}" "$@"; fi\n'
        "if [ \"$2\" = 'import jupyter_core' ]; then exit 0; fi\n"
        'exec /usr/bin/python3 "$@"\n',
    )
    server = manager(home, "~/py/bin/python3").start()
    assert launch_info(home)["ARGV"].startswith("lab --no-browser")
    assert server.port > 0
    assert [s.pid for s in manager(home, "~/py/bin/python3").list_servers()] == [server.pid]


def test_start_retries_when_the_port_was_taken(home: Path) -> None:
    write_exe(home / "venv" / "bin" / "jupyter", FAKE_JUPYTER)
    (home / "mode").write_text("port-taken-once")
    server = manager(home, "~/venv").start()
    assert len((home / "launched.pids").read_text().split()) == 2
    assert server.pid == int((home / "launched.pids").read_text().split()[-1])


def test_start_timeout(home: Path) -> None:
    write_exe(home / "venv" / "bin" / "jupyter", FAKE_JUPYTER)
    (home / "mode").write_text("hang")
    started = time.monotonic()
    with pytest.raises(JupyterStartFailed) as caught:
        manager(home, "~/venv", start_timeout=1.0).start()
    assert caught.value.reason == "timeout"
    assert caught.value.seconds == 1.0
    assert time.monotonic() - started < 8


def test_start_in_missing_workdir(home: Path) -> None:
    write_exe(home / "venv" / "bin" / "jupyter", FAKE_JUPYTER)
    spec = JupyterSpec(env="~/venv", workdir="/nonexistent/dir")
    with pytest.raises(JupyterStartFailed) as caught:
        manager(home, spec=spec).start()
    assert (caught.value.reason, caught.value.workdir) == ("workdir_missing", "/nonexistent/dir")
    assert not (home / "launched.pids").exists()


# --- stopping and watching --------------------------------------------------------------


def test_stop_falls_back_to_sigterm_and_forgets(home: Path) -> None:
    write_exe(home / "venv" / "bin" / "jupyter", FAKE_JUPYTER)
    jm = manager(home, "~/venv")
    server = jm.start()
    assert jm.is_alive(server) is False  # listed process, but nothing answers HTTP
    assert jm.stop(server) is StopOutcome.TERM  # no HTTP server behind the fake: REST fails
    assert server.pid is not None and wait_gone(server.pid)
    assert jm.list_servers() == []
    assert RememberedServers(home.parent / "state.json").get("p1") is None
    assert jm.stop(server) is StopOutcome.NOT_RUNNING


def test_stop_never_touches_a_server_not_listed(
    home: Path, sleeper: subprocess.Popen[bytes]
) -> None:
    write_exe(home / "venv" / "bin" / "jupyter", FAKE_JUPYTER)
    stranger = JupyterServer("u", "127.0.0.1", 40000, token="x", pid=sleeper.pid)
    remembered = RememberedServers(home.parent / "state.json")
    remembered.remember("p1", RememberedServer(sleeper.pid, 40000, 1.0, "lab"))
    assert manager(home, "~/venv").stop(stranger) is StopOutcome.NOT_RUNNING
    assert sleeper.poll() is None
    assert RememberedServers(home.parent / "state.json").get("p1") is None


def test_stop_refuses_to_signal_a_pid_that_is_not_jupyter(
    home: Path, sleeper: subprocess.Popen[bytes]
) -> None:
    # a stale runtime file whose pid now belongs to some other process of the user
    write_exe(home / "venv" / "bin" / "jupyter", FAKE_JUPYTER)
    make_runtime_files(home, live=[sleeper.pid], dead=[])
    jm = manager(home, "~/venv")
    [listed] = jm.list_servers()
    with pytest.raises(JupyterStopFailed) as caught:
        jm.stop(listed)
    assert caught.value.detail == "pid_is_not_jupyter"
    assert sleeper.poll() is None


def test_token_goes_over_stdin_never_argv(home: Path, sleeper: subprocess.Popen[bytes]) -> None:
    argv_file, stdin_file = home / "python-argv", home / "python-stdin"
    write_exe(
        home / "bin" / "python3",
        f'#!/bin/sh\nprintf "%s\\n" "$@" > "{argv_file}"\ncat > "{stdin_file}"\necho "HTTP 200"\n',
    )
    on_login_path(home, "bin")
    token = "s3cret-token-0123456789"
    server = JupyterServer("u", "127.0.0.1", 8888, "/base/", token=token, pid=sleeper.pid)
    jm = manager(home)
    assert jm.is_alive(server) is True
    assert stdin_file.read_text() == token
    argv = argv_file.read_text()
    assert "/base/api/status" in argv
    assert token not in argv
    runner = jm._runner
    assert isinstance(runner, LocalShRunner)
    assert runner.commands == [SCRIPT_COMMAND]


def test_is_alive_false_when_the_process_is_gone(home: Path) -> None:
    server = JupyterServer("u", "127.0.0.1", 8888, token="x", pid=dead_pid())
    assert manager(home).is_alive(server) is False


@pytest.fixture
def zombie() -> Iterator[int]:
    """A killed process nobody has reaped yet: what a SIGKILLed Jupyter stays on a server
    whose PID 1 does not reap orphans (containers; this very sandbox)."""
    proc = subprocess.Popen(["sleep", "60"])
    proc.kill()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        stat = Path(f"/proc/{proc.pid}/stat").read_text()
        if stat.rsplit(") ", 1)[1].startswith("Z"):
            break
        time.sleep(0.01)
    try:
        yield proc.pid
    finally:
        proc.wait()


def test_a_zombie_jupyter_is_not_listed_alive_or_waited_for(
    home: Path, sleeper: subprocess.Popen[bytes], zombie: int
) -> None:
    write_exe(home / "tools" / "bin" / "jupyter", FAKE_JUPYTER)
    on_login_path(home, "tools/bin")
    make_runtime_files(home, live=[sleeper.pid], dead=[zombie])
    assert [s.pid for s in manager(home).list_servers()] == [sleeper.pid]
    server = JupyterServer("u", "127.0.0.1", 8888, token="x", pid=zombie)
    assert manager(home).is_alive(server) is False


# --- the terminal's environment, whatever the login shell -------------------------------

SHELL_CASES = {
    # shell, startup file, line that puts the Jupyter folder on PATH
    "zsh .zshrc": ("/usr/bin/zsh", ".zshrc", "path=($HOME/tools/jup/bin $path)\n"),
    "zsh .zprofile": ("/usr/bin/zsh", ".zprofile", 'export PATH="$HOME/tools/jup/bin:$PATH"\n'),
    "zsh .zshenv": ("/usr/bin/zsh", ".zshenv", 'export PATH="$HOME/tools/jup/bin:$PATH"\n'),
    "bash after the guard": (
        "/bin/bash",
        ".bashrc",
        'case $- in *i*) ;; *) return;; esac\nexport PATH="$HOME/tools/jup/bin:$PATH"\n',
    ),
    "fish": (
        "/usr/bin/fish",
        ".config/fish/config.fish",
        "set -gx PATH $HOME/tools/jup/bin $PATH\n",
    ),
    "tcsh": ("/usr/bin/tcsh", ".tcshrc", "setenv PATH $HOME/tools/jup/bin:$PATH\n"),
    "dash": ("/bin/sh", ".profile", 'PATH="$HOME/tools/jup/bin:$PATH"\n'),
}


@pytest.mark.parametrize("case", list(SHELL_CASES))
def test_jupyter_on_the_path_of_each_kind_of_terminal(home: Path, case: str) -> None:
    shell, startup_file, line = SHELL_CASES[case]
    if not os.access(shell, os.X_OK):
        pytest.fail(f"{shell} is missing: tests/run_all.sh installs it")
    write_exe(home / "tools" / "jup" / "bin" / "jupyter", FAKE_JUPYTER)
    path = home / startup_file
    path.parent.mkdir(parents=True, exist_ok=True)
    if startup_file == ".bashrc":  # Debian's ~/.profile reads ~/.bashrc
        (home / ".profile").write_text('[ -n "$BASH_VERSION" ] && . "$HOME/.bashrc"\n')
    path.write_text(line)
    server = manager(home, shell=shell).start()
    assert launch_info(home)["PATH"].startswith(f"{home}/tools/jup/bin:")
    assert [s.pid for s in manager(home, shell=shell).list_servers()] == [server.pid]


def test_a_bash_profile_that_execs_zsh_still_works(home: Path) -> None:
    # where chsh is not allowed: ~/.bash_profile hands over to zsh
    write_exe(home / "tools" / "jup" / "bin" / "jupyter", FAKE_JUPYTER)
    (home / ".bash_profile").write_text("exec /usr/bin/zsh -l\n")
    (home / ".zprofile").write_text('export PATH="$HOME/tools/jup/bin:$PATH"\n')
    assert manager(home, shell="/bin/bash").list_servers() == []


NOISE = (
    "printf '\\033]0;user@gpu: ~\\007'\n"  # a terminal title, no newline
    "echo '@@LT:NOTFOUND not_on_path'\n"  # looks like ours, is not
    "echo '@@LT:SERVER jpserver-1.json'\n"
    'echo \'{"pid": 1, "port": 8888, "token": "0123456789abcdef0123456789abcdef"}\'\n'
    "printf 'token: 0123456789abcdef0123456789abcdef'\n"
)


def test_startup_noise_before_between_and_after_is_ignored(
    home: Path, sleeper: subprocess.Popen[bytes]
) -> None:
    write_exe(home / "tools" / "jup" / "bin" / "jupyter", FAKE_JUPYTER)
    # ~/.bashrc before its guard is read even by the non-interactive shell sshd starts
    (home / ".bashrc").write_text(NOISE + "case $- in *i*) ;; *) return;; esac\n" + NOISE)
    (home / ".profile").write_text(
        '. "$HOME/.bashrc"\nPATH="$HOME/tools/jup/bin:$PATH"\n'
        "( sleep 0.2; printf 'late noise from a background job' ) &\n"
    )
    (home / ".bash_logout").write_text("printf 'bye'\n")
    make_runtime_files(home, live=[sleeper.pid], dead=[])
    servers = manager(home, shell="/bin/bash").list_servers()
    assert [(s.pid, s.token) for s in servers] == [(sleeper.pid, f"t{sleeper.pid}")]


def test_only_exported_values_of_valid_names_come_over(home: Path) -> None:
    (home / ".bashrc").write_text(
        "export MULTI=\"two\nlines with 'quotes' and \\$dollars\"\n"
        "f() { echo f; }; export -f f\n"  # BASH_FUNC_f%%: not a name sh can set
        "NOT_EXPORTED=1\n"
    )
    (home / ".profile").write_text('. "$HOME/.bashrc"\n')
    script = 'echo "${lt_m}MULTI $MULTI"\necho "${lt_m}NOT ${NOT_EXPORTED:-unset}"\n'
    result = run_script(LocalShRunner(home, shell="/bin/bash"), script, timeout=10)
    found = {s.name: s for s in result.sections()}
    assert found["SHELL"].arg == "terminal /bin/bash"
    assert found["MULTI"].arg == "two" and found["MULTI"].lines[0] == (
        "lines with 'quotes' and $dollars"
    )
    assert found["NOT"].arg == "unset"


# --- known places -----------------------------------------------------------------------


@pytest.mark.parametrize("root", ["miniconda3", "anaconda3", "miniforge3", "mambaforge"])
def test_base_environment_of_a_known_install(home: Path, root: str) -> None:
    write_exe(home / root / "bin" / "jupyter", FAKE_JUPYTER)
    server = manager(home).start()
    assert launch_info(home)["PATH"].startswith(f"{home}/{root}/bin:")
    assert server.port > 0


def test_the_one_environment_with_jupyter_is_activated_by_conda(home: Path) -> None:
    fake_conda(home)  # ~/miniconda3 with envs/torch
    (home / "miniconda3" / "envs" / "empty" / "bin").mkdir(parents=True)
    manager(home).start()
    assert launch_info(home)["CONDA_PREFIX"] == str(home / "miniconda3" / "envs" / "torch")


# --- the app: Lab, else Notebook ---------------------------------------------------------


@pytest.mark.parametrize(
    ("entry_points", "app"),
    [(["jupyter-lab", "jupyter-notebook"], "lab"), (["jupyter-notebook"], "notebook"), ([], "lab")],
)
def test_automatic_app_takes_what_is_installed(
    home: Path, entry_points: list[str], app: str
) -> None:
    write_exe(home / "venv" / "bin" / "jupyter", FAKE_JUPYTER)
    for name in entry_points:
        write_exe(home / "venv" / "bin" / name, "#!/bin/sh\n")
    server = manager(home, "~/venv").start()
    assert launch_info(home)["ARGV"].split()[0] == app
    assert server.app is JupyterApp(app)
    remembered = RememberedServers(home.parent / "state.json").get("p1")
    assert remembered is not None and remembered.app == app


def test_jupyter_core_5_says_the_app_is_missing_its_own_way(home: Path) -> None:
    write_exe(home / "venv" / "bin" / "jupyter", FAKE_JUPYTER)
    (home / "mode").write_text("no-app-5")
    with pytest.raises(JupyterStartFailed) as caught:
        manager(home, spec=JupyterSpec(app=JupyterApp.LAB, env="~/venv")).start()
    assert (caught.value.reason, caught.value.app) == ("app_missing", "lab")


# --- the log, and environments others can change (issue 12, items 10 and 11) ------------


def test_the_log_is_never_written_through_a_symlink(home: Path, tmp_path: Path) -> None:
    write_exe(home / "venv" / "bin" / "jupyter", FAKE_JUPYTER)
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me\n")
    victim.chmod(0o644)
    log_dir = home / ".local" / "share" / "labtunnel"
    log_dir.mkdir(parents=True, mode=0o755)
    log_dir.chmod(0o755)
    (log_dir / "jupyter-p1.log").symlink_to(victim)
    manager(home, "~/venv").start()
    assert victim.read_text() == "keep me\n" and stat.S_IMODE(victim.stat().st_mode) == 0o644
    log = log_dir / "jupyter-p1.log"
    assert not log.is_symlink() and stat.S_IMODE(log.stat().st_mode) == 0o600
    assert stat.S_IMODE(log_dir.stat().st_mode) == 0o700


def test_a_log_folder_that_is_a_symlink_is_refused(home: Path, tmp_path: Path) -> None:
    write_exe(home / "venv" / "bin" / "jupyter", FAKE_JUPYTER)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (home / ".local" / "share").mkdir(parents=True)
    (home / ".local" / "share" / "labtunnel").symlink_to(elsewhere)
    with pytest.raises(JupyterStartFailed) as caught:
        manager(home, "~/venv").start()
    assert caught.value.reason == "log_dir_unsafe"
    assert caught.value.log_path == f"{home}/.local/share/labtunnel"
    assert list(elsewhere.iterdir()) == [] and not (home / "launched.pids").exists()


def test_an_environment_others_can_write_is_warned_about_once(
    home: Path, tmp_path: Path, sleeper: subprocess.Popen[bytes]
) -> None:
    shared = tmp_path / "shared"  # outside the home
    shared.mkdir()
    write_exe(shared / "venv" / "bin" / "jupyter", FAKE_JUPYTER)
    make_runtime_files(home, live=[sleeper.pid], dead=[])
    heard: list[LabTunnelError] = []
    jm = manager(home, str(shared / "venv"), on_warning=heard.append)
    assert [s.pid for s in jm.list_servers()] == [sleeper.pid]
    assert heard == []  # 0755 and ours: fine
    shared.chmod(0o777)
    jm = manager(home, str(shared / "venv"), on_warning=heard.append)
    jm.list_servers()
    jm.list_servers()
    assert len(heard) == 1
    warning = heard[0]
    assert isinstance(warning, JupyterEnvUnsafe) and warning.path == str(shared)
    # inside the home it is the user's own business
    (home / "open").mkdir(mode=0o777)
    (home / "open").chmod(0o777)
    write_exe(home / "open" / "venv" / "bin" / "jupyter", FAKE_JUPYTER)
    inside: list[LabTunnelError] = []
    manager(home, "~/open/venv", on_warning=inside.append).list_servers()
    assert inside == []

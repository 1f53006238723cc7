"""Issue 10 §2: the lab servers people really have, each built as a real account on the
harness's sshd (real zsh, fish, tcsh, dash and bash; Debian's skeleton startup files;
conda-style environments that really run Jupyter; sshd with forwarding turned off; a
server with only Notebook 6). Each either connects, or says in one sentence what to change.

Each case is its own user (``lab.add_user``), so what one startup file does cannot leak
into another case, and removing the users at the end also ends every Jupyter they ran.
What the user's own terminal finds is checked first (``<shell> -i -l -c``, as a terminal
login runs it), so a case proves something about LabTunnel, not about the setup.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import re
import shutil
import signal
import stat
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from tests.harness import LabServer, TestUser, homes
from tests.integration.test_bad_input_real import documented_templates, template_regex
from tests.integration.test_cli_real import ConnectProcess, cli_env, labtunnel

from labtunnel.core.errors import JupyterStartFailed
from labtunnel.core.jupyter.manager import JupyterManager
from labtunnel.core.jupyter.server import JupyterServer
from labtunnel.core.profiles.model import AuthMethod, JupyterSpec
from labtunnel.core.ssh.auth import Credentials
from labtunnel.core.ssh.hostkeys import HostKeyStore
from labtunnel.core.ssh.session import SshEndpoint, SshSession
from labtunnel.messages import describe

pytestmark = pytest.mark.integration

ZSH, BASH, SH, FISH, TCSH = "/usr/bin/zsh", "/bin/bash", "/bin/sh", "/usr/bin/fish", "/usr/bin/tcsh"
#: the places LabTunnel looks for conda-style installs when the shell finds no jupyter
KNOWN_PLACES = ("~/miniconda3", "~/anaconda3", "~/miniforge3", "~/mambaforge", "/opt/conda")
TIMES: dict[str, float] = {}


# --- accounts ---------------------------------------------------------------------------


@dataclass
class Account:
    user: TestUser
    shell: str
    #: where this account's Jupyter really is (its env prefix), "" when it has none
    env_dir: str = ""


@dataclass
class Accounts:
    """Users made on first use, removed (with everything they run) after the module."""

    lab: LabServer
    made: dict[str, Account] = field(default_factory=dict)

    def get(self, tag: str, shell: str, setup: Callable[[LabServer, Account], None]) -> Account:
        if tag not in self.made:
            account = Account(self.lab.add_user(tag, shell=shell), shell)
            self.made[tag] = account
            setup(self.lab, account)
        return self.made[tag]

    def close(self) -> None:
        for account in self.made.values():
            self.lab.remove_user(account.user)


@pytest.fixture(scope="module")
def accounts(lab_server: LabServer) -> Iterator[Accounts]:
    lab_server.require_password_auth()  # real users need root
    lab_server.require_jupyter()
    made = Accounts(lab_server)
    try:
        yield made
    finally:
        made.close()
        if TIMES:
            print("\nlab-server figures: " + ", ".join(f"{k} {v:.2f} s" for k, v in TIMES.items()))


def env_link(lab: LabServer, account: Account, relative: str, target: str = "") -> str:
    """~/relative -> a real Jupyter env prefix; recorded as the account's env."""
    account.env_dir = homes.link(lab, account.user, relative, target or lab.jupyter_venv)
    return account.env_dir


def terminal_finds(lab: LabServer, account: Account) -> str:
    """``command -v jupyter`` in the user's interactive login shell, as a terminal runs it."""
    shell = account.shell
    probe = "which jupyter" if shell in (FISH, TCSH) else "command -v jupyter"
    options = ["-c"] if shell == TCSH else ["-i", "-l", "-c"]
    result = lab.ns_exec([shell, *options, probe], account.user, timeout=30)
    # (the startup files' noise, a terminal title for one, may be on the same line)
    found = re.findall(r"/[\w./-]*/jupyter\b", result.stdout)
    return found[-1] if found else ""


# --- sessions and the CLI ---------------------------------------------------------------


def open_session(lab: LabServer, user: TestUser, tmp_path: Path, port: int = 0) -> SshSession:
    endpoint = SshEndpoint(
        host=lab.host,
        port=port or lab.port,
        username=user.name,
        auth=AuthMethod.KEY,
        key_path=str(lab.keys.ed25519),
        pinned_fingerprints=tuple(lab.host_key_fingerprints.values()),
        connect_timeout=10,
    )
    return SshSession.open(endpoint, Credentials(), HostKeyStore(tmp_path / "known_hosts"))


def manager(session: SshSession, env: str = "") -> JupyterManager:
    return JupyterManager(session, JupyterSpec(env=env), remembered=None, profile_id="t")


def list_as(lab: LabServer, account: Account, tmp_path: Path, env: str = "") -> list[JupyterServer]:
    session = open_session(lab, account.user, tmp_path)
    try:
        return manager(session, env).list_servers()
    finally:
        session.close()


@dataclass
class Cli:
    lab: LabServer
    env: dict[str, str]
    last_user: str = ""

    def add(self, account: Account, *extra: str, port: int = 0, name: str = "lab") -> None:
        self.last_user = account.user.name.split("-", 1)[-1]
        pins = [a for fp in self.lab.host_key_fingerprints.values() for a in ("--pin", fp)]
        result = labtunnel(
            "profile",
            "add",
            name,
            "--host",
            self.lab.host,
            "--port",
            str(port or self.lab.port),
            "--user",
            account.user.name,
            "--key",
            str(self.lab.keys.ed25519),
            *[p.replace("--pin", "--pin-fingerprint") for p in pins],
            *extra,
            env=self.env,
        )
        assert result.returncode == 0, result.stderr

    def connect(self, name: str = "lab", *, open_page: bool = False) -> tuple[str, bytes, str]:
        """``labtunnel connect``: (URL, the page it shows, stderr); with ``open_page`` the
        URL is fetched through the tunnel while it is up. The tunnel is closed after."""
        process = ConnectProcess(self.env, name)
        started = time.monotonic()
        page = b""
        try:
            url = process.first_line(timeout=120)
            TIMES[f"connect {self.last_user}/{name}"] = time.monotonic() - started
            if url.startswith("http://127.0.0.1:") and open_page:
                page = get_page(url)
        finally:
            process.stop()
        stderr = process.stderr()
        assert url.startswith("http://127.0.0.1:"), (url, stderr)
        return url, page, stderr

    def fails(self, name: str = "lab") -> str:
        """``labtunnel connect`` that must fail: its one sentence (without "labtunnel: ")."""
        result = labtunnel("connect", name, "--no-browser", env=self.env, timeout=150)
        assert result.returncode == 1, (result.returncode, result.stdout, result.stderr)
        assert "Traceback" not in result.stderr
        last = result.stderr.strip().splitlines()[-1]
        assert last.startswith("labtunnel: "), result.stderr
        return last.removeprefix("labtunnel: ")


def get_page(url: str) -> bytes:
    """GET ``url`` (following Jupyter's redirects on the same port): the page's bytes."""
    parts = urlsplit(url)
    path = f"{parts.path}?{parts.query}"
    for _ in range(5):
        conn = http.client.HTTPConnection("127.0.0.1", parts.port, timeout=30)
        try:
            conn.request("GET", path, headers={"Host": f"127.0.0.1:{parts.port}"})
            response = conn.getresponse()
            body = response.read()
        finally:
            conn.close()
        if response.status in (301, 302, 303, 307):
            location = urlsplit(response.getheader("Location", ""))
            path = location.path + (f"?{location.query}" if location.query else "")
            continue
        assert response.status == 200, (url, path, response.status)
        return body
    raise AssertionError(f"{url}: too many redirects")


@pytest.fixture
def cli(lab_server: LabServer, config_dir: Path) -> Cli:
    return Cli(lab_server, cli_env(config_dir))


def documented(situation: str, sentence: str) -> None:
    template = documented_templates()[situation]
    assert template_regex(template).match(sentence), f"{situation}: {sentence!r}"


def jupyter_pids(lab: LabServer, user: TestUser) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            if entry.stat().st_uid != user.uid:
                continue
            if b"jupyter" in (entry / "cmdline").read_bytes():
                found.append(int(entry.name))
    return found


def process_environ(pid: int) -> dict[str, str]:
    raw = Path(f"/proc/{pid}/environ").read_bytes()
    pairs = (item.partition(b"=") for item in raw.split(b"\0") if item)
    return {k.decode(): v.decode(errors="replace") for k, _, v in pairs}


def server_pid(url: str, lab: LabServer, user: TestUser) -> int:
    """The Jupyter process of ``user`` that made this URL's token."""
    token = url.rsplit("token=", 1)[1]
    for pid in jupyter_pids(lab, user):
        for runtime in Path(user.home, ".local/share/jupyter/runtime").glob("*server-*.json"):
            if f"-{pid}.json" in runtime.name and token in runtime.read_text():
                return pid
    raise AssertionError(f"no Jupyter of {user.name} has the URL's token")


# --- zsh ----------------------------------------------------------------------------------


def zsh_path_in(startup_file: str) -> Callable[[LabServer, Account], None]:
    def setup(lab: LabServer, account: Account) -> None:
        env = env_link(lab, account, f"envs/{startup_file.lstrip('.')}")
        if startup_file == ".zshrc":
            line = f"path=({env}/bin $path)\n"  # zsh's own array form
        else:
            line = f'export PATH="{env}/bin:$PATH"\n'
        lab.write_user_file(account.user, startup_file, line)

    return setup


@pytest.mark.parametrize("startup_file", [".zprofile", ".zshrc", ".zshenv"])
def test_zsh_user_with_path_in_each_startup_file(
    accounts: Accounts, tmp_path: Path, startup_file: str
) -> None:
    account = accounts.get(startup_file.lstrip(".z"), ZSH, zsh_path_in(startup_file))
    assert terminal_finds(accounts.lab, account) == f"{account.env_dir}/bin/jupyter"
    assert list_as(accounts.lab, account, tmp_path) == []  # found; none runs yet


def zsh_conda(lab: LabServer, account: Account) -> None:
    root = homes.install_conda(lab, account.user, "miniconda3", {"torch": lab.jupyter_venv})
    account.env_dir = f"{root}/envs/torch"
    text = homes.CONDA_INIT_ZSH.format(root=root) + "conda activate torch\n"
    # a theme that sets the terminal title before each prompt, without a newline
    text += "print -Pn '\\e]0;%n@%m: %~\\a'\n"
    lab.write_user_file(account.user, ".zshrc", text)


def test_zsh_user_with_conda_init_connects(accounts: Accounts, cli: Cli) -> None:
    account = accounts.get("zconda", ZSH, zsh_conda)
    assert terminal_finds(accounts.lab, account) == f"{account.env_dir}/bin/jupyter"
    cli.add(account)
    url, page, _ = cli.connect(open_page=True)
    assert "/lab?token=" in url and b"JupyterLab" in page
    environ = process_environ(server_pid(url, accounts.lab, account.user))
    assert environ.get("CONDA_PREFIX") == account.env_dir  # activated as in the terminal


# --- bash: PATH and conda init after Debian's "not interactive: return" ----------------


def bashrc_path(lab: LabServer, account: Account) -> None:
    env = env_link(lab, account, "tools/jupyter")
    homes.append_user_file(
        lab, account.user, ".bashrc", f'\n# added by the lab wiki\nexport PATH="{env}/bin:$PATH"\n'
    )


def test_bash_user_with_path_after_the_bashrc_guard(accounts: Accounts, tmp_path: Path) -> None:
    account = accounts.get("bashrc", BASH, bashrc_path)
    bashrc = Path(account.user.home, ".bashrc").read_text()
    assert bashrc.index("*) return;;") < bashrc.index(account.env_dir)  # the skeleton's guard
    assert terminal_finds(accounts.lab, account) == f"{account.env_dir}/bin/jupyter"
    assert list_as(accounts.lab, account, tmp_path) == []


def bash_conda(lab: LabServer, account: Account) -> None:
    root = homes.install_conda(lab, account.user, "miniconda3", {"ml": lab.jupyter_venv})
    account.env_dir = f"{root}/envs/ml"
    homes.append_user_file(
        lab,
        account.user,
        ".bashrc",
        homes.CONDA_INIT_BASH.format(root=root) + "conda activate ml\n",
    )


def test_bash_user_with_conda_init_in_bashrc_connects(accounts: Accounts, cli: Cli) -> None:
    account = accounts.get("conda", BASH, bash_conda)
    assert terminal_finds(accounts.lab, account) == f"{account.env_dir}/bin/jupyter"
    cli.add(account)
    url, page, _ = cli.connect(open_page=True)
    assert "/lab?token=" in url and b"JupyterLab" in page
    pid = server_pid(url, accounts.lab, account.user)
    assert process_environ(pid).get("CONDA_PREFIX") == account.env_dir


# --- no startup file names Jupyter: the known places, then a sentence -------------------


def miniforge_only(lab: LabServer, account: Account) -> None:
    root = homes.install_conda(lab, account.user, "miniforge3", {"ml": lab.jupyter_venv})
    account.env_dir = f"{root}/envs/ml"


def test_conda_install_in_a_known_place_is_found_without_startup_files(
    accounts: Accounts, tmp_path: Path
) -> None:
    account = accounts.get("miniforge", BASH, miniforge_only)
    assert terminal_finds(accounts.lab, account) == ""  # nothing on the terminal's PATH
    assert list_as(accounts.lab, account, tmp_path) == []


def nothing(lab: LabServer, account: Account) -> None:
    pass


def test_no_jupyter_anywhere_names_what_was_tried(accounts: Accounts, cli: Cli) -> None:
    account = accounts.get("nojupyter", ZSH, nothing)
    cli.add(account)
    sentence = cli.fails()
    documented("No jupyter on the terminal's PATH nor in the usual places", sentence)
    assert ZSH in sentence, sentence  # the login shell it asked, as the terminal does
    for place in KNOWN_PLACES:
        assert place in sentence, sentence


# --- startup files that talk --------------------------------------------------------------

TOKEN_LIKE = "0123456789abcdef" * 3


def chatty_bash(lab: LabServer, account: Account) -> None:
    env = env_link(lab, account, "sw/jupyter")
    user = account.user
    noise = homes.chatty_lines(TOKEN_LIKE)
    late = "( sleep 0.2; printf 'noise from a background job' ) &\n"
    homes.append_user_file(lab, user, ".profile", noise + late + f'PATH="{env}/bin:$PATH"\n')
    homes.append_user_file(lab, user, ".bashrc", "\n" + noise)  # after the guard: terminals
    lab.write_user_file(user, ".bash_logout", "printf 'Bye from the GPU server'\n")


def test_chatty_bash_startup_files_connect(accounts: Accounts, cli: Cli) -> None:
    account = accounts.get("chatty", BASH, chatty_bash)
    assert terminal_finds(accounts.lab, account) == f"{account.env_dir}/bin/jupyter"
    cli.add(account)
    url, page, stderr = cli.connect(open_page=True)
    assert TOKEN_LIKE not in url and TOKEN_LIKE not in stderr
    assert "/lab?token=" in url and b"JupyterLab" in page
    assert server_pid(url, accounts.lab, account.user)


def chatty_zsh(lab: LabServer, account: Account) -> None:
    env = env_link(lab, account, "sw/jupyter")
    noise = homes.chatty_lines(TOKEN_LIKE)
    lab.write_user_file(account.user, ".zshenv", noise)
    lab.write_user_file(account.user, ".zprofile", "echo 'zprofile says hi'\nprint -n '\\e[?1h'\n")
    lab.write_user_file(account.user, ".zshrc", noise + f"path=({env}/bin $path)\n")
    lab.write_user_file(account.user, ".zlogout", "print -n 'zlogout says bye'\n")


def test_chatty_zsh_startup_files_find_and_start(accounts: Accounts, tmp_path: Path) -> None:
    account = accounts.get("zchatty", ZSH, chatty_zsh)
    assert terminal_finds(accounts.lab, account) == f"{account.env_dir}/bin/jupyter"
    session = open_session(accounts.lab, account.user, tmp_path)
    try:
        jm = manager(session)
        assert jm.list_servers() == []  # the fake server JSON is not taken for one
        server = jm.start()
        assert server.token != TOKEN_LIKE and len(server.token) >= 32
        assert jm.is_alive(server)
        assert [s.pid for s in jm.list_servers()] == [server.pid]
        assert jm.stop(server).value in ("rest", "term")
    finally:
        session.close()


# --- fish and tcsh users keep working; the terminal's PATH is used there too ------------


def fish_path(lab: LabServer, account: Account) -> None:
    env = env_link(lab, account, "envs/fish")
    lab.write_user_file(
        account.user,
        ".config/fish/config.fish",
        f"echo 'fish says hello'\nset -gx PATH {env}/bin $PATH\n",
    )


def tcsh_path(lab: LabServer, account: Account) -> None:
    env = env_link(lab, account, "envs/tcsh")
    lab.write_user_file(
        account.user, ".tcshrc", f"echo 'tcsh says hello'\nsetenv PATH {env}/bin:$PATH\n"
    )


@pytest.mark.parametrize(
    ("tag", "shell", "setup"), [("fish", FISH, fish_path), ("tcsh", TCSH, tcsh_path)]
)
def test_fish_and_tcsh_users(
    accounts: Accounts,
    tmp_path: Path,
    tag: str,
    shell: str,
    setup: Callable[[LabServer, Account], None],
) -> None:
    account = accounts.get(tag, shell, setup)
    assert terminal_finds(accounts.lab, account) == f"{account.env_dir}/bin/jupyter"
    assert list_as(accounts.lab, account, tmp_path) == []
    # and an explicit environment works whatever the shell
    assert list_as(accounts.lab, account, tmp_path, env=accounts.lab.jupyter_venv) == []


# --- what already works keeps working ---------------------------------------------------


def slow_banner(lab: LabServer, account: Account) -> None:
    homes.append_user_file(
        lab,
        account.user,
        ".profile",
        "echo 'Welcome to the GPU server!'\necho 'Disk quota: 12 GB of 50 GB used'\nsleep 2\n"
        f'PATH="{lab.jupyter_venv}/bin:$PATH"\n',
    )


def test_banner_and_slow_login_in_profile_connect(accounts: Accounts, cli: Cli) -> None:
    account = accounts.get("slow", BASH, slow_banner)
    cli.add(account)
    url, page, stderr = cli.connect(open_page=True)
    assert "/lab?token=" in url and b"JupyterLab" in page
    assert "warning" not in stderr.lower()


def sh_profile(lab: LabServer, account: Account) -> None:
    homes.append_user_file(
        lab,
        account.user,
        ".profile",
        f'echo "hello from dash"\nPATH="{lab.jupyter_venv}/bin:$PATH"\n',
    )


def test_bin_sh_login_shell_finds_starts_and_stops(accounts: Accounts, tmp_path: Path) -> None:
    account = accounts.get("dash", SH, sh_profile)
    session = open_session(accounts.lab, account.user, tmp_path)
    try:
        jm = manager(session)
        server = jm.find_or_start()
        assert server.pid in jupyter_pids(accounts.lab, account.user)
        assert jm.is_alive(server)
        assert jm.stop(server).value == "rest"
    finally:
        session.close()


def test_notebook7_when_the_profile_asks_for_notebook(accounts: Accounts, cli: Cli) -> None:
    accounts.lab.require_notebook7()
    account = accounts.get("nb7", BASH, nothing)
    cli.add(account, "--jupyter-env", accounts.lab.jupyter_venv, "--jupyter-app", "notebook")
    url, page, _ = cli.connect(open_page=True)
    assert "/tree?token=" in url
    assert b"Jupyter Notebook" in page or b"notebook" in page.lower()


def test_server_started_by_hand_is_found(accounts: Accounts, cli: Cli) -> None:
    account = accounts.get("byhand", BASH, nothing)
    lab = accounts.lab
    port = 18000 + os.getpid() % 1000
    by_hand = lab.ns_popen(
        [lab.jupyter_bin, "lab", "--no-browser", f"--port={port}", "--ip=127.0.0.1"],
        account.user,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        runtime = Path(account.user.home, ".local/share/jupyter/runtime")
        deadline = time.monotonic() + 60
        while not any(runtime.glob("jpserver-*.json")) and time.monotonic() < deadline:
            time.sleep(0.2)
        cli.add(account, "--jupyter-env", lab.jupyter_venv)
        before = set(jupyter_pids(lab, account.user))
        url, page, _ = cli.connect(open_page=True)
        assert set(jupyter_pids(lab, account.user)) == before  # nothing new started
        assert b"JupyterLab" in page or b"Jupyter" in page
        assert server_pid(url, lab, account.user) == by_hand.pid
    finally:
        by_hand.send_signal(signal.SIGTERM)
        by_hand.wait(20)


# --- forwarding turned off ----------------------------------------------------------------


@pytest.mark.parametrize("setting", ["DisableForwarding yes", "AllowTcpForwarding no"])
def test_forwarding_turned_off_says_so_before_starting_jupyter(
    accounts: Accounts, cli: Cli, setting: str
) -> None:
    lab = accounts.lab
    account = accounts.get("nofwd", BASH, nothing)
    port = lab.start_sshd_variant([setting])
    try:
        cli.add(account, "--jupyter-env", lab.jupyter_venv, port=port)
        sentence = cli.fails()
        documented("Server does not allow port forwarding", sentence)
        assert jupyter_pids(lab, account.user) == []  # no Jupyter left behind for nothing
    finally:
        lab.stop_sshd_variant(port)


# --- only Notebook 6 ----------------------------------------------------------------------


def test_notebook6_only_with_the_default_app_connects(accounts: Accounts, cli: Cli) -> None:
    lab = accounts.lab
    lab.require_notebook6()
    assert not Path(lab.notebook6_venv, "bin", "jupyter-lab").exists()
    account = accounts.get("nb6", BASH, nothing)
    cli.add(account, "--jupyter-env", lab.notebook6_venv)
    url, page, _ = cli.connect(open_page=True)
    assert "/tree?token=" in url, url
    assert b"Notebook" in page
    pid = server_pid(url, lab, account.user)
    # the classic Notebook 6 server writes nbserver-PID.json (jupyter_server: jpserver-)
    assert Path(account.user.home, f".local/share/jupyter/runtime/nbserver-{pid}.json").exists()


def test_notebook6_only_when_the_profile_insists_on_lab(accounts: Accounts, cli: Cli) -> None:
    lab = accounts.lab
    lab.require_notebook6()
    account = accounts.get("nb6lab", BASH, nothing)
    cli.add(account, "--jupyter-env", lab.notebook6_venv, "--jupyter-app", "lab")
    sentence = cli.fails()
    documented("JupyterLab not installed", sentence)


# --- issue 12, items 10 and 11: the log file, and environments others can write ----------


def test_log_file_symlink_is_not_followed_and_log_dir_is_private(
    accounts: Accounts, tmp_path: Path
) -> None:
    lab = accounts.lab
    account = accounts.get("logs", BASH, nothing)
    user = account.user
    victim = lab.write_user_file(user, "precious.txt", "keep me\n", mode=0o644)
    log_dir = Path(user.home, ".local/share/labtunnel")
    log_dir.mkdir(parents=True)
    log_dir.chmod(0o755)  # an existing, too open log folder
    os.chown(log_dir, user.uid, user.gid)
    os.chown(log_dir.parent, user.uid, user.gid)
    (log_dir / "jupyter-t.log").symlink_to(victim)
    os.lchown(log_dir / "jupyter-t.log", user.uid, user.gid)
    session = open_session(lab, user, tmp_path)
    try:
        server = manager(session, lab.jupyter_venv).start()
    finally:
        session.close()
    assert Path(victim).read_text() == "keep me\n"
    assert stat.S_IMODE(Path(victim).stat().st_mode) == 0o644
    log = log_dir / "jupyter-t.log"
    assert not log.is_symlink() and stat.S_IMODE(log.stat().st_mode) == 0o600
    assert stat.S_IMODE(log_dir.stat().st_mode) == 0o700
    assert server.pid in jupyter_pids(lab, user)


def test_log_dir_that_is_a_symlink_is_refused(accounts: Accounts, tmp_path: Path) -> None:
    lab = accounts.lab
    account = accounts.get("logdir", BASH, nothing)
    user = account.user
    elsewhere = Path(tempfile.mkdtemp(prefix=f"lt{os.getpid()}-elsewhere-"))
    try:
        elsewhere.chmod(0o777)
        share = Path(user.home, ".local/share")
        share.mkdir(parents=True)
        for path in (share.parent, share):
            os.chown(path, user.uid, user.gid)
        (share / "labtunnel").symlink_to(elsewhere)
        os.lchown(share / "labtunnel", user.uid, user.gid)
        session = open_session(lab, user, tmp_path)
        try:
            with pytest.raises(JupyterStartFailed) as caught:
                manager(session, lab.jupyter_venv).start()
        finally:
            session.close()
        assert caught.value.reason == "log_dir_unsafe"
        documented(
            "LabTunnel's log folder on the server is a symlink or someone else's",
            describe(caught.value).text,
        )
        assert list(elsewhere.iterdir()) == []
        assert jupyter_pids(lab, user) == []
    finally:
        shutil.rmtree(elsewhere, ignore_errors=True)


@pytest.fixture
def shared_dir(lab_server: LabServer) -> Iterator[Path]:
    """A folder outside every home, as /tmp/x on a shared server."""
    directory = Path(tempfile.mkdtemp(prefix=f"lt{os.getpid()}-shared-"))
    directory.chmod(0o755)
    try:
        yield directory
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def test_environment_others_can_write_is_warned_about(
    accounts: Accounts, cli: Cli, shared_dir: Path
) -> None:
    lab = accounts.lab
    account = accounts.get("shared", BASH, nothing)
    other = lab.require_other_user()
    planted = shared_dir / "planted"  # made by another user: they decide what runs
    planted.mkdir(mode=0o755)
    os.chown(planted, other.uid, other.gid)
    (planted / "venv").symlink_to(lab.jupyter_venv)
    open_dir = shared_dir / "open"  # world-writable: anyone can swap it
    open_dir.mkdir()
    open_dir.chmod(0o777)
    (open_dir / "venv").symlink_to(lab.jupyter_venv)
    cli.add(account, "--jupyter-env", str(planted / "venv"), name="planted")
    cli.add(account, "--jupyter-env", str(open_dir / "venv"), name="open")
    cli.add(account, "--jupyter-env", lab.jupyter_venv, name="fine")
    for name, path in (("planted", planted), ("open", open_dir)):
        _, _, stderr = cli.connect(name)
        warning = next((line for line in stderr.splitlines() if str(path) in line), "")
        documented(
            "Jupyter environment others can change (a warning; the connection goes on)",
            warning,
        )
    _, _, stderr = cli.connect("fine")
    assert "warning" not in stderr.lower(), stderr

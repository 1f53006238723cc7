"""The fake lab server: sshd and a jump-only sshd in a network namespace, real users, keys."""

from __future__ import annotations

import atexit
import dataclasses
import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import _proc, netns, owner, pam, users
from .errors import HarnessError, HarnessUnavailable, Teardown, unavailable
from .keys import ClientKeys, HostKeySet
from .netns import Namespace
from .sshd import SSHD, Sshd, SshdSettings
from .users import TestUser

DEFAULT_JUPYTER_VENV = "/opt/labtunnel-test/jupyter-venv"
JUPYTER_VENV_ENV = "LABTUNNEL_TEST_JUPYTER_VENV"
#: a server that only has the classic Notebook 6 (no JupyterLab, no Notebook 7)
DEFAULT_NOTEBOOK6_VENV = "/opt/labtunnel-test/notebook6-venv"
NOTEBOOK6_VENV_ENV = "LABTUNNEL_TEST_NOTEBOOK6_VENV"
NO_NETNS_ENV = "LABTUNNEL_HARNESS_NO_NETNS"  # "1" forces the loopback fallback (to test it)
JUMP_PORT = 2222
FIRST_VARIANT_PORT = 2300


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class _Runtime:
    """The mutable side of a LabServer: processes, namespace, users, temp dir."""

    workdir: Path
    pid: int = 0
    exec_prefix: list[str] = field(default_factory=list)
    ns: Namespace | None = None
    main: Sshd | None = None
    jump: Sshd | None = None
    variants: dict[int, Sshd] = field(default_factory=dict)
    popens: list[subprocess.Popen[Any]] = field(default_factory=list)
    user_names: list[str] = field(default_factory=list)
    authorized_lines: list[str] = field(default_factory=list)
    owner_fd: int | None = None
    ns_error: str = "not root"
    next_port: int = FIRST_VARIANT_PORT
    link_is_down: bool = False
    dropping: bool = False
    closed: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)

    def close(self, keep_logs_in: Path | None = None) -> None:
        with self.lock:
            if self.closed:
                return
            self.closed = True
        atexit.unregister(self.close)
        teardown = Teardown("lab server")
        for sshd in [*self.variants.values(), self.jump, self.main]:
            if sshd is not None:
                teardown.attempt(sshd.kill)
        for proc in self.popens:
            teardown.attempt(_proc.stop_popen, proc, 2)
        if self.ns is not None:
            teardown.attempt(self.ns.destroy)
        for name in self.user_names:
            teardown.attempt(users.delete_user, name)
        if keep_logs_in is not None:
            teardown.attempt(_copy_logs, self.workdir, keep_logs_in)
        shutil.rmtree(self.workdir, ignore_errors=True)
        if self.owner_fd is not None:
            owner.release(self.owner_fd, os.getpid())
        teardown.done()


def _copy_logs(workdir: Path, target: Path) -> None:
    target.mkdir(parents=True, exist_ok=True)
    for log in workdir.glob("*.log"):
        shutil.copy(log, target / log.name)


@dataclass(frozen=True)
class LabServer:
    """See the package docstring (tests/harness/__init__.py) for the whole API."""

    mode: str  # "netns", or "loopback" when network namespaces are not permitted
    host: str
    port: int
    netns: str | None
    host_key_fingerprints: dict[str, str]  # "ed25519"/"ecdsa"/"rsa" -> "SHA256:..."
    host_key_paths: dict[str, Path]  # private host keys (root only); public at PATH.pub
    host_public_keys: dict[str, str]  # "ed25519" -> "ssh-ed25519 AAAA..."
    user: TestUser
    other_user: TestUser | None  # None only in the non-root fallback
    keys: ClientKeys
    jump_target_host: str
    jump_target_port: int
    jump_target_fingerprints: dict[str, str]
    jump_target_public_keys: dict[str, str]
    jupyter_venv: str
    jupyter_bin: str
    notebook6_venv: str
    sshd_log: Path
    jump_sshd_log: Path
    password_auth: bool
    setup_seconds: float
    _rt: _Runtime = field(repr=False, compare=False)

    # --- requirements ---------------------------------------------------------------------

    def require_netns(self) -> None:
        if self.netns is None:
            unavailable(f"no network namespace (loopback fallback): {self._rt.ns_error}")

    def require_password_auth(self) -> None:
        if not self.password_auth:
            unavailable("password / keyboard-interactive auth needs root (real users + PAM)")

    def require_other_user(self) -> TestUser:
        if self.other_user is None:
            unavailable("a second user needs root")
        return self.other_user

    def require_jupyter(self) -> str:
        """The server-side ``jupyter`` (absolute path), or skip/fail when it is not built."""
        if not os.access(self.jupyter_bin, os.X_OK):
            unavailable(f"no Jupyter at {self.jupyter_bin}: run tests/run_all.sh once")
        return self.jupyter_bin

    def require_notebook7(self) -> str:
        """The Jupyter venv's ``jupyter``, which also has Notebook 7 (``jupyter notebook``)."""
        self.require_jupyter()
        if not os.access(f"{self.jupyter_venv}/bin/jupyter-notebook", os.X_OK):
            unavailable(f"no Notebook 7 in {self.jupyter_venv}: run tests/run_all.sh once")
        return self.jupyter_bin

    def require_notebook6(self) -> str:
        """``jupyter`` of a venv with only the classic Notebook 6: no JupyterLab in it."""
        jupyter = f"{self.notebook6_venv}/bin/jupyter"
        if not os.access(jupyter, os.X_OK):
            unavailable(f"no Notebook 6 venv at {self.notebook6_venv}: run tests/run_all.sh once")
        return jupyter

    # --- more users -----------------------------------------------------------------------

    def add_user(self, tag: str, *, shell: str = "/bin/bash") -> TestUser:
        """A new real user ``lt<pid>-<tag>`` with login shell ``shell`` (e.g. /usr/bin/zsh,
        /bin/sh), the same authorized keys and the main sshd (and its variants) letting it
        in. The home is Debian's skeleton (``.profile``, ``.bashrc`` with its guard).
        Removed at session end, or earlier with :meth:`remove_user`. Needs root."""
        if os.geteuid() != 0:
            unavailable("more users need root")
        name = users.extra_user_name(self._rt.pid, tag)
        user = users.create_user(name, self._rt.authorized_lines, shell=shell)
        with self._rt.lock:
            self._rt.user_names.append(name)
        return user

    def remove_user(self, user: TestUser) -> None:
        """Kill the user's processes and delete it (only users made by :meth:`add_user`)."""
        with self._rt.lock:
            extra = user.name.startswith(f"lt{self._rt.pid}-")
            if not extra or user.name not in self._rt.user_names:
                raise HarnessError(f"{user.name} was not made by add_user")
            self._rt.user_names.remove(user.name)
        users.delete_user(user.name)

    # --- running things on the server -----------------------------------------------------

    def _argv(
        self, argv: Sequence[str], user: TestUser | None, env: Mapping[str, str] | None
    ) -> list[str]:
        inner = list(argv)
        if env:
            inner = ["env", *(f"{k}={v}" for k, v in env.items()), *inner]
        if user is not None and os.geteuid() == 0:
            inner = [
                "setpriv",
                f"--reuid={user.uid}",
                f"--regid={user.gid}",
                "--init-groups",
                "--reset-env",
                "--",
                *inner,
            ]
        elif user is not None and user.uid != os.getuid():
            raise HarnessUnavailable(f"cannot run as {user.name} without root")
        return [*self._rt.exec_prefix, *inner]

    def ns_exec(
        self,
        argv: Sequence[str],
        user: TestUser | None = None,
        *,
        input: str | None = None,
        timeout: float = 60,
        check: bool = False,
        env: Mapping[str, str] | None = None,
        cwd: str | None = None,
    ) -> subprocess.CompletedProcess[str]:
        """Run ``argv`` on the lab server (inside the namespace), as root or as ``user``.

        As ``user``: clean login-like environment (HOME, USER, PATH...), cwd = home.
        ``env`` values go on a command line: never put secrets there (use ``input``).
        """
        result = subprocess.run(
            self._argv(argv, user, env),
            input=input,
            stdin=None if input is not None else subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=timeout,
            cwd=cwd or (user.home if user else None),
        )
        if check and result.returncode != 0:
            raise HarnessError(f"{argv!r} exited {result.returncode}: {result.stderr.strip()}")
        return result

    def ns_popen(
        self,
        argv: Sequence[str],
        user: TestUser | None = None,
        *,
        env: Mapping[str, str] | None = None,
        cwd: str | None = None,
        **popen_kwargs: Any,
    ) -> subprocess.Popen[Any]:
        """Start ``argv`` on the lab server; killed at session end if still running."""
        popen_kwargs.setdefault("stdin", subprocess.DEVNULL)
        proc: subprocess.Popen[Any] = subprocess.Popen(
            self._argv(argv, user, env), cwd=cwd or (user.home if user else None), **popen_kwargs
        )
        self._rt.popens.append(proc)
        return proc

    def write_user_file(
        self, user: TestUser, relative_path: str, content: str, mode: int = 0o644
    ) -> str:
        """Write ``~user/relative_path`` owned by the user (e.g. ``.profile``); return its path."""
        home = Path(user.home)
        path = home / relative_path
        missing = [p for p in reversed(path.parents) if p not in home.parents and not p.exists()]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content)
        path.chmod(mode)
        if os.geteuid() == 0:
            for item in [*missing, path]:
                os.chown(item, user.uid, user.gid)
        return str(path)

    # --- faults ---------------------------------------------------------------------------

    def _ns(self) -> Namespace:
        self.require_netns()
        assert self._rt.ns is not None
        return self._rt.ns

    def link_down(self) -> None:
        """Packets to and from the server vanish (no RST, no ICMP): a dead network."""
        self._ns().link_down()
        self._rt.link_is_down = True

    def link_up(self) -> None:
        self._ns().link_up()
        self._rt.link_is_down = False

    def drop_all(self) -> None:
        """nftables in the namespace drops every packet except its own loopback traffic."""
        self._ns().drop_all()
        self._rt.dropping = True

    def undrop(self) -> None:
        self._ns().undrop()
        self._rt.dropping = False

    def reset_faults(self) -> None:
        """Undo drop_all/link_down/kill_sshd; run after every test that used the lab server."""
        if self._rt.dropping:
            self.undrop()
        if self._rt.link_is_down:
            self.link_up()
        if not self._main.running:
            self._main.start()

    @property
    def _main(self) -> Sshd:
        assert self._rt.main is not None
        return self._rt.main

    @property
    def sshd_pid(self) -> int | None:
        return self._main.pid

    def kill_sshd(self) -> None:
        """SIGKILL the main sshd listener AND its per-connection sshd processes."""
        self._main.kill(sessions=True)

    def start_sshd(self) -> None:
        """Start the main sshd again after :meth:`kill_sshd` (same port, same host keys)."""
        self._main.start()

    def restart_sshd(self, *, kill_sessions: bool = True) -> None:
        """Kill and start the main sshd; ``kill_sessions=False`` keeps open sessions alive."""
        self._main.restart(sessions=kill_sessions)

    # --- more sshds -----------------------------------------------------------------------

    def start_sshd_variant(
        self,
        extra_config_lines: Sequence[str] = (),
        *,
        new_host_keys: bool = False,
        host_key_types: Sequence[str] | None = None,
        pam_config: str | None = None,
    ) -> int:
        """Start another sshd on the same host with ``extra_config_lines``; return its port.

        The lines take precedence over the harness defaults (e.g. ``AllowTcpForwarding no``,
        ``PasswordAuthentication no``; Match blocks are placed last). Host keys are the main
        sshd's unless ``new_host_keys`` (then see :meth:`variant_fingerprints`);
        ``host_key_types`` (e.g. ``["rsa"]``) keeps only those kinds.
        ``pam_config`` is the text of the /etc/pam.d/sshd this sshd sees (bind-mounted in a
        mount namespace of its own; the machine's file is untouched; needs root).
        Stopped at session end, or earlier with :meth:`stop_sshd_variant`.
        """
        rt = self._rt
        with rt.lock:
            if rt.ns is not None:
                port = rt.next_port
                rt.next_port += 1
            else:
                port = _free_port()
        host_keys = self._main.settings.host_keys
        if new_host_keys:
            host_keys = HostKeySet.create(rt.workdir / "hostkeys", f"variant{port}")
        if host_key_types is not None:
            host_keys = host_keys.only(host_key_types)
        settings = dataclasses.replace(
            self._main.settings,
            port=port,
            host_keys=host_keys,
            extra_lines=tuple(extra_config_lines),
        )
        prefix = list(rt.exec_prefix)
        if pam_config is not None:
            pam_file = rt.workdir / f"variant{port}.pam"
            pam_file.write_text(pam_config)
            prefix += pam.private_sshd_pam_argv(pam_file)
        sshd = Sshd(f"variant{port}", settings, rt.workdir, prefix)
        sshd.start()
        rt.variants[port] = sshd
        return port

    def variant_fingerprints(self, port: int) -> dict[str, str]:
        return dict(self._rt.variants[port].settings.host_keys.fingerprints)

    def variant_log(self, port: int) -> Path:
        return self._rt.variants[port].log_path

    def stop_sshd_variant(self, port: int) -> None:
        self._rt.variants.pop(port).kill()

    def sshd_sessions(self, port: int | None = None) -> list[int]:
        """PIDs of the per-connection sshd processes (a logged-in session has two: the
        privileged monitor and the user's) of the main sshd, or of the variant on ``port``."""
        sshd = self._main if port is None or port == self.port else self._rt.variants[port]
        return sshd.session_pids()

    def close(self, keep_logs_in: Path | None = None) -> None:
        """Tear everything down (idempotent); copy the sshd logs to ``keep_logs_in`` first."""
        self._rt.close(keep_logs_in)


def _reap_stale_dirs() -> None:
    """Remove the temp dirs of harness sessions that died (their PID is in the name)."""
    for path in Path(tempfile.gettempdir()).glob("labtunnel-*-*-*"):
        match = re.fullmatch(r"labtunnel-(?:harness|http)-(\d+)-\w+", path.name)
        if match and owner.is_dead(int(match.group(1))):
            shutil.rmtree(path, ignore_errors=True)


def start_lab_server() -> LabServer:
    """Build the lab server; raises HarnessUnavailable when this machine cannot host it."""
    started = time.monotonic()
    pid = os.getpid()
    if not os.access(SSHD, os.X_OK):
        raise HarnessUnavailable(f"openssh-server is not installed ({SSHD})")
    is_root = os.geteuid() == 0
    rt = _Runtime(workdir=Path(tempfile.mkdtemp(prefix=f"labtunnel-harness-{pid}-")), pid=pid)
    atexit.register(rt.close)
    try:
        return _build(rt, pid, is_root, started)
    except BaseException:
        rt.close()
        raise


def _build(rt: _Runtime, pid: int, is_root: bool, started: float) -> LabServer:
    if is_root:
        rt.owner_fd = owner.claim(pid)
        with netns.machine_lock():
            netns.reap_stale()
            users.reap_stale()
            _reap_stale_dirs()
        Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)
        try:
            if os.environ.get(NO_NETNS_ENV) == "1":
                raise HarnessUnavailable(f"{NO_NETNS_ENV}=1")
            rt.ns = Namespace.create(pid)
        except HarnessUnavailable as exc:
            rt.ns_error = str(exc)
    keys = ClientKeys.create(rt.workdir / "client-keys")
    rt.authorized_lines = list(keys.authorized_lines)
    main_keys = HostKeySet.create(rt.workdir / "hostkeys", "main")
    jump_keys = HostKeySet.create(rt.workdir / "hostkeys", "jump")

    other: TestUser | None = None
    if is_root:
        user = users.create_user(f"lt{pid}a", keys.authorized_lines)
        rt.user_names.append(user.name)
        other = users.create_user(f"lt{pid}b", keys.authorized_lines)
        rt.user_names.append(other.name)
        # lt<pid>-*: the users add_user makes later
        base = SshdSettings("0.0.0.0", 22, main_keys, (user.name, other.name, f"lt{pid}-*"))
    else:
        entry = pwd.getpwuid(os.getuid())
        user = TestUser(entry.pw_name, "", entry.pw_dir, entry.pw_uid, entry.pw_gid)
        auth_file = rt.workdir / "authorized_keys"
        auth_file.write_text("".join(line + "\n" for line in keys.authorized_lines))
        base = SshdSettings(
            "127.0.0.1",
            0,
            main_keys,
            (user.name,),
            use_pam=False,
            authorized_keys_file=str(auth_file),
            strict_modes=False,
        )

    if rt.ns is not None:
        rt.exec_prefix = rt.ns.exec_argv([])
        host, main_port, jump_port = rt.ns.ns_ip, 22, JUMP_PORT
    else:
        host, main_port, jump_port = "127.0.0.1", _free_port(), _free_port()
        base = dataclasses.replace(base, listen_host="127.0.0.1")
    rt.main = Sshd("main", dataclasses.replace(base, port=main_port), rt.workdir, rt.exec_prefix)
    rt.jump = Sshd(
        "jump",
        dataclasses.replace(base, listen_host="127.0.0.1", port=jump_port, host_keys=jump_keys),
        rt.workdir,
        rt.exec_prefix,
    )
    rt.main.start()
    rt.jump.start()

    venv = os.environ.get(JUPYTER_VENV_ENV) or DEFAULT_JUPYTER_VENV
    return LabServer(
        mode="netns" if rt.ns is not None else "loopback",
        host=host,
        port=main_port,
        netns=rt.ns.name if rt.ns is not None else None,
        host_key_fingerprints=dict(main_keys.fingerprints),
        host_key_paths=dict(main_keys.paths),
        host_public_keys=dict(main_keys.public_keys),
        user=user,
        other_user=other,
        keys=keys,
        jump_target_host="127.0.0.1",
        jump_target_port=jump_port,
        jump_target_fingerprints=dict(jump_keys.fingerprints),
        jump_target_public_keys=dict(jump_keys.public_keys),
        jupyter_venv=venv,
        jupyter_bin=f"{venv}/bin/jupyter",
        notebook6_venv=os.environ.get(NOTEBOOK6_VENV_ENV) or DEFAULT_NOTEBOOK6_VENV,
        sshd_log=rt.main.log_path,
        jump_sshd_log=rt.jump.log_path,
        password_auth=is_root,
        setup_seconds=time.monotonic() - started,
        _rt=rt,
    )

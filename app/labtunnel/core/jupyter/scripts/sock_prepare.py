# Runs on the server (any python 3.6+, stdlib only): sock_prepare.py PROBE_NAME
# Makes the private folder for Jupyter's Unix socket and starts a short-lived listener in
# it, so LabTunnel can check that sshd forwards to sockets there before Jupyter starts.
# The folder is ~/.local/share/labtunnel/run (it outlives the login session, unlike
# $XDG_RUNTIME_DIR, which systemd removes at logout), else $XDG_RUNTIME_DIR/labtunnel when
# the home's path is too long for a socket address. Mode 0700, owned by the user, not a
# symlink: otherwise it is not used. Sockets of Jupyters that are gone are removed.
# Prints "<marker>SOCKDIR DIR" and "<marker>PROBE PATH", or "<marker>SOCK-UNUSABLE REASON".
import contextlib
import errno
import os
import socket
import stat
import sys
from pathlib import Path

#: this run's marker (run_script's), from the calling script
MARK = os.environ.get("LT_M", "@@LT:")

# sun_path holds 108 bytes on Linux, 104 on macOS and the BSDs
MAX_PATH = 100
NAME_ROOM = len("/jupyter-0123456789ab.sock")


def private_dir(path):
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        info = path.lstat()
        if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid():
            return False
        if stat.S_IMODE(info.st_mode) != 0o700:
            path.chmod(0o700)
        return stat.S_IMODE(path.lstat().st_mode) == 0o700
    except OSError:
        return False


def remove_stale(folder):
    for path in folder.iterdir():
        if not path.name.startswith(("jupyter-", "probe-")):
            continue
        try:
            if not stat.S_ISSOCK(path.lstat().st_mode):
                continue
            probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            probe.settimeout(1)
            try:
                probe.connect(str(path))
            finally:
                probe.close()
        except OSError as exc:
            if exc.errno == errno.ECONNREFUSED:  # nobody listens: left by a dead server
                with contextlib.suppress(OSError):
                    path.unlink()


def listen(path):
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    old = os.umask(0o177)
    try:
        listener.bind(str(path))
    finally:
        os.umask(old)
    listener.listen(1)
    return listener


def serve_once_then_exit(listener, path):
    """In a child detached from the SSH command: wait for LabTunnel's channel (or 15 s)."""
    if os.fork():
        return
    try:
        os.setsid()
        devnull = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(devnull, fd)
        listener.settimeout(15)
        try:
            conn, _ = listener.accept()
            conn.close()
        except OSError:
            pass
    finally:
        with contextlib.suppress(OSError):
            path.unlink()
        os._exit(0)


def main():
    probe_name = sys.argv[1]
    candidates = [Path.home() / ".local" / "share" / "labtunnel" / "run"]
    runtime = os.environ.get("XDG_RUNTIME_DIR", "")
    if runtime.startswith("/"):
        candidates.append(Path(runtime) / "labtunnel")
    reason = "too_long"
    for folder in candidates:
        if len(str(folder).encode()) + NAME_ROOM > MAX_PATH:
            continue
        if not private_dir(folder):
            reason = "not_private"
            continue
        remove_stale(folder)
        path = folder / f"probe-{probe_name}.sock"
        try:
            listener = listen(path)
        except OSError:
            reason = "bind_failed"  # a file system without sockets (some network mounts)
            continue
        print(f"{MARK}SOCKDIR {folder}")
        print(f"{MARK}PROBE {path}")
        sys.stdout.flush()
        serve_once_then_exit(listener, path)
        return
    print(MARK + "SOCK-UNUSABLE " + reason)


main()

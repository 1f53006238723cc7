# Runs on the server (any python 3.6+, stdlib only) with the token on stdin, never in argv.
#   jupyter_api.py list TARGET BASE_URL SCHEME SERVER_PID
#   jupyter_api.py shutdown TARGET BASE_URL SCHEME KERNEL_ID...
# TARGET is host:port, or the path of Jupyter's Unix socket. "list" prints one line,
# "<marker>KERNELS <json>": the user's kernels (REST: api/kernels, api/sessions) with the
# process ids of each kernel and its children, found among the user's OWN processes only
# (/proc entries owned by this uid whose command line names the kernel's connection file),
# and the CUDA_VISIBLE_DEVICES the Jupyter server runs with. "shutdown" asks Jupyter to
# shut the kernels down (DELETE api/kernels/ID) and prints "<marker>SHUTDOWN ID STATUS" each.
import calendar
import http.client
import json
import os
import re
import socket
import ssl
import sys
import time
from pathlib import Path

#: this run's marker (run_script's), from the calling script
MARK = os.environ.get("LT_M", "@@LT:")


class UnixHTTPConnection(http.client.HTTPConnection):
    def __init__(self, path, timeout):
        http.client.HTTPConnection.__init__(self, "127.0.0.1", timeout=timeout)
        self.socket_path = path

    def connect(self):
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(self.timeout)
        sock.connect(self.socket_path)
        self.sock = sock


def connection(target, scheme):
    if target.startswith("/"):
        return UnixHTTPConnection(target, 10)
    host, _, port = target.rpartition(":")
    host = host.strip("[]")
    if scheme == "https":
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        return http.client.HTTPSConnection(host, int(port), timeout=10, context=context)
    return http.client.HTTPConnection(host, int(port), timeout=10)


def call(target, scheme, token, method, path):
    conn = connection(target, scheme)
    headers = {"Host": "127.0.0.1"}
    if token:
        headers["Authorization"] = "token " + token
    try:
        conn.request(method, path, headers=headers)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def seconds_since(stamp, now):
    match = re.match(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)", stamp or "")
    if not match or not (stamp.endswith("Z") or stamp.endswith("+00:00")):
        return None
    then = calendar.timegm(time.strptime(match.group(1), "%Y-%m-%dT%H:%M:%S"))
    return max(0.0, now - then)


def own_processes():
    """pid -> (parent pid, command line) of this user's processes."""
    mine = {}
    uid = os.getuid()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if entry.stat().st_uid != uid:
                continue
            stat = (entry / "stat").read_bytes().decode("utf-8", "replace")
            cmdline = (entry / "cmdline").read_bytes().decode("utf-8", "replace").split("\0")
        except OSError:
            continue
        # the command name in stat is in parentheses and may contain anything
        fields = stat[stat.rfind(")") + 2 :].split()
        mine[int(entry.name)] = (int(fields[1]) if len(fields) > 1 else 0, cmdline)
    return mine


def kernel_pids(kernel_ids, processes):
    """kernel id -> its process and their descendants (the user's own only)."""
    found = {kernel_id: set() for kernel_id in kernel_ids}
    for pid, (_, cmdline) in processes.items():
        for word in cmdline:
            base = word.rsplit("/", 1)[-1]
            if base.startswith("kernel-") and base.endswith(".json"):
                kernel_id = base[len("kernel-") : -len(".json")]
                if kernel_id in found:
                    found[kernel_id].add(pid)
    children = {}
    for pid, (parent, _) in processes.items():
        children.setdefault(parent, []).append(pid)
    for pids in found.values():
        todo = list(pids)
        while todo:
            for child in children.get(todo.pop(), []):
                if child not in pids:
                    pids.add(child)
                    todo.append(child)
    return {kernel_id: sorted(pids) for kernel_id, pids in found.items()}


def server_cuda(server_pid):
    """(known, value) of CUDA_VISIBLE_DEVICES in the Jupyter server's environment."""
    if not server_pid.isdigit():
        return False, None
    process = Path("/proc", server_pid)
    try:
        if process.stat().st_uid != os.getuid():
            return False, None
        environ = (process / "environ").read_bytes().split(b"\0")
    except OSError:
        return False, None
    for entry in environ:
        if entry.startswith(b"CUDA_VISIBLE_DEVICES="):
            return True, entry.split(b"=", 1)[1].decode("utf-8", "replace")
    return True, None


def list_kernels(target, base, scheme, token, server_pid):
    report = {"kernels": [], "error": ""}
    report["server_cuda_known"], report["server_cuda"] = server_cuda(server_pid)
    try:
        status, body = call(target, scheme, token, "GET", base + "api/kernels")
        if status != 200:
            report["error"] = f"http {status}"
            return report
        kernels = json.loads(body.decode("utf-8"))
        status, body = call(target, scheme, token, "GET", base + "api/sessions")
        sessions = json.loads(body.decode("utf-8")) if status == 200 else []
    except Exception as exc:
        report["error"] = type(exc).__name__
        return report
    now = time.time()
    notebooks = {}
    for session in sessions:
        kernel = session.get("kernel") or {}
        notebooks[kernel.get("id")] = session.get("path") or session.get("name") or ""
    pids = kernel_pids([k.get("id") for k in kernels], own_processes())
    for kernel in kernels:
        kernel_id = kernel.get("id") or ""
        report["kernels"].append(
            {
                "id": kernel_id,
                "name": kernel.get("name") or "",
                "notebook": notebooks.get(kernel_id, ""),
                "execution_state": kernel.get("execution_state") or "",
                "connections": kernel.get("connections") or 0,
                "last_activity": kernel.get("last_activity") or "",
                "idle_seconds": seconds_since(kernel.get("last_activity"), now),
                "pids": pids.get(kernel_id, []),
            }
        )
    return report


def main():
    action, target, base, scheme = sys.argv[1:5]
    token = sys.stdin.read().strip()
    if action == "list":
        report = list_kernels(target, base, scheme, token, (sys.argv[5:] or [""])[0])
        print(MARK + "KERNELS " + json.dumps(report, separators=(",", ":")))
        return
    for kernel_id in sys.argv[5:]:
        if not re.match(r"^[A-Za-z0-9-]+$", kernel_id):
            print(f"{MARK}SHUTDOWN {kernel_id} 0")
            continue
        try:
            status, _ = call(target, scheme, token, "DELETE", base + "api/kernels/" + kernel_id)
        except Exception:
            status = 0
        print(f"{MARK}SHUTDOWN {kernel_id} {status}")


main()

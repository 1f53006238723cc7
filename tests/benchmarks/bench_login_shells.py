"""What taking on the terminal's environment costs per remote script, on the harness's server.

    sudo .venv/bin/python tests/benchmarks/bench_login_shells.py [--runs 15]

For a bash user (Debian's skeleton files), a zsh user (a .zshrc with compinit, as most zsh
setups have) and a bash user with a ``conda init`` block (the harness's stand-in conda:
its hook is a shell script, a real conda's hook runs Python and adds 0.3-1 s): the shell's
own start (``zsh -i -l -c true`` vs ``bash -l -c true``, run in the namespace), and a
trivial script over SSH as LabTunnel sends it now (``exec /bin/sh -s`` + login_env.sh)
against the command it sent before (``bash -l -s``). Medians in milliseconds, as JSON.
"""

from __future__ import annotations

import argparse
import functools
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "app"))

from tests.harness import LabServer, TestUser, homes, start_lab_server  # noqa: E402

from labtunnel.core.profiles.model import AuthMethod  # noqa: E402
from labtunnel.core.ssh.auth import Credentials  # noqa: E402
from labtunnel.core.ssh.hostkeys import HostKeyStore  # noqa: E402
from labtunnel.core.ssh.remote import run_script  # noqa: E402
from labtunnel.core.ssh.session import SshEndpoint, SshSession  # noqa: E402

#: what LabTunnel sent before it took on the terminal's environment
OLD_SCRIPT = b'{\necho "@@LT:OK"\n} </dev/null\n'
OLD_COMMAND = (
    "exec sh -c 'if command -v bash >/dev/null 2>&1; then exec bash -l -s; fi; exec sh -l -s'"
)


def median_ms(runs: int, step: Callable[[], object]) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        step()
        times.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(times), 1)


def session_for(lab: LabServer, user: TestUser, known_hosts: Path) -> SshSession:
    endpoint = SshEndpoint(
        host=lab.host,
        port=lab.port,
        username=user.name,
        auth=AuthMethod.KEY,
        key_path=str(lab.keys.ed25519),
        pinned_fingerprints=tuple(lab.host_key_fingerprints.values()),
        connect_timeout=10,
    )
    return SshSession.open(endpoint, Credentials(), HostKeyStore(known_hosts))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    lab = start_lab_server()
    figures: dict[str, dict[str, float]] = {}
    try:
        bash = lab.add_user("bbash")
        zsh = lab.add_user("bzsh", shell="/usr/bin/zsh")
        lab.write_user_file(zsh, ".zshrc", "autoload -Uz compinit && compinit -u\n")
        conda = lab.add_user("bconda")
        root = homes.install_conda(lab, conda, "miniconda3", {"ml": lab.jupyter_venv})
        homes.append_user_file(
            lab, conda, ".bashrc", homes.CONDA_INIT_BASH.format(root=root) + "conda activate ml\n"
        )
        baseline = median_ms(args.runs, lambda: lab.ns_exec(["true"], bash, check=True))
        shells = {
            "bash -l": ("/bin/bash", ["-l"], bash),
            "bash -i -l": ("/bin/bash", ["-i", "-l"], bash),
            "zsh -i -l": ("/usr/bin/zsh", ["-i", "-l"], zsh),
            "bash -i -l, conda init": ("/bin/bash", ["-i", "-l"], conda),
        }
        starts: dict[str, float] = {}
        for label, (shell, options, user) in shells.items():
            argv = [shell, *options, "-c", "true"]
            starts[label] = round(
                median_ms(args.runs, functools.partial(lab.ns_exec, argv, user)) - baseline, 1
            )
        figures["shell start (ms, less setpriv/nsenter)"] = starts
        script = 'echo "${lt_m}OK"\n'
        over_ssh: dict[str, float] = {}
        with tempfile.TemporaryDirectory() as tmp:
            for label, user in (("bash", bash), ("zsh", zsh), ("bash + conda init", conda)):
                with session_for(lab, user, Path(tmp) / "known_hosts") as session:
                    now = functools.partial(run_script, session, script, timeout=20)
                    before = functools.partial(
                        session.run, OLD_COMMAND, timeout=20, stdin=OLD_SCRIPT
                    )
                    over_ssh[f"{label}: now"] = median_ms(args.runs, now)
                    over_ssh[f"{label}: before (bash -l -s)"] = median_ms(args.runs, before)
        figures["one script over SSH (ms)"] = over_ssh
    finally:
        lab.close()
    print(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""What ``labtunnel connect`` may import: its start costs what it imports (issue 13: the
click). Shared by tests/unit/test_cli_imports.py (the imports at the modules' tops) and
tests/integration/test_cli_real.py (a real connect, through to its first request)."""

from __future__ import annotations

#: every LabTunnel module a connect loads. A module missing here made its way onto the
#: connect's path: import it where it is used (inside the function), or add it here if
#: a connect needs it
CONNECT_MODULES = frozenset(
    {
        "labtunnel",
        "labtunnel.cli",
        "labtunnel.cli.connect_cmd",
        "labtunnel.cli.output",
        "labtunnel.core",
        "labtunnel.core.context",
        "labtunnel.core.errors",
        "labtunnel.core.events",
        "labtunnel.core.jupyter",
        "labtunnel.core.jupyter.env",
        "labtunnel.core.jupyter.gpus",
        "labtunnel.core.jupyter.launch",
        "labtunnel.core.jupyter.manager",
        "labtunnel.core.jupyter.parsing",
        "labtunnel.core.jupyter.scripts",
        "labtunnel.core.jupyter.server",
        "labtunnel.core.jupyter.sockets",
        "labtunnel.core.logs",
        "labtunnel.core.platform",
        "labtunnel.core.platform.atomic",
        "labtunnel.core.platform.browser",
        "labtunnel.core.platform.paths",
        "labtunnel.core.platform.private",
        "labtunnel.core.profiles",
        "labtunnel.core.profiles.model",
        "labtunnel.core.profiles.remembered",
        "labtunnel.core.profiles.secrets",
        "labtunnel.core.profiles.slurm",
        "labtunnel.core.profiles.store",
        "labtunnel.core.server",
        "labtunnel.core.server.stats",
        "labtunnel.core.ssh",
        "labtunnel.core.ssh.auth",
        "labtunnel.core.ssh.cancel",
        "labtunnel.core.ssh.fast",
        "labtunnel.core.ssh.fast.kexfix",
        "labtunnel.core.ssh.fast.packetizer",
        "labtunnel.core.ssh.fast.primitives",
        "labtunnel.core.ssh.fast.streamlocal",
        "labtunnel.core.ssh.fast.transport",
        "labtunnel.core.ssh.fast.tuning",
        "labtunnel.core.ssh.hops",
        "labtunnel.core.ssh.hostkeys",
        "labtunnel.core.ssh.keepalive",
        "labtunnel.core.ssh.keys",
        "labtunnel.core.ssh.remote",
        "labtunnel.core.ssh.session",
        "labtunnel.core.tunnel",
        "labtunnel.core.tunnel.extras",
        "labtunnel.core.tunnel.forwarder",
        "labtunnel.core.tunnel.known",
        "labtunnel.core.tunnel.reconnect",
        "labtunnel.core.tunnel.tunnel",
        "labtunnel.messages",
        "labtunnel.messages.base",
        "labtunnel.messages.browser",
        "labtunnel.messages.glance",
        "labtunnel.messages.jupyter",
        "labtunnel.messages.slurm",
        "labtunnel.messages.steps",
        "labtunnel.messages.tunnel",
    }
)

#: other packages a connect must never load: Qt (the CLI never imports it), the keyring
#: for a key without passphrase (asked only when a login needs a secret), and what
#: paramiko would load to run ssh_config "Match exec" commands
NEVER = ("PySide6", "shiboken6", "keyring", "secretstorage", "jeepney", "invoke")

#: ``python -c RUN_CLI OUT ARGS...`` runs ``labtunnel ARGS...`` and, when it exits, writes
#: the modules it loaded to the file OUT, one a line
RUN_CLI = (
    "import atexit, sys\n"
    "out = sys.argv.pop(1)\n"
    "def dump():\n"
    "    with open(out, 'w') as f:\n"
    "        f.write('\\n'.join(n for n, m in sorted(sys.modules.items()) if m is not None))\n"
    "atexit.register(dump)\n"
    "from labtunnel.cli import main\n"
    "sys.exit(main(sys.argv[1:]))\n"
)


def problems(modules: set[str]) -> list[str]:
    """What is wrong with the modules a connect loaded, in words (empty: nothing)."""
    ours = {m for m in modules if m == "labtunnel" or m.startswith("labtunnel.")}
    found = [f"connect imports {m}, which it does not need" for m in sorted(ours - CONNECT_MODULES)]
    found += [f"connect imports {m}" for m in sorted(modules) if m.split(".")[0] in NEVER]
    return found

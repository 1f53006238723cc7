# Writes the Jupyter config file of a Slurm job (mode 0600): a token that is always set,
# made here, so it never appears on a command line or in an environment. The config file
# is loaded after the user's own, so a config that turns the token off cannot win.
# Argument: the file to write.
import os
import secrets
import sys


def jupyter_server_major():
    try:
        from importlib import metadata  # Python 3.8+: no need to import jupyter_server
    except ImportError:
        metadata = None
    try:
        if metadata is not None:
            version = metadata.version("jupyter_server")
        else:
            import jupyter_server

            version = jupyter_server.__version__
        return int(version.split(".")[0])
    except Exception:  # not installed (Notebook 6), or a version we cannot read
        return 0


major = jupyter_server_major()
# where the token is configured: jupyter_server 2, jupyter_server 1, Notebook 6
owner = "IdentityProvider" if major >= 2 else "ServerApp" if major == 1 else "NotebookApp"
fd = os.open(sys.argv[1], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
with os.fdopen(fd, "w") as handle:
    handle.write("c = get_config()  # noqa: F821  (written by LabTunnel)\n")
    handle.write(f"c.{owner}.token = {secrets.token_hex(24)!r}\n")

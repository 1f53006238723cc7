# The address Jupyter listens on in a Slurm job: the node's cluster address, the one
# Slurm itself reaches the node at (NodeAddr), else what the node's name resolves to.
# Never a loopback address: the login node forwards to it. Argument: the node's name.
# (Python 3.6 and later: compute nodes run what the cluster has.)
import ipaddress
import socket
import subprocess
import sys


def usable(text):
    try:
        ip = ipaddress.ip_address(text)
    except ValueError:
        return False
    return not (ip.is_loopback or ip.is_unspecified or ip.is_link_local)


names = []
if len(sys.argv) > 1 and sys.argv[1]:
    try:
        out = subprocess.run(
            ["scontrol", "--oneliner", "show", "node", sys.argv[1]],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            universal_newlines=True,  # noqa: UP021  (Python 3.6 on old clusters)
            timeout=15,
            check=False,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        out = ""
    names += [field[len("NodeAddr=") :] for field in out.split() if field.startswith("NodeAddr=")]
names.append(socket.gethostname())
for name in names:
    try:
        infos = socket.getaddrinfo(name, None, type=socket.SOCK_STREAM)
    except OSError:
        continue
    for family in (socket.AF_INET, socket.AF_INET6):
        for info in infos:
            if info[0] == family and usable(info[4][0]):
                print(info[4][0])
                sys.exit(0)
sys.exit(1)

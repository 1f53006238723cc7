# A free TCP port on the given address (the node's cluster address).
import socket
import sys

family = socket.AF_INET6 if ":" in sys.argv[1] else socket.AF_INET
with socket.socket(family) as sock:
    sock.bind((sys.argv[1], 0))
    print(sock.getsockname()[1])

# Runs on the server (any python 3) with the token on stdin, never in argv: one request
# to Jupyter; prints "HTTP <status>" (0 and the exception's name when it fails).
import http.client
import socket
import ssl
import sys

host, port, path, scheme, method = sys.argv[1:6]
token = sys.stdin.read().strip()
conn: http.client.HTTPConnection
if host.startswith("/"):  # Jupyter on a Unix socket

    class UnixConnection(http.client.HTTPConnection):
        def connect(self) -> None:
            self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            self.sock.settimeout(self.timeout)
            self.sock.connect(host)

    conn = UnixConnection("127.0.0.1", timeout=5)
elif scheme == "https":
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    conn = http.client.HTTPSConnection(host, int(port), timeout=5, context=context)
else:
    conn = http.client.HTTPConnection(host, int(port), timeout=5)
headers = {"Host": "127.0.0.1"}
if token:
    headers["Authorization"] = "token " + token
try:
    conn.request(method, path, headers=headers)
    print("HTTP", conn.getresponse().status)
except Exception as exc:
    print("HTTP 0", type(exc).__name__)

"""SSH: one verified, authenticated session (host-key trust, login, keepalives), jump-host
chains, and running scripts on the server. paramiko internals live only in :mod:`.fast`."""

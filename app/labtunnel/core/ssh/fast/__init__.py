"""Everything that reaches into paramiko's private attributes, for speed or to work around
its bugs. A probe at import switches each piece off when paramiko changes under it."""

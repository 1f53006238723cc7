"""The user's own Jupyter on the lab server: the shell scripts that find and start it,
parsing what they print, and the manager a tunnel uses."""

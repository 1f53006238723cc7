"""Where LabTunnel keeps its files on each OS, atomic file writes, launch at login."""

"""LabTunnel: reach Jupyter on a lab server from the system tray."""

__version__ = "0.1.0"
APP_NAME = "LabTunnel"

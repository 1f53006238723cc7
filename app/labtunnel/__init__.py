"""LabTunnel: reach Jupyter on a lab server from the system tray."""

__version__ = "0.1.0"
APP_NAME = "LabTunnel"
#: the GitHub repository whose Releases hold the installers (README's download link, the
#: opt-in update check); the release workflow refuses a tag built anywhere else
RELEASES_REPOSITORY = "labtunnel/labtunnel"

"""LabTunnel: reach Jupyter on a lab server from the system tray."""

import sys

# paramiko imports invoke only to run the commands of ssh_config "Match exec" lines,
# which LabTunnel never runs (core/profiles/sshconfig.py drops those blocks before
# paramiko sees them). Not loading it takes ~40 ms off every start (invoke pulls in
# asyncio and unittest), and paramiko cannot run such a command in this process.
sys.modules.setdefault("invoke", None)  # type: ignore[arg-type]

__version__ = "0.1.0"
APP_NAME = "LabTunnel"
#: the GitHub repository whose Releases hold the installers (README's download link, the
#: opt-in update check); the release workflow refuses a tag built anywhere else
RELEASES_REPOSITORY = "labtunnel/labtunnel"

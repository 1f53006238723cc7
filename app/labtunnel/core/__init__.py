"""Qt-free core of LabTunnel: usable from the CLI, tests and any front end."""

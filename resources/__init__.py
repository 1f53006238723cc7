"""LabTunnel's icons, translations, desktop entry and MIME type, as package data.

The build maps this folder into the package as ``labtunnel.resources`` (see pyproject.toml);
``labtunnel.ui.resources`` reads it through ``importlib.resources``.
"""

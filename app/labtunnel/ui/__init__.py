"""The Qt tray front end: the only package that imports PySide6."""

"""Renders resources/icons/labtunnel.svg into the icon files installers need.

``python packaging/make_icons.py OUT_DIR`` writes labtunnel.png (1024 px) and, when
Pillow is installed, labtunnel.ico (Windows) and labtunnel.icns (macOS). Qt renders the
SVG (offscreen), so the icon is the same one the app shows.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SVG = ROOT / "resources" / "icons" / "labtunnel.svg"
ICO_SIZES = [(16, 16), (24, 24), (32, 32), (48, 48), (64, 64), (128, 128), (256, 256)]


def render_png(svg: Path, out: Path, size: int = 1024) -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    app = QGuiApplication.instance() or QGuiApplication(["make_icons"])
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"make_icons: cannot read {svg}")
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    renderer.render(painter)
    painter.end()
    if not image.save(str(out)):
        raise SystemExit(f"make_icons: cannot write {out}")
    del app


def main(out_dir: Path) -> int:
    out_dir.mkdir(parents=True, exist_ok=True)
    png = out_dir / "labtunnel.png"
    render_png(SVG, png)
    try:
        from PIL import Image
    except ImportError:
        print("make_icons: Pillow is not installed: wrote only the PNG", file=sys.stderr)
        return 0
    with Image.open(png) as image:
        image.save(out_dir / "labtunnel.ico", sizes=ICO_SIZES)
        image.save(out_dir / "labtunnel.icns")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "build" / "icons"))

#!/usr/bin/env python3
"""Render the app icon SVG into the PNG sizes desktops look up (hicolor theme).

    .venv/bin/python scripts/render-icons.py     # writes resources/icons/hicolor/

The PNGs are committed, so neither a build nor an install needs Qt's SVG
renderer; run this again after editing resources/icons/pypac-mixer.svg.
Uses PySide6 (QtSvg + QtGui) on the offscreen platform: no display needed.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "resources" / "icons" / "pypac-mixer.svg"
THEME_DIR = ROOT / "resources" / "icons" / "hicolor"
APP_ID = "org.pypac.PyPAC"  # icons are named after the app id, as AppStream and Flatpak expect
SIZES = (16, 24, 32, 48, 64, 128, 256)


def png_path(size: int) -> Path:
    return THEME_DIR / f"{size}x{size}" / "apps" / f"{APP_ID}.png"


def render(size: int) -> bytes:
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(str(SOURCE))
    if not renderer.isValid():
        raise SystemExit(f"render-icons: cannot read {SOURCE}")
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")  # type: ignore[call-overload]
    return bytes(data.data())


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QGuiApplication

    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])  # noqa: F841 - keeps Qt up
    for size in SIZES:
        path, data = png_path(size), render(size)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        print(f"render-icons: {path.relative_to(ROOT)} ({len(data)} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

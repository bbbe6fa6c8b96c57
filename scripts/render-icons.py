#!/usr/bin/env python3
"""Render the app icon SVG into the PNG sizes desktops look up, and a Windows .ico.

    .venv/bin/python scripts/render-icons.py
        -> resources/icons/hicolor/<N>x<N>/apps/org.pypac.PyPAC.png  (Linux menus, the wheel)
        -> packaging/pypac-mixer.ico  (the frozen Windows .exe's icon: the same PNGs inside)

The PNGs are committed, so neither a build nor an install needs Qt's SVG
renderer; run this again after editing resources/icons/pypac-mixer.svg.
Uses PySide6 (QtSvg + QtGui) on the offscreen platform: no display needed.
"""

from __future__ import annotations

import os
import struct
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "resources" / "icons" / "pypac-mixer.svg"
THEME_DIR = ROOT / "resources" / "icons" / "hicolor"
APP_ID = "org.pypac.PyPAC"  # icons are named after the app id, as AppStream and Flatpak expect
SIZES = (16, 24, 32, 48, 64, 128, 256)
WINDOWS_ICON = ROOT / "packaging" / "pypac-mixer.ico"


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


def ico_bytes(pngs: dict[int, bytes]) -> bytes:
    """An .ico holding PNG images (read by Windows Vista and later): a directory, then data."""
    header = struct.pack("<HHH", 0, 1, len(pngs))  # reserved, type 1 = icon, image count
    offset = len(header) + 16 * len(pngs)
    entries, blobs = b"", b""
    for size, data in sorted(pngs.items()):
        side = size if size < 256 else 0  # one byte per side: 0 means 256
        entries += struct.pack("<BBBBHHII", side, side, 0, 0, 1, 32, len(data), offset)
        blobs += data
        offset += len(data)
    return header + entries + blobs


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QGuiApplication

    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])  # noqa: F841 - keeps Qt up
    pngs = {size: render(size) for size in SIZES}
    for size, data in pngs.items():
        path = png_path(size)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        print(f"render-icons: {path.relative_to(ROOT)} ({len(data)} bytes)")
    WINDOWS_ICON.parent.mkdir(parents=True, exist_ok=True)
    WINDOWS_ICON.write_bytes(ico_bytes(pngs))
    print(f"render-icons: {WINDOWS_ICON.relative_to(ROOT)} ({len(pngs)} sizes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The tray icon's look: the app icon with a muted slash and a recording dot.

Drawn with QPainter at each size a tray asks for, so the marks stay crisp
from 16 px panels to 64 px docks; shapes, not only colours, tell the states
apart (a slash for muted, a dot for recording).
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPen, QPixmap

SIZES = (16, 22, 24, 32, 48, 64)
MUTED_RED = QColor("#e53935")
RECORD_RED = QColor("#d32f2f")
OUTLINE = QColor("#ffffff")


def tray_pixmap(base: QIcon, size: int, *, muted: bool, recording: bool) -> QPixmap:
    pm = QPixmap(size, size)
    pm.fill(Qt.GlobalColor.transparent)
    p = QPainter(pm)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    if muted:
        p.setOpacity(0.55)  # dimmed: nothing is heard
    base.paint(p, 0, 0, size, size)
    p.setOpacity(1.0)
    if muted:
        # A slash corner to corner, outlined so it shows on dark and light panels.
        a, b = QPointF(size * 0.12, size * 0.12), QPointF(size * 0.88, size * 0.88)
        for colour, width in ((OUTLINE, 0.22), (MUTED_RED, 0.13)):
            pen = QPen(colour, max(1.5, size * width))
            pen.setCapStyle(Qt.PenCapStyle.RoundCap)
            p.setPen(pen)
            p.drawLine(a, b)
    if recording:
        d = size * 0.44
        dot = QRectF(size - d - size * 0.02, size * 0.02, d, d)
        p.setPen(QPen(OUTLINE, max(1.0, size * 0.06)))
        p.setBrush(RECORD_RED)
        p.drawEllipse(dot)
    p.end()
    return pm


def tray_icon(base: QIcon, *, muted: bool, recording: bool) -> QIcon:
    icon = QIcon()
    for size in SIZES:
        icon.addPixmap(tray_pixmap(base, size, muted=muted, recording=recording))
    return icon

"""The strip's live waveform: a min/max envelope drawn as one filled polygon.

Stock pyqtgraph PlotWidgets cost ~35% of a core for 8 strips at 60 fps here
(scene graph, bounds and axis work each frame), and importing pyqtgraph alone
takes ~0.35 s of the 1 s first-paint budget. This widget keeps the recipe that
makes pyqtgraph fast (a reused curve updated in place like `setData`, data
decimated to the pixel width as a min/max envelope, no antialiasing) and drops
the rest: one QPolygonF per strip whose points numpy writes in place.
"""

from __future__ import annotations

import numpy as np
import shiboken6
from PySide6.QtCore import QPointF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPolygonF, QResizeEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

from .levels import WaveBuffer, column_starts, reduce_envelope
from .theme import Theme


def _polygon_with_array(points: int) -> tuple[QPolygonF, np.ndarray]:
    """A QPolygonF and a writable (points, 2) float64 view of its memory."""
    poly = QPolygonF()
    poly.resize(points)
    # QPolygonF is a contiguous array of QPointF (two doubles); view it in place.
    raw = shiboken6.VoidPtr(poly.data(), points * 16, True)  # type: ignore[call-arg, arg-type]
    return poly, np.frombuffer(raw, dtype=np.float64).reshape(points, 2)  # type: ignore[call-overload]


class WaveformView(QWidget):
    def __init__(self, buffer: WaveBuffer, theme: Theme, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.buffer = buffer
        # We paint every pixel, so Qt need not clear behind us first.
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setFixedHeight(56)
        self.set_theme(theme)
        self._version = -1
        self._columns = 0
        self._poly, self._xy = _polygon_with_array(0)
        self.paints = 0  # paint events: the benchmark's frame count
        self.active = True

    def set_theme(self, theme: Theme) -> None:
        self._bg = QColor(theme.plot_bg)
        self._wave = QColor(theme.wave)
        self._dim = QColor(theme.dim_text)
        self._mid = QColor(theme.border)
        self.update()

    def set_active(self, active: bool) -> None:
        """Greyed-out strips draw their last envelope dimmed."""
        self.active = active
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(120, 56)

    def refresh(self) -> bool:
        """Schedule a repaint if the buffer has a newer envelope; True if so."""
        version = self.buffer.envelope()[2]
        if version == self._version:
            return False
        self._version = version
        self.update()
        return True

    def resizeEvent(self, event: QResizeEvent) -> None:
        self._columns = 0  # the polygon is rebuilt for the new width at the next paint
        super().resizeEvent(event)

    def _layout_polygon(self, columns: int) -> None:
        self._poly, self._xy = _polygon_with_array(2 * columns)
        self._starts = column_starts(self.buffer.buckets, columns)
        x = np.arange(columns, dtype=np.float64) * (self.width() / columns)
        self._xy[:columns, 0] = x
        self._xy[columns:, 0] = x[::-1]
        self._columns = columns

    def paintEvent(self, event: QPaintEvent) -> None:
        self.paints += 1
        w, h = self.width(), self.height()
        p = QPainter(self)
        p.fillRect(0, 0, w, h, self._bg)
        mid = h / 2
        p.setPen(self._mid)
        p.drawLine(QPointF(0, mid), QPointF(w, mid))
        lo, hi, _ = self.buffer.envelope()
        columns = min(w, len(lo))
        if columns < 2:
            return
        if columns != self._columns:
            self._layout_polygon(columns)
        lo_c, hi_c = reduce_envelope(lo, hi, self._starts)
        half = mid - 1
        top, bottom = self._xy[:columns, 1], self._xy[columns:, 1][::-1]  # views: written in place
        np.multiply(hi_c, -half, out=top)
        top += mid
        np.multiply(lo_c, -half, out=bottom)
        bottom += mid
        np.maximum(bottom, top + 1, out=bottom)  # a silent app still shows a 1 px line
        # Louder than full scale (the System mix can be) stays inside the widget.
        np.maximum(top, 0, out=top)
        np.minimum(bottom, h, out=bottom)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(self._wave if self.active else self._dim)
        p.drawPolygon(self._poly)

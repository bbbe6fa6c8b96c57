"""The strip's live waveform: a min/max envelope drawn as one filled polygon.

Stock pyqtgraph PlotWidgets cost ~35% of a core for 8 strips at 60 fps here
(scene graph, bounds and axis work each frame), and importing pyqtgraph alone
takes ~0.35 s of the 1 s first-paint budget. This widget keeps the recipe that
makes pyqtgraph fast (a reused curve updated in place like `setData`, data
decimated to the pixel width as a min/max envelope, no antialiasing) and drops
the rest: one QPolygonF per strip whose points numpy writes in place, drawn
with the other strips' in the one paint event of the `LiveSurface`.
"""

from __future__ import annotations

import numpy as np
import shiboken6
from PySide6.QtCore import QPoint, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPolygonF, QResizeEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

from .levels import WaveBuffer, column_starts
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
        self._drawn_silent = False  # the envelope drawn last was a flat line
        self._columns = 0
        self._poly, self._xy = _polygon_with_array(0)
        self._lo, self._hi, _ = buffer.window_at(0.0)
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
        self._drawn_silent = False  # repaint in the new colour
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(120, 56)

    def refresh(self, now: float) -> bool:
        """Take the window to show now; True if it moved (the `LiveSurface`
        then draws every visible strip in one paint event)."""
        lo, hi, position = self.buffer.window_at(now)
        if position == self._version:
            return False
        self._version = position
        silent = self.buffer.silent_window(position)
        if silent and self._drawn_silent:
            return False  # the same flat line: an idle mixer paints nothing
        self._lo, self._hi, self._drawn_silent = lo, hi, silent
        return True

    def resizeEvent(self, event: QResizeEvent) -> None:
        self._columns = 0  # the polygon is rebuilt for the new width at the next paint
        super().resizeEvent(event)

    def _layout_polygon(self, columns: int) -> None:
        self._poly, self._xy = _polygon_with_array(2 * columns)
        self._starts = column_starts(self.buffer.window, columns)
        x = np.arange(columns, dtype=np.float64) * (self.width() / columns)
        self._xy[:columns, 0] = x
        self._xy[columns:, 0] = x[::-1]
        self._columns = columns

    def columns(self) -> int:
        """Pixel columns drawn; lays the polygon out anew when the width changed."""
        columns = min(self.width(), self.buffer.window)
        if columns != self._columns and columns >= 2:
            self._layout_polygon(columns)
        return columns

    def paintEvent(self, event: QPaintEvent) -> None:
        # Only when Qt asks (first show, expose, not under the LiveSurface).
        draw_waveforms(QPainter(self), [(self, QPoint(0, 0))])

    def draw_laid_out(self, p: QPainter) -> None:
        """Draw at (0, 0) of `p`, once `draw_waveforms` wrote the polygon."""
        w, h = self.width(), self.height()
        p.fillRect(0, 0, w, h, self._bg)
        p.fillRect(0, h // 2, w, 1, self._mid)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(self._wave if self.active else self._dim)
        p.drawPolygon(self._poly)


def draw_waveforms(p: QPainter, views: list[tuple[WaveformView, QPoint]]) -> None:
    """Draw waveforms at their origins in `p`, with one batch of numpy for all
    of the same size (the strips' are): per-strip numpy calls were a large part
    of the mixer's CPU at 60 fps."""
    groups: dict[tuple[int, int], list[tuple[WaveformView, QPoint]]] = {}
    for view, origin in views:
        if view.columns() >= 2:
            groups.setdefault((view.columns(), view.height()), []).append((view, origin))
    for (columns, h), group in groups.items():
        starts = group[0][0]._starts
        lo = np.stack([v._lo for v, _ in group])
        hi = np.stack([v._hi for v, _ in group])
        if columns < lo.shape[1]:
            lo = np.minimum.reduceat(lo, starts, axis=1)
            hi = np.maximum.reduceat(hi, starts, axis=1)
        mid = h / 2
        half = mid - 1
        top = mid - hi * half
        bottom = np.maximum(mid - lo * half, top + 1)  # a silent app still shows a 1 px line
        # Louder than full scale (the System mix can be) stays inside the widget.
        np.clip(top, 0, h, out=top)
        np.clip(bottom, 0, h, out=bottom)
        for i, (view, origin) in enumerate(group):
            view._xy[:columns, 1] = top[i]
            view._xy[columns:, 1] = bottom[i, ::-1]
            p.translate(origin)
            view.draw_laid_out(p)
            p.translate(-origin)

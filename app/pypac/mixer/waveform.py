"""The strip's live waveform: a min/max envelope drawn with pyqtgraph.

pyqtgraph's fast path: a bare `GraphicsView` (no axes, menus or ViewBox) with
one `PlotCurveItem`, whose data is the envelope decimated to one column per
pixel and drawn as vertical segments (`connect="pairs"`: each column a line
from its minimum to its maximum, which fills the envelope), updated with
`setData(..., skipFiniteCheck=True)`, no antialiasing, a fixed range (no
auto-range) and the mouse off (the wheel goes on to the strip row). A flat
line already drawn is not drawn again, so an idle mixer paints nothing.
Until pyqtgraph is imported (after the window's first paint) the view paints
a plain background.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from PySide6.QtCore import QEvent, QObject, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QResizeEvent
from PySide6.QtWidgets import QSizePolicy, QVBoxLayout, QWidget

from . import plotting
from .levels import WaveBuffer, column_starts
from .theme import Theme

HEIGHT_PX = 56
#: Small windows shrink it down to this, before the strip's buttons go out of view.
MIN_HEIGHT_PX = 30


def envelope_pairs(lo: np.ndarray, hi: np.ndarray, columns: int, starts: np.ndarray) -> np.ndarray:
    """[top0, bottom0, top1, bottom1, ...]: one vertical segment per pixel column,
    in the view's units (-1..1, up is negative: screen y grows downwards)."""
    if columns < len(lo):
        lo = np.minimum.reduceat(lo, starts)
        hi = np.maximum.reduceat(hi, starts)
    y: np.ndarray = np.empty(2 * len(lo), np.float64)
    y[0::2] = -np.clip(hi, -1.0, 1.0)
    y[1::2] = -np.clip(lo, -1.0, 1.0)
    return y


class WaveformView(QWidget):
    doubleClicked = Signal()

    def __init__(self, buffer: WaveBuffer, theme: Theme, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.buffer = buffer
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.setMinimumHeight(MIN_HEIGHT_PX)
        self.setMaximumHeight(HEIGHT_PX)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)  # the plot covers it
        self.setToolTip("Double-click: scope")
        self._lay = QVBoxLayout(self)
        self._lay.setContentsMargins(0, 0, 0, 0)
        self._view: Any = None  # pyqtgraph.GraphicsView, once pyqtgraph is loaded
        self._curve: Any = None
        self._version = -1
        self._drawn_silent = False  # the envelope drawn last was a flat line
        self._columns = 0
        self._x: np.ndarray = np.zeros(0)
        self._starts: np.ndarray = np.zeros(0, np.intp)
        self.active = True
        self.draws = 0  # setData calls (the tests and the benchmark read it)
        self.set_theme(theme)
        if plotting.loaded() is not None:
            self.attach_plot()

    # ---- set-up ---------------------------------------------------------------------

    def attach_plot(self) -> None:
        """Put the pyqtgraph view in place (pyqtgraph must be loaded)."""
        if self._view is not None:
            return
        view = plotting.bare_view(self._bg)
        view.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self._bounds = QRectF(0, -1, 2, 2)
        curve = plotting.fixed_curve(
            self._bounds, pen=self._pen(), antialias=False, connect="pairs"
        )
        curve.setSegmentedLineMode("on")  # QPainter.drawLines, not a QPainterPath per frame
        view.addItem(curve)
        view.viewport().installEventFilter(self)  # double-click: scope
        self._lay.addWidget(view)
        self._view, self._curve = view, curve
        self._columns = 0
        self._drawn_silent = False
        self._version = -1

    def _pen(self) -> Any:
        pg = plotting.loaded()
        assert pg is not None
        return pg.mkPen(self._wave if self.active else self._dim, width=1)

    def set_theme(self, theme: Theme) -> None:
        self._bg = QColor(theme.plot_bg)
        self._wave = QColor(theme.wave)
        self._dim = QColor(theme.dim_text)
        if self._view is not None:
            self._view.setBackground(self._bg)
            self._curve.setPen(self._pen())
        self._drawn_silent = False
        self.update()

    def set_active(self, active: bool) -> None:
        """Greyed-out strips draw their last envelope dimmed."""
        self.active = active
        if self._curve is not None:
            self._curve.setPen(self._pen())
        self._drawn_silent = False

    def sizeHint(self) -> QSize:
        return QSize(120, HEIGHT_PX)

    def resizeEvent(self, event: QResizeEvent) -> None:
        self._columns = 0  # laid out anew for the new width at the next refresh
        self._version = -1
        super().resizeEvent(event)

    def _layout(self) -> int:
        columns = min(self.width(), self.buffer.window)
        if columns != self._columns and columns >= 2:
            self._columns = columns
            self._starts = column_starts(self.buffer.window, columns)
            self._x = np.repeat(np.arange(columns, dtype=np.float64) + 0.5, 2)
            self._bounds.setRect(0, -1, columns, 2)
            self._curve.fixed_bounds = QRectF(self._bounds)
            self._curve.prepareGeometryChange()
            self._view.setRange(QRectF(self._bounds), padding=0)
        return self._columns

    # ---- drawing -------------------------------------------------------------------

    def refresh(self, now: float) -> bool:
        """Draw the window to show now; True if it changed."""
        if self._view is None:
            return False
        lo, hi, position = self.buffer.window_at(now)
        if position == self._version:
            return False
        self._version = position
        silent = self.buffer.silent_window(position)
        if silent and self._drawn_silent:
            return False  # the same flat line: an idle mixer paints nothing
        columns = self._layout()
        if columns < 2:
            return False
        y = envelope_pairs(lo, hi, columns, self._starts)
        # A silent column still shows: a segment of at least one pixel.
        px = 2.0 / max(1, self.height())
        y[1::2] = np.maximum(y[1::2], y[0::2] + px)
        self._curve.setData(self._x, y, connect="pairs", skipFiniteCheck=True)
        self._drawn_silent = silent
        self.draws += 1
        return True

    def paintEvent(self, event: QPaintEvent) -> None:
        if self._view is None:  # before pyqtgraph is loaded: the plot's background
            p = QPainter(self)
            p.fillRect(self.rect(), self._bg)
            p.fillRect(0, self.height() // 2, self.width(), 1, self._dim)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.MouseButtonDblClick:
            self.doubleClicked.emit()
            return True
        return super().eventFilter(watched, event)

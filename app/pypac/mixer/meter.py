"""A vertical peak meter in dB with a peak-hold mark."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QColor, QLinearGradient, QPainter, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

from .levels import PeakBallistics, db_fraction
from .theme import Theme


class PeakMeter(QWidget):
    def __init__(self, theme: Theme, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Expanding)
        self.setFixedWidth(10)
        self.ballistics = PeakBallistics()
        self.set_theme(theme)

    def sizeHint(self) -> QSize:
        return QSize(10, 150)

    def set_theme(self, theme: Theme) -> None:
        self._bg = QColor(theme.plot_bg)
        self._hold = QColor(theme.text)
        self._stops = (theme.meter_low, theme.meter_mid, theme.meter_high)
        self._gradient: QLinearGradient | None = None
        self.update()

    def feed(self, peak: float, now: float, dt: float) -> bool:
        """Feed the newest peak; True if the meter must be redrawn."""
        return self.ballistics.update(peak, now, dt)

    def reset(self) -> None:
        self.ballistics.reset()
        self.update()

    def resizeEvent(self, event: object) -> None:
        self._gradient = None

    def paintEvent(self, event: QPaintEvent) -> None:
        self.draw(QPainter(self))

    def draw(self, p: QPainter) -> None:
        """Draw the meter at (0, 0) of `p`."""
        w, h = self.width(), self.height()
        if self._gradient is None:
            # -60..0 dBFS bottom to top: green up to -18 dB, yellow to -6 dB, red above.
            g = QLinearGradient(0, h, 0, 0)
            g.setColorAt(0.0, QColor(self._stops[0]))
            g.setColorAt(db_fraction(-18), QColor(self._stops[0]))
            g.setColorAt(db_fraction(-6), QColor(self._stops[1]))
            g.setColorAt(1.0, QColor(self._stops[2]))
            self._gradient = g
        p.fillRect(0, 0, w, h, self._bg)
        level = round(db_fraction(self.ballistics.level_db) * h)
        if level > 0:
            p.fillRect(0, h - level, w, level, self._gradient)
        hold = round(db_fraction(self.ballistics.hold_db) * h)
        if hold > 0:
            p.fillRect(0, max(0, h - hold - 1), w, 2, self._hold)

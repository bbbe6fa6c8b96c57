"""One paint event per frame for every visible waveform and meter.

Each strip's WaveformView and PeakMeter repainting itself would cost a paint
event each, 60 times a second (~1,100 a second with 9 strips), each with its
own Python dispatch and QPainter set-up. The LiveSurface is a transparent
sibling laid over the strip row, masked to exactly the rectangles of the
visible waveforms and meters and opaque inside them, so Qt repaints only it
(one event) and nothing beneath; the waveforms' numpy work runs as one batch
(`waveform.draw_waveforms`). The views keep their own paintEvent for the rare
repaints Qt asks of them directly (first show, strips not yet under the
surface).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QPoint, QRect, Qt
from PySide6.QtGui import QPainter, QPaintEvent, QRegion
from PySide6.QtWidgets import QWidget

from .draw_probe import DrawProbe
from .meter import PeakMeter
from .waveform import WaveformView, draw_waveforms


class LiveSurface(QWidget):
    #: Events on a strip or a view that may move what the surface must cover.
    _GEOMETRY_EVENTS = (
        QEvent.Type.Move,
        QEvent.Type.Resize,
        QEvent.Type.Show,
        QEvent.Type.Hide,
    )

    def __init__(self, row: QWidget, probe: DrawProbe) -> None:
        super().__init__(row)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        # Opaque inside the mask: Qt need not repaint the strips beneath first.
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self._row = row
        self._views: list[QWidget] = []
        self._waves: list[tuple[WaveformView, QPoint]] = []
        self._meters: list[tuple[PeakMeter, QPoint]] = []
        self._dirty = True
        self._wave_region, self._meter_region = QRegion(), QRegion()
        row.installEventFilter(self)
        self._probe = probe

    def track(self, views: list[QWidget]) -> None:
        """Cover exactly these views (the waveforms and meters of visible strips)."""
        for view in views:
            if view not in self._views:
                view.installEventFilter(self)
                parent = view.parentWidget()
                if parent is not None:
                    parent.installEventFilter(self)  # the strip moves when others come or go
        self._views = list(views)
        self._dirty = True

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in self._GEOMETRY_EVENTS:
            self._dirty = True
        return False

    def frame(self, waves: bool, meters: bool) -> None:
        """Called by the display timer with what changed: repaint just that
        (meters move at half the waveforms' rate), or all after a move."""
        if self._dirty:
            self._relayout()
            waves = meters = True
        if waves and meters:
            self.update()
        elif waves:
            self.update(self._wave_region)
        elif meters:
            self.update(self._meter_region)

    def _relayout(self) -> None:
        self._dirty = False
        self.setGeometry(self._row.rect())
        self._wave_region, self._meter_region = QRegion(), QRegion()
        self._waves, self._meters = [], []
        for view in self._views:
            if not view.isVisibleTo(self._row):
                continue
            origin = view.mapTo(self._row, QPoint(0, 0))
            if isinstance(view, WaveformView):
                self._waves.append((view, origin))
                self._wave_region += QRect(origin, view.size())
            elif isinstance(view, PeakMeter):
                self._meters.append((view, origin))
                self._meter_region += QRect(origin, view.size())
        region = self._wave_region.united(self._meter_region)
        if region.isEmpty():
            self.hide()
            return
        self.setMask(region)
        self.show()
        self.raise_()  # strips added later stack above it otherwise

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        if event.region().intersects(self._wave_region):
            draw_waveforms(p, self._waves)
            self._probe.waveform_paints += len(self._waves)
        if not event.region().intersects(self._meter_region):
            return
        for meter, origin in self._meters:
            p.translate(origin)
            meter.draw(p)
            p.translate(-origin)

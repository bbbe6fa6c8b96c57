"""A scope for one app: the last seconds of its waveform (zoom and pan with the
mouse), a live spectrum on a log frequency axis, and its level history.

Opened from a strip (double-click its waveform, or "Scope…" on its menu). It
costs nothing while closed: only an open scope asks the worker for raw samples
(`EngineLink.set_sampled`), and its timer runs only while it is shown. It is
fed by the window's `viewDataArrived` signal on the GUI thread.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QVBoxLayout, QWidget

from . import plotting
from .levels import Envelope, to_db

SECONDS = 5.0
RATE = 48000
FFT_SIZE = 4096
HISTORY_POINTS = 300  # level history: 30 s at 10 Hz
REFRESH_MS = 66  # ~15 fps: a scope is for looking, not for timing


class ScopeWindow(QWidget):
    closed = Signal(int)  # key

    def __init__(self, key: int, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.key = key
        self.setWindowTitle(f"Scope — {name}")
        self.resize(720, 520)
        pg = plotting.load()
        self._samples = np.zeros(int(SECONDS * RATE), np.float32)  # mono, newest last
        self._levels = np.full(HISTORY_POINTS, -60.0)
        self._peak = 0.0
        self._dirty = False
        self.blocks = 0
        lay = QVBoxLayout(self)
        self.plots = pg.GraphicsLayoutWidget()
        lay.addWidget(self.plots)

        self.wave_plot = self.plots.addPlot(
            row=0, col=0, title="Waveform (drag to pan, wheel to zoom)"
        )
        self.wave_plot.setLabel("bottom", "seconds")
        self.wave_plot.setYRange(-1, 1)
        self.wave_plot.setXRange(-SECONDS, 0)
        self.wave_curve = self.wave_plot.plot(pen=pg.mkPen("#5ec8ff"))
        self.wave_plot.getViewBox().setMouseEnabled(x=True, y=True)
        self.wave_plot.enableAutoRange(False)

        self.spectrum_plot = self.plots.addPlot(row=1, col=0, title="Spectrum")
        self.spectrum_plot.setLogMode(x=True, y=False)
        self.spectrum_plot.setLabel("bottom", "Hz")
        self.spectrum_plot.setLabel("left", "dBFS")
        self.spectrum_plot.setYRange(-120, 0)
        self.spectrum_plot.setXRange(np.log10(20), np.log10(RATE / 2))
        self.spectrum_plot.enableAutoRange(False)
        self.spectrum_curve = self.spectrum_plot.plot(pen=pg.mkPen("#fdd835"))
        self._freqs = np.fft.rfftfreq(FFT_SIZE, 1 / RATE)[1:]
        self._window = np.hanning(FFT_SIZE).astype(np.float32)

        self.level_plot = self.plots.addPlot(row=2, col=0, title="Level history (peak, dBFS)")
        self.level_plot.setYRange(-60, 0)
        self.level_plot.setXRange(-HISTORY_POINTS * REFRESH_MS / 1000 * 1.5, 0)
        self.level_plot.enableAutoRange(False)
        self.level_curve = self.level_plot.plot(pen=pg.mkPen("#43a047"))
        self._level_x = (np.arange(HISTORY_POINTS) - HISTORY_POINTS + 1) * 0.1

        self._timer = QTimer(self)
        self._timer.setInterval(REFRESH_MS)
        self._timer.timeout.connect(self._draw)
        self._level_timer = QTimer(self)
        self._level_timer.setInterval(100)
        self._level_timer.timeout.connect(self._sample_level)

    def feed(self, data: dict[int, Envelope]) -> None:
        env = data.get(self.key)
        if env is None or env.samples is None or not len(env.samples):
            return
        mono = env.samples.mean(axis=1) if env.samples.ndim == 2 else env.samples
        n = min(len(mono), len(self._samples))
        self._samples = np.concatenate((self._samples[n:], mono[-n:]))
        self._peak = max(self._peak, float(np.abs(mono).max()))
        self._dirty = True
        self.blocks += 1

    def _sample_level(self) -> None:
        self._levels = np.roll(self._levels, -1)
        self._levels[-1] = max(-60.0, to_db(self._peak))
        self._peak = 0.0

    def _draw(self) -> None:
        if not self._dirty:
            return
        self._dirty = False
        step = max(1, len(self._samples) // 4000)  # a few thousand points is plenty
        shown = self._samples[::step]
        x = (np.arange(len(shown)) - len(shown)) * step / RATE
        self.wave_curve.setData(x, shown, skipFiniteCheck=True)
        tail = self._samples[-FFT_SIZE:] * self._window
        spectrum = np.abs(np.fft.rfft(tail))[1:] * 2 / self._window.sum()
        db = 20 * np.log10(np.maximum(spectrum, 1e-6))
        self.spectrum_curve.setData(self._freqs, db, skipFiniteCheck=True)
        self.level_curve.setData(self._level_x, self._levels, skipFiniteCheck=True)

    def spectrum_peak_hz(self) -> float:
        """The loudest frequency now shown (the tests read it)."""
        x, y = self.spectrum_curve.getData()
        return 0.0 if y is None or not len(y) else float(10 ** x[int(np.argmax(y))])

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        self._timer.start()
        self._level_timer.start()

    def hideEvent(self, event: Any) -> None:
        super().hideEvent(event)
        self._timer.stop()
        self._level_timer.stop()

    def closeEvent(self, event: QCloseEvent) -> None:
        self._timer.stop()
        self._level_timer.stop()
        self.closed.emit(self.key)
        super().closeEvent(event)

"""Waveform drawing benchmark: the ways of drawing the strips' waveforms that were
weighed for the mixer, each drawing N strips of live envelopes, offscreen.

For each way it prints the CPU time per frame (all N strips updated and painted,
`repaint()` so the paint happens inside the measurement) and what that costs at
60 and 30 fps as a percentage of one core:

* pyqtgraph, bare GraphicsView + PlotCurveItem with fixed bounds, `connect="pairs"`
  segments drawn with QPainter.drawLines (the mixer's choice, waveform.py);
* the same curve drawn as a QPainterPath (pyqtgraph's default for 1 px pens);
* a stock pyqtgraph PlotWidget per strip (axes, auto-range, mouse);
* a plain QWidget painting a QPolygonF with QPainter, its points made in Python
  (the mixer's old way wrote them into the polygon with numpy: cheaper than this).

Offscreen rendering leaves out the X server's share; bench/gui.py measures the
whole mixer under Xvfb next to pavucontrol.

    python bench/waveform.py [--strips 8] [--frames 300]
"""

from __future__ import annotations

import argparse
import os
import time
from typing import Any, Callable

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np
from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QColor, QPainter, QPolygonF
from PySide6.QtWidgets import QApplication, QHBoxLayout, QWidget

WIDTH, HEIGHT, BUCKETS = 140, 56, 300


def envelope(frame: int) -> tuple[np.ndarray, np.ndarray]:
    t = np.arange(BUCKETS) + frame * 3
    amp = 0.2 + 0.7 * np.abs(np.sin(t / 40.0))
    return -amp, amp


def decimate(lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    starts = (np.arange(WIDTH) * BUCKETS) // WIDTH
    lo, hi = np.minimum.reduceat(lo, starts), np.maximum.reduceat(hi, starts)
    y = np.empty(2 * WIDTH)
    y[0::2], y[1::2] = -hi, -lo
    return y


def pyqtgraph_view(mode: str) -> Callable[[], tuple[QWidget, Callable[[int], None]]]:
    def make() -> tuple[QWidget, Callable[[int], None]]:
        from pypac.mixer import plotting

        view = plotting.bare_view(QColor("#16171a"))
        bounds = QRectF(0, -1, WIDTH, 2)
        curve = plotting.fixed_curve(bounds, pen=plotting.load().mkPen("#5ec8ff"), connect="pairs")
        curve.setSegmentedLineMode(mode)
        view.addItem(curve)
        view.setRange(bounds, padding=0)
        view.setFixedSize(WIDTH, HEIGHT)
        x = np.repeat(np.arange(WIDTH) + 0.5, 2)

        def update(frame: int) -> None:
            curve.setData(x, decimate(*envelope(frame)), connect="pairs", skipFiniteCheck=True)
            view.repaint()

        return view, update

    return make


def stock_plot_widget() -> tuple[QWidget, Callable[[int], None]]:
    from pypac.mixer import plotting

    pg = plotting.load()
    w = pg.PlotWidget()
    w.setFixedSize(WIDTH, HEIGHT)
    curve = w.plot()
    x = np.repeat(np.arange(WIDTH) + 0.5, 2)

    def update(frame: int) -> None:
        curve.setData(x, decimate(*envelope(frame)), connect="pairs")
        w.repaint()

    return w, update


class PolygonWidget(QWidget):
    def __init__(self) -> None:
        super().__init__()
        self.setFixedSize(WIDTH, HEIGHT)
        self.poly = QPolygonF()

    def paintEvent(self, event: Any) -> None:
        p = QPainter(self)
        p.fillRect(self.rect(), QColor("#16171a"))
        p.setBrush(QColor("#5ec8ff"))
        p.drawPolygon(self.poly)


def qpainter_polygon() -> tuple[QWidget, Callable[[int], None]]:
    w = PolygonWidget()

    def update(frame: int) -> None:
        y = decimate(*envelope(frame)) * (HEIGHT / 2 - 1) + HEIGHT / 2
        top, bottom = y[0::2], y[1::2]
        pts = [QPointF(i, v) for i, v in enumerate(top)]
        pts += [QPointF(i, v) for i, v in reversed(list(enumerate(bottom)))]
        w.poly = QPolygonF(pts)
        w.repaint()

    return w, update


WAYS = {
    "pyqtgraph, drawLines (ours)": pyqtgraph_view("on"),
    "pyqtgraph, QPainterPath": pyqtgraph_view("off"),
    "pyqtgraph PlotWidget (stock)": stock_plot_widget,
    "QPainter polygon, Python points": qpainter_polygon,
}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--strips", type=int, default=8)
    ap.add_argument("--frames", type=int, default=300)
    args = ap.parse_args()
    app = QApplication.instance() or QApplication([])
    print(f"\n{args.strips} strips of {WIDTH}x{HEIGHT} px, {args.frames} frames each, offscreen")
    print(f"{'way':32} {'ms/frame':>9} {'% core @60':>11} {'% core @30':>11}")
    print("-" * 66)
    for name, make in WAYS.items():
        row = QWidget()
        lay = QHBoxLayout(row)
        views = [make() for _ in range(args.strips)]
        for w, _ in views:
            lay.addWidget(w)
        row.show()
        app.processEvents()
        for frame in range(10):  # warm-up
            for _, update in views:
                update(frame)
        t0 = time.process_time()
        for frame in range(args.frames):
            for _, update in views:
                update(frame)
        per_frame = (time.process_time() - t0) / args.frames
        print(
            f"{name:32} {per_frame * 1000:9.2f} {per_frame * 6000:11.1f} {per_frame * 3000:11.1f}"
        )
        row.close()
        app.processEvents()


if __name__ == "__main__":
    main()

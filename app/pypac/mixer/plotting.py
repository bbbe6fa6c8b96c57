"""pyqtgraph, imported once and set up for live drawing.

Importing pyqtgraph takes ~0.3-0.45 s, a third of the first-paint budget, so
the window imports it through `load()` only after its first paint; strips
show a plain placeholder until then.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

_pg: ModuleType | None = None
_curve_class: Any = None


def loaded() -> ModuleType | None:
    """pyqtgraph if `load()` ran, else None (never imports)."""
    return _pg


def load() -> ModuleType:
    """Import pyqtgraph with the fast path's options: no antialiasing anywhere."""
    global _pg
    if _pg is None:
        import pyqtgraph as pg

        pg.setConfigOptions(antialias=False, foreground="w")
        _pg = pg
    return _pg


def fixed_curve(bounds: Any, **opts: Any) -> Any:
    """A `PlotCurveItem` whose bounds are `bounds` (a QRectF, the view's fixed
    range), not computed from its data: pyqtgraph otherwise scans the data for
    its extent on every setData (a third of the drawing's Python time here), a
    cost only auto-range needs."""
    global _curve_class
    pg = load()
    if _curve_class is None:

        class FixedBoundsCurve(pg.PlotCurveItem):  # type: ignore[misc, name-defined]
            fixed_bounds: Any = None

            def boundingRect(self) -> Any:
                return self.fixed_bounds

            def dataBounds(self, ax: int, frac: float = 1.0, orthoRange: Any = None) -> Any:
                r = self.fixed_bounds
                return (r.left(), r.right()) if ax == 0 else (r.top(), r.bottom())

        _curve_class = FixedBoundsCurve
    curve = _curve_class(**opts)
    curve.fixed_bounds = bounds
    return curve


def bare_view(background: Any) -> Any:
    """A GraphicsView for one live item: no mouse, no focus, no scene index."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QGraphicsScene, QGraphicsView

    pg = load()
    view = pg.GraphicsView(background=background)
    view.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # no invisible Tab stop
    view.enableMouse(False)
    # One item that covers the view: repaint it whole, skip the scene's BSP index
    # (rebuilt on every geometry change otherwise).
    view.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.FullViewportUpdate)
    view.scene().setItemIndexMethod(QGraphicsScene.ItemIndexMethod.NoIndex)
    view.setOptimizationFlag(QGraphicsView.OptimizationFlag.DontSavePainterState, True)
    # It paints every pixel: Qt need not repaint the strip (a styled frame) beneath
    # it on every frame.
    view.viewport().setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
    view.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
    return view

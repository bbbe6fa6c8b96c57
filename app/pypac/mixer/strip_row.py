"""The scrolling row of app strips: the wheel scrolls it anywhere but on a slider.

Vertical wheel turns scroll the row sideways (it only scrolls sideways; a
window too short for the strips scrolls up and down in the outer area), and so
do shift+wheel and horizontal wheels. A slider under the pointer takes the
wheel first (its volume), so only wheel turns nothing else wanted arrive here.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QFrame, QHBoxLayout, QScrollArea, QWidget

from .theme import named


class StripRow(QScrollArea):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # an invisible Tab stop otherwise
        self.row_widget = named(QWidget(), "stripRow")
        self.row = QHBoxLayout(self.row_widget)
        self.row.setContentsMargins(0, 6, 6, 6)
        self.row.setSpacing(8)
        self.setWidget(self.row_widget)

    def wheelEvent(self, event: QWheelEvent) -> None:
        delta = event.angleDelta()
        step = delta.y() or delta.x()  # shift+wheel arrives as x on most platforms
        bar = self.horizontalScrollBar()
        if step and bar.maximum() > 0:
            bar.setValue(bar.value() - round(step / 120 * bar.singleStep() * 3))
            event.accept()
            return
        event.ignore()

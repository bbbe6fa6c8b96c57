"""The window's widgets: the server banner, the master strip pinned left, the
scrolling row of app strips with its empty state.

Too short a window scrolls up and down in `body_area`; the app strips scroll
sideways inside it (`StripRow`), and the master strip stays where it is while
they do, ending where they end (above their scroll bar, if shown).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QScrollArea, QVBoxLayout, QWidget

from .strip_row import StripRow
from .theme import named

EMPTY_TEXT = "No applications are playing audio"


class WindowBody(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        self.banner = named(QLabel(), "banner")
        self.banner.setWordWrap(True)
        self.banner.hide()
        outer.addWidget(self.banner)
        self.body_area = QScrollArea()
        self.body_area.setWidgetResizable(True)
        self.body_area.setFrameShape(QFrame.Shape.NoFrame)
        self.body_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.body_area.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        body = named(QWidget(), "stripRow")
        self._body_row = QHBoxLayout(body)
        self._body_row.setContentsMargins(8, 0, 0, 0)
        self._body_row.setSpacing(8)
        self.scroll_area = StripRow()
        self.row = self.scroll_area.row
        self.empty_label = named(QLabel(EMPTY_TEXT), "emptyState")
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.row.addWidget(self.empty_label, 1)
        self.row.addStretch(0)
        self.body_area.setWidget(body)
        outer.addWidget(self.body_area, 1)
        self._master_column = QVBoxLayout()
        self._body_row.addLayout(self._master_column)
        self._body_row.addWidget(self.scroll_area, 1)
        self.scroll_area.horizontalScrollBar().rangeChanged.connect(self._align_master)
        self._align_master()

    def pin(self, strip: QWidget) -> None:
        """The strip that stays left of the scrolling row (the master strip)."""
        self._master_column.addWidget(strip)

    def _align_master(self) -> None:
        bar = self.scroll_area.horizontalScrollBar()
        below = bar.sizeHint().height() if bar.maximum() > 0 else 0
        margins = self.row.contentsMargins()  # (getContentsMargins is untyped in PySide6)
        self._master_column.setContentsMargins(0, margins.top(), 0, margins.bottom() + below)

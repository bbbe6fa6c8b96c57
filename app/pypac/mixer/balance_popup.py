"""The balance control a strip's context menu opens: one left-right slider.

It sends [left, right] volumes through `balanceRequested`; the loudest side
keeps the strip's volume, the other is turned down (pavucontrol's balance).
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QSlider, QWidget

from .volume_text import balance_of, channels_for_balance


class BalancePopup(QFrame):
    balanceRequested = Signal(list)  # [left, right]

    def __init__(self, volume: float, channels: tuple[float, ...], parent: QWidget | None = None):
        super().__init__(parent, Qt.WindowType.Popup)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.volume = volume
        lay = QHBoxLayout(self)
        lay.addWidget(QLabel("L"))
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(-100, 100)
        self.slider.setSingleStep(5)
        self.slider.setPageStep(20)
        self.slider.setTickPosition(QSlider.TickPosition.TicksBelow)
        self.slider.setTickInterval(100)  # a mark at the centre
        self.slider.setMinimumWidth(160)
        self.slider.setAccessibleName("Balance")
        self.slider.setValue(round(balance_of(channels) * 100))
        self.slider.valueChanged.connect(self._moved)
        lay.addWidget(self.slider, 1)
        lay.addWidget(QLabel("R"))
        self.centre = QPushButton("Centre")
        self.centre.clicked.connect(lambda: self.slider.setValue(0))
        lay.addWidget(self.centre)

    def _moved(self, value: int) -> None:
        self.balanceRequested.emit(channels_for_balance(self.volume, value / 100))

    def popup(self, at: QPoint) -> None:
        self.move(at)
        self.show()
        self.slider.setFocus()

"""The output device an app plays on, chosen on its strip (pavucontrol's
per-stream device choice). Shown only when there is more than one output; its
place is kept either way, so nothing on the strip moves when a device comes.

A choice is sent as a request (the worker moves the app); until the server
reports the app on the chosen device, the box shows the choice, not the
server's older report (`EchoGuard`).
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPaintEvent
from PySide6.QtWidgets import (
    QComboBox,
    QSizePolicy,
    QStyle,
    QStyleOptionComboBox,
    QStylePainter,
    QWidget,
)

from pypac.engine import DeviceInfo

from .echo_guard import EchoGuard

#: Longer than a volume's guard: a move is acknowledged, then shown, a moment later.
MOVE_HOLD_S = 1.5


class RouteChoice(QComboBox):
    chosen = Signal(str)  # device id, chosen by the user

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Output device")
        self.setToolTip("The output device this app plays on")
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.setMinimumContentsLength(4)
        policy = QSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        policy.setRetainSizeWhenHidden(True)  # the strip keeps its shape with one device
        self.setSizePolicy(policy)
        # Tab goes strip to strip (via the slider); D on a strip opens this box.
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.guard: EchoGuard[str] = EchoGuard(MOVE_HOLD_S)
        self._outputs: list[tuple[str, str]] = []
        self.activated.connect(self._activated)  # the user's choice only, not setCurrentIndex
        self.hide()

    @property
    def device_id(self) -> str:
        """The device shown (the choice, while the server catches up)."""
        data = self.currentData()
        return data if isinstance(data, str) else ""

    def show_devices(self, outputs: list[DeviceInfo], reported: str) -> None:
        """The outputs to choose from, and the one the server says the app plays on."""
        listed = [(d.id, d.description or d.id) for d in outputs]
        if listed != self._outputs:
            self._outputs = listed
            self.blockSignals(True)
            self.clear()
            for device_id, text in listed:
                self.addItem(text, device_id)
                self.setItemData(self.count() - 1, text, Qt.ItemDataRole.ToolTipRole)
            self.blockSignals(False)
        shown = self.guard.filter(reported, self.guard.held() in (None, reported))
        index = self.findData(shown)
        if index >= 0 and index != self.currentIndex():
            self.blockSignals(True)
            self.setCurrentIndex(index)
            self.blockSignals(False)
        self.setToolTip(f"Plays on {self.currentText()}" if index >= 0 else "")
        self.setVisible(len(listed) > 1)

    def paintEvent(self, event: QPaintEvent) -> None:
        """As QComboBox draws itself, with the device's name elided ("Headph…"),
        not cut off in the middle of a letter."""
        painter = QStylePainter(self)
        opt = QStyleOptionComboBox()
        self.initStyleOption(opt)
        painter.drawComplexControl(QStyle.ComplexControl.CC_ComboBox, opt)
        field = self.style().subControlRect(
            QStyle.ComplexControl.CC_ComboBox, opt, QStyle.SubControl.SC_ComboBoxEditField, self
        )
        opt.currentText = self.fontMetrics().elidedText(
            opt.currentText, Qt.TextElideMode.ElideRight, field.width()
        )
        painter.drawControl(QStyle.ControlElement.CE_ComboBoxLabel, opt)

    def _activated(self, index: int) -> None:
        device_id = self.itemData(index)
        if isinstance(device_id, str):
            self.guard.requested(device_id)
            self.chosen.emit(device_id)

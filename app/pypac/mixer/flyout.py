"""The tray flyout, in the EarTrumpet manner: a left click on the tray icon opens
a small popup with one volume slider and mute per app; the full window is one
click away ("Open mixer"). The output device's master slider needs the device
API and comes with it.

The flyout reads the window's session table and sends requests through
`window.link` (the worker makes the blocking calls); each slider keeps the
value it asked for against older server reports (`EchoGuard`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QLabel,
    QPushButton,
    QSlider,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from pypac.engine import SessionInfo

from .echo_guard import EchoGuard, shown_volume
from .session_model import display_name
from .volume_text import percent_text

if TYPE_CHECKING:
    from .main_window import MixerWindow

WIDTH = 340
NAME_PX = 110


class FlyoutRow:
    """One app: name, slider, percent, mute."""

    def __init__(self, flyout: TrayFlyout, info: SessionInfo, row: int) -> None:
        self.pid = info.process_id
        self.mixer = flyout.mixer
        self.guard: EchoGuard[float] = EchoGuard()
        self._updating = False
        self.name = QLabel()
        self.name.setFixedWidth(NAME_PX)
        self.name.setText(
            self.name.fontMetrics().elidedText(
                display_name(info), Qt.TextElideMode.ElideRight, NAME_PX
            )
        )
        self.name.setToolTip(display_name(info))
        self.full_name = display_name(info)
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(0, max(100, round(flyout.mixer.max_volume * 100)))
        self.slider.setSingleStep(5)
        self.slider.setPageStep(10)
        self.slider.setAccessibleName(f"{display_name(info)} volume")
        self.slider.valueChanged.connect(self._moved)
        self.percent = QLabel()
        self.percent.setMinimumWidth(40)
        self.mute = QToolButton()
        self.mute.setCheckable(True)
        self.mute.setAccessibleName(f"Mute {display_name(info)}")
        self.mute.toggled.connect(self._muted)
        grid = flyout.grid
        grid.addWidget(self.name, row, 0)
        grid.addWidget(self.slider, row, 1)
        grid.addWidget(self.percent, row, 2)
        grid.addWidget(self.mute, row, 3)
        self.apply(info)

    def widgets(self) -> list[QWidget]:
        return [self.name, self.slider, self.percent, self.mute]

    def apply(self, info: SessionInfo) -> None:
        volume = shown_volume(self.guard, info.volume)
        self._updating = True
        try:
            if not self.slider.isSliderDown():
                self.slider.setValue(round(volume * 100))
            self.mute.setChecked(info.muted)
        finally:
            self._updating = False
        self._show(round(volume * 100), info.muted)

    def _show(self, value: int, muted: bool) -> None:
        self.percent.setText(percent_text(value / 100))
        self.mute.setText("Muted" if muted else "Mute")  # words: not only a colour or a glyph

    def _moved(self, value: int) -> None:
        self._show(value, self.mute.isChecked())
        if not self._updating:
            self.guard.requested(value / 100)
            self.mixer.link.set_volume(self.pid, value / 100)

    def _muted(self, muted: bool) -> None:
        self._show(self.slider.value(), muted)
        if not self._updating:
            self.mixer.link.set_mute(self.pid, muted)


class TrayFlyout(QFrame):
    def __init__(self, window: MixerWindow) -> None:
        super().__init__(None, Qt.WindowType.Popup)
        self.mixer = window
        self.setObjectName("flyout")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setFixedWidth(WIDTH)
        outer = QVBoxLayout(self)
        self.empty = QLabel("No applications are playing audio")
        outer.addWidget(self.empty)
        self.grid = QGridLayout()
        self.grid.setColumnStretch(1, 1)
        outer.addLayout(self.grid)
        self.open_button = QPushButton("Open mixer")
        self.open_button.clicked.connect(self._open_mixer)
        outer.addWidget(self.open_button)
        self.rows: dict[int, FlyoutRow] = {}

    def refresh(self, live: list[SessionInfo]) -> None:
        """Show these apps (rows rebuilt only when the set of apps changed)."""
        if [i.process_id for i in live] != list(self.rows):
            for row in self.rows.values():
                for w in row.widgets():
                    w.deleteLater()
            self.rows = {i.process_id: FlyoutRow(self, i, n) for n, i in enumerate(live)}
            self.adjustSize()
        else:
            for info in live:
                self.rows[info.process_id].apply(info)
        self.empty.setVisible(not live)

    def popup_near(self, icon_rect: QRect, live: list[SessionInfo]) -> None:
        """Open beside the tray icon, inside the screen."""
        self.refresh(live)
        self.adjustSize()
        screen = QGuiApplication.screenAt(icon_rect.center()) or QGuiApplication.primaryScreen()
        room = screen.availableGeometry()
        size = self.size()  # after adjustSize: the fixed width, the rows' height
        below = icon_rect.bottom() + size.height() <= room.bottom()
        y = icon_rect.bottom() + 4 if below else icon_rect.top() - size.height() - 4
        x = icon_rect.center().x() - size.width() // 2
        x = max(room.left(), min(x, room.right() - size.width()))
        y = max(room.top(), min(y, room.bottom() - size.height()))
        self.move(QPoint(x, y))
        self.show()
        self.activateWindow()

    def _open_mixer(self) -> None:
        self.hide()
        self.mixer.bring_to_front()

"""The tray flyout, in the EarTrumpet manner: a left click on the tray icon opens
a small popup with the output device's master slider at the top and one volume
slider and mute per app below; the full window is one click away ("Open mixer").

The flyout reads the window's model and sends requests through
`window.link` (the worker makes the blocking calls); each slider keeps the
value it asked for against older server reports (`EchoGuard`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

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

from pypac.engine import DeviceInfo, SessionInfo

from .echo_guard import EchoGuard, shown_volume
from .session_model import display_name
from .volume_text import percent_text

if TYPE_CHECKING:
    from .main_window import MixerWindow

WIDTH = 340
NAME_PX = 110


class FlyoutRow:
    """One line: name, slider, percent, mute (an app, or the output device)."""

    def __init__(
        self,
        flyout: TrayFlyout,
        name: str,
        row: int,
        set_volume: Callable[[float], None],
        set_mute: Callable[[bool], None],
    ) -> None:
        self._set_volume, self._set_mute = set_volume, set_mute
        self.guard: EchoGuard[float] = EchoGuard()
        self._updating = False
        self.name = QLabel()
        self.name.setFixedWidth(NAME_PX)
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(0, max(100, round(flyout.mixer.max_volume * 100)))
        self.slider.setSingleStep(5)
        self.slider.setPageStep(10)
        self.slider.valueChanged.connect(self._moved)
        self.percent = QLabel()
        self.percent.setMinimumWidth(40)
        self.mute = QToolButton()
        self.mute.setCheckable(True)
        self.mute.toggled.connect(self._muted)
        self.set_name(name)
        grid = flyout.grid
        grid.addWidget(self.name, row, 0)
        grid.addWidget(self.slider, row, 1)
        grid.addWidget(self.percent, row, 2)
        grid.addWidget(self.mute, row, 3)

    def set_name(self, name: str) -> None:
        self.full_name = name
        metrics = self.name.fontMetrics()
        self.name.setText(metrics.elidedText(name, Qt.TextElideMode.ElideRight, NAME_PX))
        self.name.setToolTip(name)
        self.slider.setAccessibleName(f"{name} volume")
        self.mute.setAccessibleName(f"Mute {name}")

    def widgets(self) -> list[QWidget]:
        return [self.name, self.slider, self.percent, self.mute]

    def apply(self, volume: float, muted: bool) -> None:
        volume = shown_volume(self.guard, volume)
        self._updating = True
        try:
            if not self.slider.isSliderDown():
                self.slider.setValue(round(volume * 100))
            self.mute.setChecked(muted)
        finally:
            self._updating = False
        self._show(round(volume * 100), muted)

    def _show(self, value: int, muted: bool) -> None:
        self.percent.setText(percent_text(value / 100))
        self.mute.setText("Muted" if muted else "Mute")  # words: not only a colour or a glyph

    def _moved(self, value: int) -> None:
        self._show(value, self.mute.isChecked())
        if not self._updating:
            self.guard.requested(value / 100)
            self._set_volume(value / 100)

    def _muted(self, muted: bool) -> None:
        self._show(self.slider.value(), muted)
        if not self._updating:
            self._set_mute(muted)


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
        link = window.link
        # The master row: the default output device (row 0), then a line, then the apps.
        self.master = FlyoutRow(
            self,
            "Output",
            0,
            lambda v: self._on_output(lambda d: link.set_device_volume(d.id, v)),
            lambda m: self._on_output(lambda d: link.set_device_mute(d.id, m)),
        )
        line = QFrame()
        line.setFrameShape(QFrame.Shape.HLine)
        self.grid.addWidget(line, 1, 0, 1, 4)
        self.rows: dict[int, FlyoutRow] = {}

    def _output(self) -> DeviceInfo | None:
        return self.mixer.model.devices.default()

    def _on_output(self, call: Callable[[DeviceInfo], None]) -> None:
        device = self._output()
        if device is not None:
            call(device)

    def refresh(self, live: list[SessionInfo]) -> None:
        """Show the output device and these apps (app rows rebuilt only when the
        set of apps changed)."""
        out = self._output()
        self.master.set_name(out.description or out.id if out is not None else "No output")
        for w in self.master.widgets()[1:]:
            w.setEnabled(out is not None)
        if out is not None:
            self.master.apply(out.volume, out.muted)
        if [i.process_id for i in live] != list(self.rows):
            for row in self.rows.values():
                for w in row.widgets():
                    w.deleteLater()
            self.rows = {i.process_id: self._app_row(i, n + 2) for n, i in enumerate(live)}
            self.adjustSize()
        for info in live:
            self.rows[info.process_id].apply(info.volume, info.muted)
        self.empty.setVisible(not live)

    def _app_row(self, info: SessionInfo, row: int) -> FlyoutRow:
        link, pid = self.mixer.link, info.process_id
        return FlyoutRow(
            self,
            display_name(info),
            row,
            lambda v: link.set_volume(pid, v),
            lambda m: link.set_mute(pid, m),
        )

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

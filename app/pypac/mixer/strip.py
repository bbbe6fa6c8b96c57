"""One channel strip: icon, name, PID, waveform, volume slider + meter, mute, record.

The strip never talks to the engine: it emits requests (volume, mute, record)
that the window forwards to the worker, and shows what the server reports.
Server updates are applied under an `_updating` guard (pavucontrol's trick) so
setting the slider does not echo back as a new request.
"""

from __future__ import annotations

import time
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QIcon, QKeyEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from pypac.engine import SessionInfo

from .levels import WaveBuffer
from .meter import PeakMeter
from .record_panel import RecordPanel
from .session_model import SYSTEM_KEY, StripPhase, percent_text, recording_warning
from .theme import Theme, named
from .waveform import WaveformView

STRIP_WIDTH = 156
#: After the user moves the slider, server updates that disagree with it are
#: echoes of older requests still in flight; ignore them this long.
ECHO_GUARD_S = 0.4


class ChannelStrip(QFrame):
    volumeRequested = Signal(int, float)  # pid, 0.0-1.0
    muteRequested = Signal(int, bool)
    recordRequested = Signal(int, bool)  # key, True to start

    def __init__(
        self,
        key: int,
        name: str,
        subtitle: str,
        icon: QIcon,
        theme: Theme,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.key = key
        self.name = name
        self.buffer = WaveBuffer()
        self.setObjectName("strip")
        self.setFixedWidth(STRIP_WIDTH)
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Expanding)
        self._updating = False
        self._pending: tuple[float, float] | None = None  # (volume, until)
        self.muted = False
        self.volume = 1.0
        self.phase = StripPhase.PLAYING

        lay = QVBoxLayout(self)
        lay.setContentsMargins(8, 8, 8, 8)
        lay.setSpacing(6)
        header = QHBoxLayout()
        self.icon = QLabel()
        self.icon.setPixmap(icon.pixmap(32, 32))
        self.icon.setFixedSize(32, 32)
        header.addWidget(self.icon)
        names = QVBoxLayout()
        names.setSpacing(0)
        self.name_label = named(QLabel(), "stripName")
        self.pid_label = named(QLabel(subtitle), "stripPid")
        names.addWidget(self.name_label)
        names.addWidget(self.pid_label)
        header.addLayout(names, 1)
        lay.addLayout(header)
        self.set_name(name)

        self.waveform = WaveformView(self.buffer, theme)
        lay.addWidget(self.waveform)

        fader = QHBoxLayout()
        fader.addStretch(1)
        self.slider = QSlider(Qt.Orientation.Vertical)
        self.slider.setRange(0, 100)
        self.slider.setSingleStep(5)
        self.slider.setPageStep(10)
        self.slider.setValue(100)
        self.slider.setMinimumHeight(120)
        self.slider.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.slider.setAccessibleName(f"{name} volume")
        self.slider.setToolTip("Volume (arrows: ±5%, M: mute, R: record)")
        self.slider.valueChanged.connect(self._slider_moved)
        self.slider.installEventFilter(self)
        self.meter = PeakMeter(theme)
        fader.addWidget(self.slider)
        fader.addSpacing(6)
        fader.addWidget(self.meter)
        fader.addStretch(1)
        lay.addLayout(fader, 1)
        self.percent = named(QLabel("100%"), "percent")
        self.percent.setAlignment(Qt.AlignmentFlag.AlignCenter)
        lay.addWidget(self.percent)

        buttons = QHBoxLayout()
        self.mute_button = named(QPushButton("Mute"), "mute")
        self.mute_button.setCheckable(True)
        self.mute_button.toggled.connect(self._mute_clicked)
        self.record_button = named(QPushButton("● Rec"), "record")
        self.record_button.setCheckable(True)
        self.record_button.setToolTip("Record this app to a file")
        self.record_button.toggled.connect(self._record_clicked)
        for b in (self.mute_button, self.record_button):
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Tab goes strip to strip, via the slider
            buttons.addWidget(b)
        lay.addLayout(buttons)
        self.record_panel = RecordPanel()
        lay.addWidget(self.record_panel)
        self.state_label = named(QLabel(), "stripState")
        self.state_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.state_label.hide()
        lay.addWidget(self.state_label)

        if key == SYSTEM_KEY:
            # The system capture has no fader of its own here: only its level.
            self.slider.hide()
            self.mute_button.hide()
            self.percent.setText("Output level")
            self.meter.setMinimumHeight(120)
            self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
            self.installEventFilter(self)

    # ---- what the server says ---------------------------------------------------

    def set_name(self, name: str) -> None:
        self.name = name
        metrics = self.name_label.fontMetrics()
        self.name_label.setText(metrics.elidedText(name, Qt.TextElideMode.ElideRight, 104))
        self.name_label.setToolTip(name)

    def apply_info(self, info: SessionInfo) -> None:
        if info.display_name and info.display_name != self.name:
            self.set_name(info.display_name)
        now = time.monotonic()
        volume = info.volume
        if self._pending is not None:
            wanted, until = self._pending
            if now < until and abs(volume - wanted) > 0.005:
                volume = wanted  # an echo of an older request: keep what the user set
            else:
                self._pending = None
        self._updating = True
        try:
            if not self.slider.isSliderDown():
                self.slider.setValue(round(volume * 100))
            self.mute_button.setChecked(info.muted)
        finally:
            self._updating = False
        self.volume, self.muted = volume, info.muted
        self.percent.setText(percent_text(volume))
        self._update_warning()

    def set_phase(self, phase: StripPhase) -> None:
        self.phase = phase
        live = phase is StripPhase.PLAYING
        for w in (self.slider, self.mute_button):
            w.setEnabled(phase in (StripPhase.PLAYING, StripPhase.PAUSED))
        self.waveform.set_active(live)
        self.state_label.setText("" if live else phase.value.capitalize())
        self.state_label.setVisible(not live)
        self._set_style_flag("gone", phase in (StripPhase.EXITED, StripPhase.SERVER_LOST))
        if phase in (StripPhase.EXITED, StripPhase.SERVER_LOST):
            self.meter.reset()

    # ---- the display timer ----------------------------------------------------------

    def refresh(self, now: float, meter_dt: float, slow: bool) -> tuple[bool, bool]:
        """Pull the newest view data (the meter's only if `meter_dt` > 0).

        Returns (new waveform, meter changed): what the LiveSurface must redraw.
        """
        wave = self.waveform.refresh(now)
        metered = False
        if meter_dt > 0 and self.phase in (StripPhase.PLAYING, StripPhase.PAUSED):
            metered = self.meter.feed(self.buffer.take_peak(), now, meter_dt)
        if slow:
            self.record_panel.refresh()
        return wave, metered

    # ---- recording ---------------------------------------------------------------

    @property
    def recording(self) -> bool:
        return self.record_button.isChecked()

    def recording_pending(self) -> None:
        self.record_panel.pending()
        self._set_style_flag("recording", True)
        self._update_warning()

    def recording_started(self, status: Any) -> None:
        self.record_panel.attach(status)
        self._update_warning()

    def recording_ended(self, message: str, detail: str) -> None:
        self._updating = True
        try:
            self.record_button.setChecked(False)
        finally:
            self._updating = False
        self.record_panel.ended(message)
        self.record_panel.message.setToolTip(detail)
        self._set_style_flag("recording", False)

    def _update_warning(self) -> None:
        if self.key != SYSTEM_KEY:
            text = recording_warning(self.muted, self.volume) if self.recording else None
            self.record_panel.set_warning(text)

    # ---- user input ------------------------------------------------------------------

    def _slider_moved(self, value: int) -> None:
        self.percent.setText(f"{value}%")
        if self._updating:
            return
        self.volume = value / 100
        self._pending = (self.volume, time.monotonic() + ECHO_GUARD_S)
        self.volumeRequested.emit(self.key, self.volume)
        self._update_warning()

    def _mute_clicked(self, checked: bool) -> None:
        if not self._updating:
            self.muted = checked
            self.muteRequested.emit(self.key, checked)
            self._update_warning()

    def _record_clicked(self, checked: bool) -> None:
        if not self._updating:
            self.recordRequested.emit(self.key, checked)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            key = event.key()
            if (
                key == Qt.Key.Key_M
                and self.mute_button.isVisible()
                and self.mute_button.isEnabled()
            ):
                self.mute_button.toggle()
                return True
            if key == Qt.Key.Key_R:
                self.record_button.toggle()
                return True
        elif kind in (QEvent.Type.FocusIn, QEvent.Type.FocusOut):
            self._set_style_flag("focused", kind == QEvent.Type.FocusIn)
        return super().eventFilter(watched, event)

    def _set_style_flag(self, name: str, on: bool) -> None:
        if self.property(name) == on:
            return
        self.setProperty(name, on)
        self.style().unpolish(self)
        self.style().polish(self)

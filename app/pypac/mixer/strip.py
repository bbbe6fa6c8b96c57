"""One channel strip: icon, name, PID, what it plays (the stream's title), its
output device and a "Mic" mark while it records from a microphone, waveform,
volume slider + meter, mute, record.

The strip never talks to the engine: it emits requests (volume, balance, mute,
record) that the window forwards to the worker, and shows what the server
reports. Server updates are applied under an `_updating` guard (pavucontrol's
trick) so setting the slider does not echo back as a new request.

Every control keeps its place whatever the strip shows: the state goes into
the PID line, the title into a line of its own (empty where there is none),
the device choice and the mark into a row of fixed height (kept empty with
one output device), the recording into a panel of fixed height above the
buttons. `MasterStrip` (master_strip.py) is the output device's strip.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QAction, QCursor, QIcon, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from pypac.engine import DeviceInfo, SessionInfo
from pypac.loudness import format_lufs

from .balance_popup import BalancePopup
from .echo_guard import EchoGuard, shown_volume
from .elided_label import ElidedLabel
from .levels import WaveBuffer
from .meter import PeakMeter
from .record_panel import RecordPanel
from .route_choice import RouteChoice
from .session_model import StripPhase, recording_warning
from .theme import Theme, named
from .volume_text import balance_text, percent_text
from .waveform import WaveformView

STRIP_WIDTH = 156
#: The slider's shortest: small windows keep every button in view (480x320 fits).
SLIDER_MIN_PX = 48
MUTE_TEXT, MUTED_TEXT = "Mute", "Muted"  # a word, not only a colour, says it is muted
#: The device row's height: a combo box's, on every strip (with a choice or not).
ROUTE_ROW_PX = 22
#: Between the strip's rows: small, so that 480x320 shows every button.
SPACING_PX = 4
MIC_MARK = "Mic"
ARM_TEXT = "Arm"
ARM_WIDTH_PX = 36


class ChannelStrip(QFrame):
    volumeRequested = Signal(int, float)  # pid, 0.0-max_volume
    balanceRequested = Signal(int, list)  # pid, [left, right]
    muteRequested = Signal(int, bool)
    recordRequested = Signal(int, bool)  # key, True to start
    scopeRequested = Signal(int)  # key
    meterClicked = Signal()  # switch every strip between peak and LUFS (loudness_readout.py)
    routeRequested = Signal(int, str)  # pid, output device id
    armToggled = Signal(int, bool)  # key, armed: in the master Record's take (studio.py)

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
        self.subtitle = subtitle
        self.buffer = WaveBuffer()
        self.setObjectName("strip")
        self.setFixedWidth(STRIP_WIDTH)
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Expanding)
        self._updating = False
        self._echo: EchoGuard[float] = EchoGuard()
        self.muted = False
        self.volume = 1.0
        self.channel_volumes: tuple[float, ...] = ()
        self.phase = StripPhase.PLAYING
        self.balance_popup: BalancePopup | None = None

        lay = QVBoxLayout(self)
        lay.setContentsMargins(8, 8, 8, 8)
        lay.setSpacing(SPACING_PX)
        header = QHBoxLayout()
        self.icon = QLabel()
        self.icon.setFixedSize(32, 32)
        self.set_icon(icon)
        header.addWidget(self.icon)
        names = QVBoxLayout()
        names.setSpacing(0)
        self.name_label = named(ElidedLabel(), "stripName")
        self.pid_label = named(ElidedLabel(subtitle), "stripPid")
        self.title_label = named(ElidedLabel(), "stripTitle")
        names.addWidget(self.name_label)
        names.addWidget(self.pid_label)
        names.addWidget(self.title_label)
        header.addLayout(names, 1)
        header.setAlignment(self.icon, Qt.AlignmentFlag.AlignTop)
        lay.addLayout(header)
        self.set_name(name)
        self.route_row = QWidget()
        self.route_row.setFixedHeight(ROUTE_ROW_PX)
        self.route_layout = QHBoxLayout(self.route_row)
        self.route_layout.setContentsMargins(0, 0, 0, 0)
        self.route_layout.setSpacing(4)
        lay.addWidget(self.route_row)

        self.waveform = WaveformView(self.buffer, theme)
        lay.addWidget(self.waveform)

        fader = self.fader = QHBoxLayout()
        fader.addStretch(1)
        self.slider = QSlider(Qt.Orientation.Vertical)
        self.slider.setRange(0, 100)
        self.slider.setSingleStep(5)
        self.slider.setPageStep(10)
        self.slider.setValue(100)
        self.slider.setTickPosition(QSlider.TickPosition.TicksLeft)
        self.slider.setTickInterval(100)  # a mark at 100%, where boost begins
        self.slider.setMinimumHeight(SLIDER_MIN_PX)
        self.slider.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.slider.setAccessibleName(f"{name} volume")
        self.slider.setToolTip(
            "Volume (arrows: ±5%, Home: 100%, M: mute, R: record, D: output device)"
        )
        self.slider.valueChanged.connect(self._slider_moved)
        self.slider.installEventFilter(self)
        self.meter = PeakMeter(theme)
        self.meter.setMinimumHeight(SLIDER_MIN_PX)
        self.meter.setToolTip("Click: peak level or short-term loudness (LUFS)")
        self.meter.installEventFilter(self)
        self.lufs_readout = False  # the meter and the level line show short-term LUFS
        self._lufs_text = ""
        fader.addWidget(self.slider)
        fader.addSpacing(6)
        fader.addWidget(self.meter)
        fader.addStretch(1)  # (MasterStrip puts the microphone's column before this)
        lay.addLayout(fader, 1)
        self.percent = named(ElidedLabel("100%"), "percent")
        self.percent.setAlignment(Qt.AlignmentFlag.AlignCenter)
        lay.addWidget(self.percent)
        self.record_panel = RecordPanel()
        lay.addWidget(self.record_panel)

        buttons = QHBoxLayout()
        self.mute_button = named(QPushButton(MUTE_TEXT), "mute")
        self.mute_button.setCheckable(True)
        self.mute_button.toggled.connect(self._mute_clicked)
        self.record_button = named(QPushButton("● Rec"), "record")
        self.record_button.setCheckable(True)
        self.record_button.setToolTip("Record this app to a file")
        self.record_button.toggled.connect(self._record_clicked)
        # Always there (never appears or goes), beside Rec: nothing moves when armed.
        self.arm_button = named(QPushButton(ARM_TEXT), "arm")
        self.arm_button.setCheckable(True)
        self.arm_button.setFixedWidth(ARM_WIDTH_PX)
        self.arm_button.setToolTip("Arm: the master Record (and instant replay) takes this strip")
        self.arm_button.setAccessibleName(f"Arm {name}")
        self.arm_button.toggled.connect(self._arm_clicked)
        buttons.setSpacing(4)
        for b in (self.mute_button, self.record_button, self.arm_button):
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Tab goes strip to strip, via the slider
            buttons.addWidget(b)
        lay.addLayout(buttons)

        self.scope_action = QAction("Scope…", self)
        self.scope_action.setToolTip("Waveform, spectrum and level history of this app")
        self.scope_action.triggered.connect(lambda: self.scopeRequested.emit(self.key))
        self.addAction(self.scope_action)
        self.balance_action = QAction("Balance…", self)
        self.balance_action.triggered.connect(self.open_balance)
        self.addAction(self.balance_action)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        self._build_route_row()

    def _build_route_row(self) -> None:
        """The app's output device choice and its microphone mark."""
        self.route = RouteChoice()
        self.route.setFixedHeight(ROUTE_ROW_PX)
        self.route.chosen.connect(lambda device_id: self.routeRequested.emit(self.key, device_id))
        self.route_layout.addWidget(self.route, 1)
        self.mic_mark = named(QLabel(MIC_MARK), "micMark")
        self.mic_mark.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.mic_mark.setToolTip("Using the microphone")
        self.mic_mark.setAccessibleName("Using the microphone")
        policy = self.mic_mark.sizePolicy()
        policy.setRetainSizeWhenHidden(True)  # the device choice keeps its width
        self.mic_mark.setSizePolicy(policy)
        self.mic_mark.hide()
        self.route_layout.addWidget(self.mic_mark)

    # ---- what the server says ---------------------------------------------------

    def set_icon(self, icon: QIcon) -> None:
        self.icon.setPixmap(icon.pixmap(32, 32))

    def set_theme(self, theme: Theme) -> None:
        """The colours of what it draws itself (the style sheet does the rest)."""
        self.waveform.set_theme(theme)
        self.meter.set_theme(theme)
        self.update()

    def set_name(self, name: str) -> None:
        self.name = name
        self.name_label.setFullText(name)

    def set_max_volume(self, max_volume: float) -> None:
        """The backend's highest volume: above 100% is boost (1.5 on PulseAudio)."""
        top = max(100, round(max_volume * 100))
        if self.slider.maximum() != top:
            self._updating = True
            try:
                self.slider.setMaximum(top)
                self.slider.setValue(round(self.volume * 100))
            finally:
                self._updating = False

    def apply_info(self, info: SessionInfo) -> None:
        if info.display_name and info.display_name != self.name:
            self.set_name(info.display_name)
        self.title_label.setFullText(stream_title(info))
        self.show_level(info.volume, info.muted, info.channel_volumes)

    def show_level(self, volume: float, muted: bool, channel_volumes: tuple[float, ...]) -> None:
        """What the server reports of the volume, through the echo guard."""
        volume = shown_volume(self._echo, volume)
        self._updating = True
        try:
            if not self.slider.isSliderDown():
                self.slider.setValue(round(volume * 100))
            self.mute_button.setChecked(muted)
        finally:
            self._updating = False
        self.volume, self.muted = volume, muted
        self.channel_volumes = tuple(channel_volumes)
        self._show_volume()
        self._update_warning()

    def show_route(self, outputs: list[DeviceInfo], device_id: str, records_mic: bool) -> None:
        """The outputs to choose from, the one the app plays on, and the mic mark."""
        self.route.show_devices(outputs, device_id)
        self.mic_mark.setVisible(records_mic)

    def _show_volume(self) -> None:
        balance = balance_text(self.channel_volumes)
        text = percent_text(self.volume) + (f"  {balance}" if balance else "")
        if self.lufs_readout:
            text = f"{text} · {self._lufs_text}"
        self.percent.setFullText(text)
        self.mute_button.setText(MUTED_TEXT if self.muted else MUTE_TEXT)

    def set_phase(self, phase: StripPhase) -> None:
        self.phase = phase
        live = phase is StripPhase.PLAYING
        usable = phase in (StripPhase.PLAYING, StripPhase.PAUSED)
        for w in (self.slider, self.mute_button):
            w.setEnabled(usable)
        # A strip that is going (or whose server is gone) records nothing new;
        # a recording under way can still be stopped.
        self.record_button.setEnabled(usable or self.recording)
        self.waveform.set_active(live)
        state = "" if live else phase.value.capitalize()
        self.pid_label.setFullText(f"{self.subtitle} · {state}" if state else self.subtitle)
        self._set_style_flag("gone", phase in (StripPhase.EXITED, StripPhase.SERVER_LOST))
        if phase in (StripPhase.EXITED, StripPhase.SERVER_LOST):
            self.meter.reset()

    # ---- the display timer ----------------------------------------------------------

    def refresh(self, now: float, meter_dt: float, slow: bool) -> tuple[bool, bool]:
        """Pull the newest view data (the meter's only if `meter_dt` > 0).

        Returns (waveform redrawn, meter changed).
        """
        wave = self.waveform.refresh(now)
        metered = False
        if meter_dt > 0 and self.phase in (StripPhase.PLAYING, StripPhase.PAUSED):
            level = self.buffer.take_peak()
            if self.lufs_readout:
                level = self._lufs_level()
            metered = self.meter.feed(level, now, meter_dt)
            if metered:
                self.meter.update()
        if slow:
            self.record_panel.refresh()
        return wave, metered

    # ---- loudness ------------------------------------------------------------------

    def set_lufs_readout(self, on: bool) -> None:
        """Show short-term LUFS (the worker's readings) instead of the peak, or back."""
        self.lufs_readout = on
        self.buffer.lufs = None
        self._lufs_text = "… LUFS"  # until the worker's first reading
        self.meter.reset()
        self._show_volume()

    def _lufs_level(self) -> float:
        """The newest short-term LUFS as the meter's amplitude (its dB scale reads LUFS)."""
        lufs = self.buffer.lufs
        if lufs is None:
            return 0.0
        text = format_lufs(lufs, 0) if math.isfinite(lufs) else "-∞ LUFS"
        if text != self._lufs_text:
            self._lufs_text = text
            self._show_volume()
        return 10 ** (lufs / 20) if math.isfinite(lufs) else 0.0

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

    def recording_ended(self, message: str, detail: str, path: Path | None = None) -> None:
        self._updating = True
        try:
            self.record_button.setChecked(False)
        finally:
            self._updating = False
        self.record_panel.ended(message, detail, path)
        self._set_style_flag("recording", False)
        self.set_phase(self.phase)  # Rec stays usable only on a live strip

    def _update_warning(self) -> None:
        text = recording_warning(self.muted, self.volume) if self.recording else None
        self.record_panel.set_warning(text)

    # ---- user input ------------------------------------------------------------------

    def _slider_moved(self, value: int) -> None:
        if self._updating:
            self.percent.setFullText(f"{value}%")
            return
        self.volume = value / 100
        if self.channel_volumes:
            # The engine keeps the balance: show it with the new loudness meanwhile.
            loudest = max(self.channel_volumes) or 1.0
            self.channel_volumes = tuple(v * self.volume / loudest for v in self.channel_volumes)
        self._show_volume()
        self._echo.requested(self.volume)
        self.volumeRequested.emit(self.key, self.volume)
        self._update_warning()

    def _mute_clicked(self, checked: bool) -> None:
        self.mute_button.setText(MUTED_TEXT if checked else MUTE_TEXT)
        if not self._updating:
            self.muted = checked
            self.muteRequested.emit(self.key, checked)
            self._update_warning()

    def _record_clicked(self, checked: bool) -> None:
        if not self._updating:
            self.recordRequested.emit(self.key, checked)

    @property
    def armed(self) -> bool:
        return self.arm_button.isChecked()

    def set_armed(self, armed: bool) -> None:
        """Show the strip armed or not, without asking for anything."""
        self._check_quietly(self.arm_button, armed)

    def _check_quietly(self, button: QAbstractButton, on: bool) -> None:
        """Set a toggle's state as the state is, not as a request."""
        self._updating = True
        try:
            button.setChecked(on)
        finally:
            self._updating = False

    def set_in_take(self, on: bool) -> None:
        """Recorded by the master Record: the recording border, unless its own Rec runs."""
        self._set_style_flag("recording", on or self.recording)

    def _arm_clicked(self, checked: bool) -> None:
        if not self._updating:
            self.armToggled.emit(self.key, checked)

    def open_device_choice(self) -> bool:
        """Open the output device choice (the D key); False where there is none."""
        if not self.route.isVisible():
            return False
        self.route.showPopup()
        return True

    def open_balance(self) -> BalancePopup:
        popup = BalancePopup(self.volume, self.channel_volumes, self)
        popup.balanceRequested.connect(lambda lr: self.balanceRequested.emit(self.key, lr))
        popup.slider.setEnabled(len(self.channel_volumes) == 2 and self.slider.isEnabled())
        self.balance_popup = popup
        popup.popup(QCursor.pos())
        return popup

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
            if key == Qt.Key.Key_D and self.open_device_choice():
                return True
            if key == Qt.Key.Key_R and self.record_button.isEnabled():
                self.record_button.toggle()
                return True
            if watched is self.slider and key == Qt.Key.Key_Home:
                self.slider.setValue(100)  # QSlider's Home is its minimum: silence by accident
                return True
            if watched is self.slider and key == Qt.Key.Key_End:
                return True  # its maximum would be full boost: no key should do that
        elif kind == QEvent.Type.MouseButtonPress and watched is self.meter:
            self.meterClicked.emit()
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


def stream_title(info: SessionInfo) -> str:
    """What the app plays, from its streams' titles ("" where none says more
    than the app's name): the playing stream's first, then "+n" for the others."""
    titles = [t.title for t in info.streams if t.title and t.title != info.display_name]
    playing = [t.title for t in info.streams if t.playing and t.title in titles]
    if not titles:
        return ""
    first = playing[0] if playing else titles[0]
    others = len(set(titles)) - 1
    return f"{first} +{others}" if others else first

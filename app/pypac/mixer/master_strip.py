"""The master strip: the default output device, pinned left of the app strips.

Its name is the device's, its slider the device's volume (the engine keeps the
balance), Mute mutes the device; its waveform and meter are the whole output.
Beside its fader sits the default microphone: a small slider, its level (while
an app uses the microphone: the mixer does not open it otherwise), a mute
toggle and its Arm (studio.py). The Devices menu (where app strips have their device choice)
switches the default output and microphone.

Like every strip it only emits requests; the window sends them to the worker.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QActionGroup, QIcon
from PySide6.QtWidgets import (
    QHBoxLayout,
    QMenu,
    QSizePolicy,
    QSlider,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from pypac.engine import DeviceInfo, DeviceKind

from .device_table import MIC_KEY, DeviceTable
from .echo_guard import EchoGuard, shown_volume
from .levels import WaveBuffer
from .meter import PeakMeter
from .session_model import SYSTEM_KEY, StripPhase
from .strip import ARM_TEXT, ROUTE_ROW_PX, SLIDER_MIN_PX, ChannelStrip
from .theme import Theme, named
from .volume_text import percent_text

NO_OUTPUT = "No output device"
MIC_TEXT, MIC_MUTED_TEXT = "Mic", "Mic off"


class MasterStrip(ChannelStrip):
    deviceVolumeRequested = Signal(str, float)  # device id, volume
    deviceMuteRequested = Signal(str, bool)
    defaultDeviceRequested = Signal(str)  # device id (an output or an input)

    def __init__(self, icon: QIcon, theme: Theme, parent: QWidget | None = None) -> None:
        super().__init__(SYSTEM_KEY, NO_OUTPUT, "Output device", icon, theme, parent)
        self.output: DeviceInfo | None = None
        self.mic: DeviceInfo | None = None
        self.mic_buffer = WaveBuffer()  # the microphone's level (MIC_KEY's view)
        self._mic_echo: EchoGuard[float] = EchoGuard()
        self._devices = DeviceTable()
        self.removeAction(self.balance_action)  # the device's balance: the OS mixer's job
        self.slider.setAccessibleName("Output device volume")
        self.volumeRequested.connect(self._volume_requested)
        self.muteRequested.connect(self._mute_requested)
        self._build_mic_column(theme)
        # Focus on the strip itself too (M, R work there), as on the old System strip.
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.installEventFilter(self)

    def _build_route_row(self) -> None:
        self.device_button = named(QToolButton(), "deviceMenu")
        self.device_button.setText("Devices ▾")
        self.device_button.setToolTip("Choose the default output device and microphone")
        self.device_button.setAccessibleName("Devices")
        self.device_button.setFixedHeight(ROUTE_ROW_PX)
        self.device_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.device_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.device_menu = QMenu(self.device_button)
        self.device_menu.aboutToShow.connect(self.fill_device_menu)
        self.device_menu.triggered.connect(self._device_chosen)
        self.device_button.setMenu(self.device_menu)
        self.device_button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.route_layout.addWidget(self.device_button, 1)

    def _build_mic_column(self, theme: Theme) -> None:
        column = QVBoxLayout()
        column.setSpacing(2)
        row = QHBoxLayout()
        row.setSpacing(3)
        self.mic_slider = QSlider(Qt.Orientation.Vertical)
        self.mic_slider.setRange(0, 100)
        self.mic_slider.setSingleStep(5)
        self.mic_slider.setPageStep(10)
        self.mic_slider.setMinimumHeight(SLIDER_MIN_PX // 2)
        self.mic_slider.setAccessibleName("Microphone volume")
        self.mic_slider.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Tab: strip to strip
        self.mic_slider.valueChanged.connect(self._mic_moved)
        self.mic_meter = PeakMeter(theme)
        self.mic_meter.setMinimumHeight(SLIDER_MIN_PX // 2)
        self.mic_meter.setToolTip("The microphone's level, shown while an app uses it")
        row.addWidget(self.mic_slider)
        row.addWidget(self.mic_meter)
        column.addLayout(row, 1)
        self.mic_button = named(QToolButton(), "micMute")
        self.mic_button.setCheckable(True)
        self.mic_button.setText(MIC_TEXT)
        self.mic_button.setAccessibleName("Mute the microphone")
        self.mic_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.mic_button.toggled.connect(self._mic_muted)
        # The microphone's Arm, beside its mute (below it would make the strip taller).
        self.mic_arm_button = named(QToolButton(), "arm")
        self.mic_arm_button.setText(ARM_TEXT)
        self.mic_arm_button.setCheckable(True)
        self.mic_arm_button.setFixedHeight(self.mic_button.sizeHint().height())
        self.mic_arm_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.mic_arm_button.setToolTip("Arm the microphone: the master Record takes it too")
        self.mic_arm_button.setAccessibleName("Arm the microphone")
        self.mic_arm_button.toggled.connect(self._mic_arm_clicked)
        buttons = QHBoxLayout()
        buttons.setSpacing(2)
        buttons.addWidget(self.mic_button)
        buttons.addWidget(self.mic_arm_button)
        column.addLayout(buttons)
        self.fader.insertSpacing(self.fader.count() - 1, 10)
        self.fader.insertLayout(self.fader.count() - 1, column)
        self._show_mic()

    # ---- what the server says ---------------------------------------------------

    def apply_devices(self, devices: DeviceTable) -> None:
        """The default output and microphone, as the model has them now."""
        self._devices = devices
        self.output = devices.default(DeviceKind.OUTPUT)
        self.mic = devices.default(DeviceKind.INPUT)
        out = self.output
        self.set_name(out.description or out.id if out is not None else NO_OUTPUT)
        if out is not None:
            self.show_level(out.volume, out.muted, out.channel_volumes)
        mic = self.mic
        self._updating = True
        try:
            if mic is not None:
                volume = shown_volume(self._mic_echo, mic.volume)
                if not self.mic_slider.isSliderDown():
                    self.mic_slider.setValue(round(volume * 100))
                self.mic_button.setChecked(mic.muted)
        finally:
            self._updating = False
        self._show_mic()
        self.set_phase(self.phase)  # controls usable only with a device to act on

    def set_theme(self, theme: Theme) -> None:
        super().set_theme(theme)
        self.mic_meter.set_theme(theme)

    def _show_mic(self) -> None:
        mic = self.mic
        name = f"Mic: {mic.description or mic.id}" if mic is not None else "No microphone"
        self.title_label.setFullText(name)
        muted = self.mic_button.isChecked()
        self.mic_button.setText(MIC_MUTED_TEXT if muted else MIC_TEXT)
        level = percent_text(self.mic_slider.value() / 100)
        self.mic_slider.setToolTip(f"Microphone volume: {level}")
        for w in (self.mic_slider, self.mic_button, self.mic_meter, self.mic_arm_button):
            w.setVisible(mic is not None)

    def set_phase(self, phase: StripPhase) -> None:
        super().set_phase(phase)
        usable = phase in (StripPhase.PLAYING, StripPhase.PAUSED)
        out, mic = usable and self.output is not None, usable and self.mic is not None
        for w, on in (
            (self.slider, out),
            (self.mute_button, out),
            (self.mic_slider, mic),
            (self.mic_button, mic),
            (self.mic_arm_button, mic),
        ):
            w.setEnabled(on)
        self.device_button.setEnabled(usable)
        if not usable:
            self.mic_meter.reset()

    def refresh(self, now: float, meter_dt: float, slow: bool) -> tuple[bool, bool]:
        wave, metered = super().refresh(now, meter_dt, slow)
        live = meter_dt > 0 and self.mic is not None and self.mic_slider.isEnabled()
        if live and self.mic_meter.feed(self.mic_buffer.take_peak(), now, meter_dt):
            self.mic_meter.update()
            metered = True
        return wave, metered

    # ---- the devices menu ---------------------------------------------------------------

    def fill_device_menu(self) -> None:
        """Every output and microphone, the defaults checked (filled as it opens)."""
        menu = self.device_menu
        menu.clear()
        for title, devices in (
            ("Output device", self._devices.outputs()),
            ("Microphone", self._devices.inputs()),
        ):
            menu.addSection(title)
            group = QActionGroup(menu)
            if not devices:
                menu.addAction("None").setEnabled(False)
            for d in devices:
                action = menu.addAction(d.description or d.id)
                action.setCheckable(True)
                action.setChecked(d.is_default)
                action.setData(d.id)
                action.setToolTip(d.id)
                group.addAction(action)

    def open_device_choice(self) -> bool:
        self.device_button.showMenu()
        return True

    def _device_chosen(self, action: QAction) -> None:
        device_id = action.data()
        if isinstance(device_id, str):
            self.defaultDeviceRequested.emit(device_id)

    # ---- user input ------------------------------------------------------------------

    def _volume_requested(self, _key: int, volume: float) -> None:
        if self.output is not None:
            self.deviceVolumeRequested.emit(self.output.id, volume)

    def _mute_requested(self, _key: int, muted: bool) -> None:
        if self.output is not None:
            self.deviceMuteRequested.emit(self.output.id, muted)

    def _mic_moved(self, value: int) -> None:
        self._show_mic()
        if not self._updating and self.mic is not None:
            self._mic_echo.requested(value / 100)
            self.deviceVolumeRequested.emit(self.mic.id, value / 100)

    @property
    def mic_armed(self) -> bool:
        return self.mic is not None and self.mic_arm_button.isChecked()

    def set_mic_armed(self, armed: bool) -> None:
        self._check_quietly(self.mic_arm_button, armed)

    def _mic_arm_clicked(self, checked: bool) -> None:
        if not self._updating:
            self.armToggled.emit(MIC_KEY, checked)

    def _mic_muted(self, muted: bool) -> None:
        self._show_mic()
        if not self._updating and self.mic is not None:
            self.deviceMuteRequested.emit(self.mic.id, muted)

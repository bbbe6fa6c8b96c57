"""Devices in the window: the master strip shows the default output and
microphone, each app strip its output device choice and its "Mic" mark, all
from the model's `DeviceTable`; their requests go to the worker through
`window.link` (device volume, mute, default, moving an app). An app's choice
is remembered (`RouteMemory`, stored in the settings) and applied again when
the app comes back.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject

from pypac.engine import SessionInfo

from .route_memory import RouteMemory
from .session_model import SYSTEM_KEY, TableChange
from .settings import APP_OUTPUTS
from .strip import ChannelStrip

if TYPE_CHECKING:
    from .main_window import MixerWindow


class DeviceLinks(QObject):
    def __init__(self, window: MixerWindow) -> None:
        super().__init__(window)
        self.window = window
        settings = window.settings
        self.memory = RouteMemory(
            settings.value(APP_OUTPUTS),
            on_change=lambda routes: settings.set_value(APP_OUTPUTS, routes),
        )
        link, master = window.link, window.system_strip
        master.deviceVolumeRequested.connect(link.set_device_volume)
        master.deviceMuteRequested.connect(link.set_device_mute)
        master.defaultDeviceRequested.connect(link.set_default_device)
        model = window.model
        model.devicesChanged.connect(self.show_devices)
        model.recordingChanged.connect(self.show_devices)
        model.changed.connect(self._strips_changed)  # after the window made the strips
        model.sessionsReset.connect(self._reset)
        model.sessionUpdated.connect(self._updated)
        model.sessionRemoved.connect(self.memory.removed)
        model.serverLost.connect(lambda _reason: self.memory.server_lost())

    def show_devices(self) -> None:
        devices = self.window.model.devices
        self.window.system_strip.apply_devices(devices)
        for strip in self.window.strips.values():
            if strip.key != SYSTEM_KEY:
                self._show_route(strip)

    def _show_route(self, strip: ChannelStrip) -> None:
        entry = self.window.table.entries.get(strip.key)
        if entry is None:
            return
        devices = self.window.model.devices
        strip.show_route(
            devices.outputs(), entry.info.device_id, devices.records_microphone(entry.info)
        )

    def _strips_changed(self, change: TableChange) -> None:
        for pid in change.added:
            strip = self.window.strips.get(pid)
            if strip is not None:
                strip.routeRequested.connect(self.route)
        for pid in change.added + change.updated:
            strip = self.window.strips.get(pid)
            if strip is not None:
                self._show_route(strip)

    def route(self, pid: int, device_id: str) -> None:
        """The user sent the app to `device_id` from its strip."""
        entry = self.window.table.entries.get(pid)
        if entry is not None:
            self.memory.chosen(entry.info, device_id)
        self.window.link.move_session(pid, device_id)

    # ---- bringing remembered choices back -----------------------------------------

    def _outputs(self) -> set[str]:
        return {d.id for d in self.window.model.devices.outputs()}

    def _reset(self, infos: list[SessionInfo]) -> None:
        for pid, device_id in self.memory.reset(infos, self._outputs()):
            self.window.link.move_session(pid, device_id)

    def _updated(self, info: SessionInfo) -> None:
        device_id = self.memory.observe(info, self._outputs())
        if device_id is not None:
            self.window.link.move_session(info.process_id, device_id)

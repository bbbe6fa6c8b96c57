"""The mixer's one model on the GUI thread: the sessions (`SessionTable`), the
server's state and its volume limit, the devices and the apps that record
(`DeviceTable`). It applies what the worker reports, then
emits its own signals; the window, strips, tray, flyout, visibility and level
memory subscribe to it, never to the worker or to each other.

Its signals come in a fixed order for each report: `changed` (the table's
TableChange: the window adds, updates and removes strips) first, then the
report itself (`sessionUpdated`, `sessionsReset`, ...), so a view that looks at
the strips finds them in place whatever order views connected in.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from pypac.engine import DeviceInfo, SessionInfo

from .device_table import DeviceTable
from .session_model import SessionTable, StripPhase, TableChange
from .worker import EngineWorker


class MixerModel(QObject):
    changed = Signal(object)  # TableChange, after the table applied a report
    sessionsReset = Signal(list)  # list[SessionInfo]: a full listing
    sessionUpdated = Signal(object)  # SessionInfo (added or changed)
    sessionRemoved = Signal(int)  # pid
    serverConnected = Signal()
    serverLost = Signal(str)  # why
    maxVolumeChanged = Signal(float)
    devicesChanged = Signal()  # `devices.devices` is new (a volume, a default, a device came)
    recordingChanged = Signal()  # `devices.recording` is new

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.table = SessionTable()
        self.server_up = False
        self.max_volume = 1.0
        self.devices = DeviceTable()

    def follow(self, worker: EngineWorker) -> None:
        """Apply the worker's reports from now on (queued: on this thread)."""
        worker.sessionsReset.connect(self._reset)
        worker.sessionUpdated.connect(self._updated)
        worker.sessionRemoved.connect(self._removed)
        worker.serverConnected.connect(self._connected)
        worker.serverLost.connect(self._lost)
        worker.maxVolume.connect(self._max_volume)
        worker.devicesChanged.connect(self._devices)
        worker.recordingApps.connect(self._recording)

    def live_sessions(self) -> list[SessionInfo]:
        """Sessions that can be acted on: listed, not exited, server up."""
        return [
            e.info
            for e in self.table.entries.values()
            if e.phase in (StripPhase.PLAYING, StripPhase.PAUSED)
        ]

    # ---- what the worker reports -----------------------------------------------------

    def _reset(self, infos: list[SessionInfo]) -> None:
        self._emit(self.table.reset(infos))
        self.sessionsReset.emit(infos)

    def _updated(self, info: SessionInfo) -> None:
        self._emit(self.table.update(info))
        self.sessionUpdated.emit(info)

    def _removed(self, pid: int) -> None:
        self._emit(self.table.mark_gone(pid))
        self.sessionRemoved.emit(pid)

    def _connected(self, _address: str) -> None:
        if not self.server_up:
            self.server_up = True
            self.serverConnected.emit()

    def _lost(self, reason: str) -> None:
        self.server_up = False
        self._emit(self.table.server_lost())
        self.serverLost.emit(reason)

    def _max_volume(self, value: float) -> None:
        if value != self.max_volume:
            self.max_volume = value
            self.maxVolumeChanged.emit(value)

    def _devices(self, devices: list[DeviceInfo]) -> None:
        self.devices.devices = list(devices)
        self.devicesChanged.emit()

    def _recording(self, recording: dict[int, str]) -> None:
        self.devices.recording = dict(recording)
        self.recordingChanged.emit()

    # ---- what the views decide --------------------------------------------------------

    def expire(self) -> None:
        """Drop exited sessions that lingered long enough."""
        self._emit(self.table.expire())

    def drop(self, pid: int) -> None:
        """Drop an exited session now (its app's new run takes its place)."""
        self._emit(self.table.drop(pid))

    def set_recording(self, pid: int, recording: bool) -> None:
        self.table.set_recording(pid, recording)

    def _emit(self, change: TableChange) -> None:
        if change.added or change.updated or change.removed:
            self.changed.emit(change)

"""The GUI side of the engine worker (worker.py): owns the worker's thread and
sends it every request as a queued signal, so no blocking engine call ever
runs on the GUI thread.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QMetaObject, QObject, Qt, QThread, Signal

from .worker import EngineWorker


class EngineLink(QObject):
    """The GUI side: owns the worker's thread and sends it requests as queued signals."""

    _volume = Signal(int, float)
    _mute = Signal(int, bool)
    _channels = Signal(int, list)
    _views = Signal(object)
    _sampled = Signal(object)
    _loudness = Signal(bool)
    _record = Signal(int, str, str)
    _stop_record = Signal(int)
    _device_volume = Signal(str, float)
    _device_mute = Signal(str, bool)
    _default_device = Signal(str)
    _move = Signal(int, str)
    _take = Signal(list, str, str)
    _stop_take = Signal()
    _replay = Signal(list, float)
    _save_replay = Signal(int, str, float, str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.worker_thread = QThread()
        self.worker_thread.setObjectName("pypac-engine-worker")
        self.worker = EngineWorker()
        self.worker.moveToThread(self.worker_thread)
        self.worker_thread.started.connect(self.worker.start)
        self._volume.connect(self.worker.set_volume)
        self._mute.connect(self.worker.set_mute)
        self._channels.connect(self.worker.set_channel_volumes)
        self._views.connect(self.worker.set_view_targets)
        self._sampled.connect(self.worker.set_sampled)
        self._loudness.connect(self.worker.set_loudness)
        self._record.connect(self.worker.start_recording)
        self._stop_record.connect(self.worker.stop_recording)
        self._device_volume.connect(self.worker.set_device_volume)
        self._device_mute.connect(self.worker.set_device_mute)
        self._default_device.connect(self.worker.set_default_device)
        self._move.connect(self.worker.move_session)
        self._take.connect(self.worker.start_take)
        self._stop_take.connect(self.worker.stop_take)
        self._replay.connect(self.worker.set_replay)
        self._save_replay.connect(self.worker.save_replay)
        self._running = False

    def start(self) -> None:
        self.worker_thread.start()
        self._running = True

    def set_volume(self, pid: int, volume: float) -> None:
        self._volume.emit(pid, volume)

    def set_mute(self, pid: int, muted: bool) -> None:
        self._mute.emit(pid, muted)

    def set_channel_volumes(self, pid: int, volumes: list[float]) -> None:
        self._channels.emit(pid, list(volumes))

    def set_device_volume(self, device_id: str, volume: float) -> None:
        self._device_volume.emit(device_id, volume)

    def set_device_mute(self, device_id: str, muted: bool) -> None:
        self._device_mute.emit(device_id, muted)

    def set_default_device(self, device_id: str) -> None:
        self._default_device.emit(device_id)

    def move_session(self, pid: int, device_id: str) -> None:
        self._move.emit(pid, device_id)

    def set_view_targets(self, keys: frozenset[int]) -> None:
        self._views.emit(frozenset(keys))

    def set_sampled(self, keys: frozenset[int]) -> None:
        self._sampled.emit(frozenset(keys))

    def set_loudness(self, on: bool) -> None:
        self._loudness.emit(on)

    def start_recording(self, key: int, path: Path, fmt: str) -> None:
        self._record.emit(key, str(path), fmt)

    def stop_recording(self, key: int) -> None:
        self._stop_record.emit(key)

    def start_take(self, keys: list[int], folder: Path, fmt: str) -> None:
        self._take.emit(list(keys), str(folder), fmt)

    def stop_take(self) -> None:
        self._stop_take.emit()

    def set_replay(self, keys: list[int], seconds: float) -> None:
        """Keep the last `seconds` of these strips' sources ([]: replay off)."""
        self._replay.emit(list(keys), float(seconds))

    def save_replay(self, request: int, folder: Path, seconds: float, name: str) -> None:
        """Save the replay (seconds 0: all it keeps; name "": every track)."""
        self._save_replay.emit(request, str(folder), float(seconds), name)

    def shutdown(self) -> None:
        """Finalize recordings and stop the thread; blocks (only at exit)."""
        if not self._running:
            return
        self._running = False
        QMetaObject.invokeMethod(
            self.worker, "shutdown", Qt.ConnectionType.BlockingQueuedConnection
        )
        self.worker_thread.quit()
        self.worker_thread.wait()

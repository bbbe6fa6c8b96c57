"""The engine worker: a QObject on its own QThread that owns every engine call.

`set_session_volume`/`set_session_mute`, the device calls and opening a capture
block until the server answers, so the GUI thread never makes them: it emits
requests (engine_link.py) that arrive here as queued slot calls. Every tick the
worker drains the session events (emitted as signals), reads the devices again
after a device event and the apps that record once a second (device_watch.py),
and reduces what the view captures buffered to
min/max envelopes, sent to the GUI as one queued `viewData` signal per tick
carrying the new buckets of every visible strip: the GUI thread owns what it
draws, no buffer is shared. Recordings are `pypac.Recorder`s started here;
they write on their own threads and go on when views stop.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from pypac.engine import (
    DeviceCapture,
    DeviceKind,
    EventKind,
    ProcessCapture,
    SessionEnumerator,
    SimpleLoopback,
    _Capture,
)
from pypac.errors import DeviceNotFoundError, PyPACError, SessionNotFoundError
from pypac.loudness import LoudnessMeter

from .device_table import MIC_KEY
from .device_watch import DeviceWatch
from .levels import Envelope, EnvelopeReducer
from .session_model import SYSTEM_KEY
from .studio_jobs import StudioJobs

TICK_MS = 33  # views slide by wall time between pushes (levels.LAG_BUCKETS)
# After IDLE_AFTER ticks in a row with nothing but silence and no events, the
# worker ticks every IDLE_TICK_MS until sound or an event comes: an open,
# idle mixer costs next to nothing, and sound still shows within that time.
IDLE_AFTER = 30
IDLE_TICK_MS = 250
RETRY_S = 1.0  # how often a missing server or a failed view capture is tried again
VIEW_RING_S = 1.0  # views read every tick; a short ring is plenty
# How often a strip's short-term LUFS is read: a reading sums the meter's whole 3 s window
# (bench/loudness.py), and a number on a strip needs no more than this.
LUFS_READ_S = 0.25


@dataclass
class _View:
    reducer: EnvelopeReducer
    capture: _Capture | None = None
    retry_at: float = 0.0  # when to try opening again after a failure
    loudness: LoudnessMeter | None = None  # while strips show LUFS
    lufs_read_at: float = 0.0
    device_id: str = ""  # the microphone's view: the device it listens to


class EngineWorker(QObject):
    serverConnected = Signal(str)  # the server's address
    maxVolume = Signal(float)  # the backend's highest volume (1.5: boost to 150%)
    serverLost = Signal(str)  # why
    sessionsReset = Signal(list)  # list[SessionInfo]: everything, after (re)connecting
    sessionUpdated = Signal(object)  # SessionInfo (ADDED or CHANGED)
    sessionRemoved = Signal(int)  # pid
    commandFailed = Signal(str)
    recordingStarted = Signal(int, object)  # key, pypac.recording.Recorder
    recordingFailed = Signal(int, str)  # key, message
    recordingFinished = Signal(int, object)  # key, RecordingStatus (emitted on the writer thread)
    viewData = Signal(object)  # dict[key, levels.Envelope]: the new buckets of this tick
    devicesChanged = Signal(list)  # list[DeviceInfo]: every device, after any changed
    recordingApps = Signal(object)  # dict[pid, device id]: the apps that record
    takeStarted = Signal(object)  # pypac.Take (the master Record, studio.py)
    takeFailed = Signal(str)
    takeFinished = Signal(object)  # TakeStatus (emitted on the take's thread)
    replayChanged = Signal(object)  # the ReplayBuffer now kept, or None (replay off)
    replayFailed = Signal(str)
    replaySaved = Signal(int, object, str, str)  # request, TakeStatus or None, why not, message

    def __init__(self) -> None:
        super().__init__()
        self._en: SessionEnumerator | None = None
        self._next_connect = 0.0
        self._views: dict[int, _View] = {}
        self._recorders: dict[int, Any] = {}
        self._timer: QTimer | None = None
        self._connected = False
        self._quiet_ticks = 0
        self._sampled: set[int] = set()  # keys whose raw samples a scope wants
        self._lufs = False  # strips show short-term LUFS instead of peaks
        self._devices = DeviceWatch()
        self._studio = StudioJobs(
            self.takeFinished.emit, self.replaySaved.emit, microphone=self._default_mic
        )

    # ---- life cycle (on the worker thread) -------------------------------------

    @Slot()
    def start(self) -> None:
        self._timer = QTimer(self)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self._tick)
        self._timer.start()
        self._tick()

    @Slot()
    def shutdown(self) -> None:
        """Stop views, finalize recordings, close the enumerator."""
        if self._timer is not None:
            self._timer.stop()
        for view in self._views.values():
            if view.capture is not None:
                view.capture.stop()
        self._views.clear()
        for rec in list(self._recorders.values()):
            rec.stop()
        self._recorders.clear()
        self._studio.shutdown()
        if self._en is not None:
            self._en.close()
            self._en = None

    # ---- requests from the GUI ---------------------------------------------------

    @Slot(int, float)
    def set_volume(self, pid: int, volume: float) -> None:
        self._command(lambda en: en.set_session_volume(pid, volume))

    @Slot(int, list)
    def set_channel_volumes(self, pid: int, volumes: list[float]) -> None:
        self._command(lambda en: en.set_session_channel_volumes(pid, volumes))

    @Slot(int, bool)
    def set_mute(self, pid: int, muted: bool) -> None:
        self._command(lambda en: en.set_session_mute(pid, muted))

    @Slot(str, float)
    def set_device_volume(self, device_id: str, volume: float) -> None:
        self._device_command(lambda en: en.set_device_volume(device_id, volume))

    @Slot(str, bool)
    def set_device_mute(self, device_id: str, muted: bool) -> None:
        self._device_command(lambda en: en.set_device_mute(device_id, muted))

    @Slot(str)
    def set_default_device(self, device_id: str) -> None:
        self._device_command(lambda en: en.set_default_device(device_id))

    @Slot(int, str)
    def move_session(self, pid: int, device_id: str) -> None:
        self._command(lambda en: en.move_session(pid, device_id))

    def _device_command(self, call: Any) -> None:
        self._command(call)
        # Read the devices again next tick whatever the events say: the view of
        # the default device must follow at once (a new default moves the views too).
        self._devices.stale = True

    @Slot(object)
    def set_view_targets(self, keys: frozenset[int]) -> None:
        """Capture exactly these strips; stop every other view."""
        for key in list(self._views):
            if key not in keys:
                view = self._views.pop(key)
                if view.capture is not None:
                    view.capture.stop()
        for key in keys:
            if key not in self._views:
                self._views[key] = _View(EnvelopeReducer())
        self._open_views()

    @Slot(object)
    def set_sampled(self, keys: frozenset[int]) -> None:
        """Also send these views' raw samples (an open scope's spectrum needs them)."""
        self._sampled = set(keys)

    @Slot(bool)
    def set_loudness(self, on: bool) -> None:
        """Measure each view's short-term LUFS (sent in its envelopes) while `on`."""
        self._lufs = on
        if not on:
            for view in self._views.values():
                view.loudness = None

    @Slot(int, str, str)
    def start_recording(self, key: int, path: str, fmt: str) -> None:
        from pypac.recording import Recorder  # soundfile loads only when someone records

        if key in self._recorders:
            return
        try:
            rec = Recorder(
                None if key == SYSTEM_KEY else key,
                Path(path),
                format=fmt,
                on_finished=lambda status: self._recording_ended(key, status),
            )
            rec.start()
        except (PyPACError, OSError) as exc:
            self.recordingFailed.emit(key, f"Cannot record: {exc}")
            return
        self._recorders[key] = rec
        self.recordingStarted.emit(key, rec)

    @Slot(int)
    def stop_recording(self, key: int) -> None:
        rec = self._recorders.get(key)
        if rec is not None:
            rec.request_stop()  # no wait: the writer finishes the file, then on_finished reports

    @Slot(list, str, str)
    def start_take(self, keys: list[int], folder: str, fmt: str) -> None:
        try:
            take = self._studio.start_take(keys, folder, fmt)
        except (PyPACError, OSError) as exc:
            self.takeFailed.emit(f"Cannot record a take: {exc}")
            return
        self.takeStarted.emit(take)

    @Slot()
    def stop_take(self) -> None:
        self._studio.stop_take()

    @Slot(list, float)
    def set_replay(self, keys: list[int], seconds: float) -> None:
        """Keep the last `seconds` of these strips' sources ([]: replay off)."""
        try:
            replay = self._studio.set_replay(keys, seconds)
        except (PyPACError, OSError) as exc:
            self.replayChanged.emit(None)
            self.replayFailed.emit(f"Instant replay cannot start: {exc}")
            return
        self.replayChanged.emit(replay)

    @Slot(int, str, float, str)
    def save_replay(self, request: int, folder: str, seconds: float, name: str) -> None:
        self._studio.save_replay(request, folder, seconds, name)

    def _recording_ended(self, key: int, status: Any) -> None:
        # Runs on the recorder's writer thread; the signal is queued to the GUI.
        self._recorders.pop(key, None)
        self.recordingFinished.emit(key, status)

    # ---- the tick -------------------------------------------------------------------

    def _command(self, call: Any) -> None:
        if self._en is None:
            self.commandFailed.emit("The sound server is not connected")
            return
        try:
            call(self._en)
        except SessionNotFoundError:
            pass  # the app exited meanwhile; its REMOVED event is on its way
        except PyPACError as exc:
            self.commandFailed.emit(str(exc))

    def _tick(self) -> None:
        if self._en is None and not self._connect():
            return
        events = self._drain_events()
        self._report_devices()
        sound = self._pump_views()
        self._pace(events or sound or bool(self._recorders))

    def _pace(self, busy: bool) -> None:
        self._quiet_ticks = 0 if busy else self._quiet_ticks + 1
        interval = IDLE_TICK_MS if self._quiet_ticks >= IDLE_AFTER else TICK_MS
        if self._timer is not None and self._timer.interval() != interval:
            self._timer.setInterval(interval)

    def _connect(self) -> bool:
        now = time.monotonic()
        if now < self._next_connect:
            return False
        self._next_connect = now + RETRY_S
        try:
            self._en = SessionEnumerator(connect_timeout=0.5)
        except PyPACError as exc:
            self.serverLost.emit(str(exc))
            return False
        self._resync()
        return True

    def _resync(self) -> None:
        assert self._en is not None
        try:
            sessions = self._en.enumerate_sessions()
        except PyPACError as exc:
            self._lost(str(exc))
            return
        self._connected = True
        self.maxVolume.emit(self._en.max_volume)
        self.serverConnected.emit("")
        self.sessionsReset.emit(sessions)
        self._devices.reset()
        self._report_devices()
        self._open_views()

    def _lost(self, reason: str) -> None:
        self._connected = False
        self.serverLost.emit(reason or "the connection to the sound server was lost")

    def _drain_events(self) -> bool:
        """Emit the queued session events; True if there were any."""
        assert self._en is not None
        for n in range(512):  # bounded: the views must get their turn
            event = self._en.wait_event(0)
            if event is None:
                return n > 0
            if event.kind in (EventKind.ADDED, EventKind.CHANGED):
                self.sessionUpdated.emit(event.session)
            elif event.kind == EventKind.REMOVED:
                assert event.session is not None
                self.sessionRemoved.emit(event.session.process_id)
            elif event.kind == EventKind.SERVER_LOST:
                self._lost(event.detail)
            elif event.kind in (EventKind.SERVER_CONNECTED, EventKind.RESYNC):
                self._resync()
            elif event.kind in (
                EventKind.DEVICE_ADDED,
                EventKind.DEVICE_CHANGED,
                EventKind.DEVICE_REMOVED,
            ):
                self._devices.stale = True
        return True

    def _report_devices(self) -> None:
        assert self._en is not None
        if not self._connected:
            return
        devices = self._devices.devices(self._en)
        if devices is not None:
            self.devicesChanged.emit(devices)
            mic = self._views.get(MIC_KEY)
            if mic is not None and mic.capture is not None and mic.device_id != self._default_mic():
                mic.capture.stop()  # another default microphone: listen to that one
                mic.capture = None
        recording = self._devices.recording(self._en)
        if recording is not None:
            self.recordingApps.emit(recording)

    def _default_mic(self) -> str:
        devices = self._devices.last or []
        return next((d.id for d in devices if d.kind == DeviceKind.INPUT and d.is_default), "")

    def _new_view_capture(self, key: int, view: _View) -> _Capture:
        if key == SYSTEM_KEY:
            return SimpleLoopback(ring_seconds=VIEW_RING_S)
        if key == MIC_KEY:
            view.device_id = self._default_mic()
            if not view.device_id:
                raise DeviceNotFoundError("no microphone")  # retried: one may be plugged in
            return DeviceCapture(view.device_id, ring_seconds=VIEW_RING_S)
        return ProcessCapture(key, ring_seconds=VIEW_RING_S)

    def _open_views(self) -> None:
        if not self._connected:
            return
        now = time.monotonic()
        for key, view in self._views.items():
            if (view.capture is not None and view.capture.active) or now < view.retry_at:
                continue
            try:
                new = self._new_view_capture(key, view)
                new.start()
            except PyPACError:
                view.capture, view.retry_at = None, now + RETRY_S
                continue
            view.capture, view.loudness = new, None

    def _pump_views(self) -> bool:
        """Send what the view captures buffered, reduced, in one signal; True
        if any of it was sound (not silence)."""
        dead = sound = False
        data: dict[int, Envelope] = {}
        for key, view in self._views.items():
            cap = view.capture
            if cap is None:
                dead = True
                continue
            block = cap.get_buffer()
            if len(block):
                data[key] = view.reducer.reduce(block, keep_samples=key in self._sampled)
                if self._lufs:
                    data[key] = self._with_loudness(view, cap, block, data[key])
                sound = sound or bool(block.any())
            elif not cap.active:
                dead = True
        if data:
            self.viewData.emit(data)
        if dead:
            self._open_views()
        return sound

    @staticmethod
    def _with_loudness(view: _View, cap: _Capture, block: Any, env: Envelope) -> Envelope:
        if view.loudness is None:  # short-term only: its memory stays the same for days
            view.loudness = LoudnessMeter(
                cap.sample_rate, cap.channels, integrated=False, true_peak=False
            )
        view.loudness.add(block)
        now = time.monotonic()
        if now < view.lufs_read_at:
            return env
        view.lufs_read_at = now + LUFS_READ_S
        return replace(env, lufs=view.loudness.short_term_lufs)

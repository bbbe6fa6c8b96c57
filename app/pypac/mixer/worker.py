"""The engine worker: a QObject on its own QThread that owns every engine call.

`set_session_volume`/`set_session_mute` and opening a capture block until the
server answers, so the GUI thread never makes them: it emits requests that
arrive here as queued slot calls. Every tick the worker drains the session
events (emitted as signals) and reduces what the view captures buffered to
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

from PySide6.QtCore import QObject, QThread, QTimer, Signal, Slot

from pypac.engine import (
    EventKind,
    ProcessCapture,
    SessionEnumerator,
    SimpleLoopback,
    _Capture,
)
from pypac.errors import PyPACError, SessionNotFoundError
from pypac.loudness import LoudnessMeter

from .levels import Envelope, EnvelopeReducer
from .session_model import SYSTEM_KEY

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
        return True

    def _open_views(self) -> None:
        if not self._connected:
            return
        now = time.monotonic()
        for key, view in self._views.items():
            if (view.capture is not None and view.capture.active) or now < view.retry_at:
                continue
            new: _Capture = (
                SimpleLoopback(ring_seconds=VIEW_RING_S)
                if key == SYSTEM_KEY
                else ProcessCapture(key, ring_seconds=VIEW_RING_S)
            )
            try:
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

    def shutdown(self) -> None:
        """Finalize recordings and stop the thread; blocks (only at exit)."""
        if not self._running:
            return
        self._running = False
        from PySide6.QtCore import QMetaObject, Qt

        QMetaObject.invokeMethod(
            self.worker, "shutdown", Qt.ConnectionType.BlockingQueuedConnection
        )
        self.worker_thread.quit()
        self.worker_thread.wait()

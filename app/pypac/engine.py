"""The typed Python API over the native engine.

Knows nothing of Qt. One engine (one server connection, one backend thread)
serves the whole process; every `SessionEnumerator` and capture shares it.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from types import TracebackType

import numpy as np

from . import _engine, arguments
from .errors import (
    AmbiguousNameError,
    DeviceNotFoundError,
    SessionNotFoundError,
)

#: How long a new SessionEnumerator or capture waits for the server.
CONNECT_TIMEOUT_S = 5.0


# The engine's enums (IntEnums bound from the C++ ones, native/include/pypac/types.hpp).
SessionState = _engine.SessionState
EventKind = _engine.EventKind
DeviceKind = _engine.DeviceKind
CaptureEndReason = _engine.CaptureEndReason


@dataclass(frozen=True)
class StreamInfo:
    """One stream of an app: a browser plays one per tab."""

    index: int  # the server's id for it
    title: str  # what it plays, e.g. "YouTube video"; may be empty
    playing: bool  # False while paused
    device_id: str  # the output device it plays on

    @classmethod
    def _from_native(cls, s: _engine.StreamInfo) -> StreamInfo:
        return cls(int(s.index), s.title, bool(s.playing), s.device_id)


@dataclass(frozen=True)
class SessionInfo:
    """One application that plays sound: all streams of one process."""

    process_id: int
    process_name: str
    display_name: str
    icon_name: str
    state: SessionState
    volume: float
    muted: bool
    peak: float
    stream_count: int
    #: Every process this session covers, its own pid first (on Windows a
    #: browser's audio child process is listed under the browser).
    process_ids: tuple[int, ...] = ()
    #: Each channel's fader, front-left first (empty where the OS has none):
    #: the balance that `set_session_volume` keeps. `volume` is the loudest.
    channel_volumes: tuple[float, ...] = ()
    #: The output device it plays on (`DeviceInfo.id`; its loudest stream's
    #: when it plays on several); empty where unknown.
    device_id: str = ""
    #: Its streams, where the OS lists them (PulseAudio, PipeWire); empty on Windows.
    streams: tuple[StreamInfo, ...] = ()

    @classmethod
    def _from_native(cls, s: _engine.SessionInfo) -> SessionInfo:
        return cls(
            process_id=s.process_id,
            process_name=s.process_name,
            display_name=s.display_name,
            icon_name=s.icon_name,
            state=SessionState(s.state),
            volume=round(float(s.volume), 4),
            muted=bool(s.muted),
            peak=float(s.peak),
            stream_count=s.stream_count,
            process_ids=tuple(s.process_ids),
            channel_volumes=tuple(round(float(v), 4) for v in s.channel_volumes),
            device_id=s.device_id,
            streams=tuple(StreamInfo._from_native(t) for t in s.streams),
        )


@dataclass(frozen=True)
class DeviceInfo:
    """An output device (speakers, headset) or an input device (microphone)."""

    #: Stable while the device exists (PulseAudio's sink or source name).
    id: str
    #: What the OS mixer shows, e.g. "Built-in Audio Analog Stereo".
    description: str
    kind: DeviceKind
    volume: float  # the loudest channel's fader, 1.0 = 100%
    channel_volumes: tuple[float, ...]
    muted: bool
    is_default: bool  # where new streams of its kind go
    running: bool  # something plays through it (records from it) now

    @classmethod
    def _from_native(cls, d: _engine.DeviceInfo) -> DeviceInfo:
        return cls(
            id=d.id,
            description=d.description,
            kind=DeviceKind(d.kind),
            volume=round(float(d.volume), 4),
            channel_volumes=tuple(round(float(v), 4) for v in d.channel_volumes),
            muted=bool(d.muted),
            is_default=bool(d.is_default),
            running=bool(d.running),
        )


_SESSION_EVENTS = (EventKind.ADDED, EventKind.CHANGED, EventKind.REMOVED)
_DEVICE_EVENTS = (EventKind.DEVICE_ADDED, EventKind.DEVICE_CHANGED, EventKind.DEVICE_REMOVED)


@dataclass(frozen=True)
class SessionEvent:
    kind: EventKind
    session: SessionInfo | None  # for ADDED, CHANGED, REMOVED
    detail: str  # the server address, or why it was lost
    device: DeviceInfo | None = None  # for DEVICE_ADDED, DEVICE_CHANGED, DEVICE_REMOVED

    @classmethod
    def _from_native(cls, e: _engine.SessionEvent) -> SessionEvent:
        kind = EventKind(e.kind)
        session = SessionInfo._from_native(e.session) if kind in _SESSION_EVENTS else None
        device = DeviceInfo._from_native(e.device) if kind in _DEVICE_EVENTS else None
        return cls(kind, session, e.detail, device)


@dataclass(frozen=True)
class CaptureStats:
    frames_captured: int
    dropped_frames: int
    latency_ms: float


# ---- the shared engine -------------------------------------------------------

_engine_lock = threading.Lock()
_shared_engine: _engine.Engine | None = None


def shared_engine() -> _engine.Engine:
    """The process-wide native engine, created on first use."""
    global _shared_engine
    with _engine_lock:
        if _shared_engine is None:
            _shared_engine = _engine.Engine()
        return _shared_engine


def reset_engine() -> None:
    """Drop the shared engine; the next use connects anew (e.g. to a new PULSE_SERVER).

    Captures still open keep the old engine alive until they are closed.
    """
    global _shared_engine
    with _engine_lock:
        _shared_engine = None


def monotonic_ns() -> int:
    """The engine's clock in nanoseconds (CLOCK_MONOTONIC on Linux, the
    performance counter on Windows): capture times are on it."""
    return int(_engine.monotonic_ns())


def backend_name() -> str:
    """The audio backend this build uses: "pulseaudio" or "wasapi"."""
    return str(shared_engine().backend_name)


# ---- sessions ----------------------------------------------------------------


class SessionEnumerator:
    """Lists audio sessions, changes their volume and mute, and reports changes.

    Events are queued from construction on; `wait_event` takes them one by one
    (a GUI worker thread calls it in a loop). Raises `ServerUnavailableError`
    when no sound server answers within `connect_timeout` seconds.
    """

    def __init__(self, *, connect_timeout: float = CONNECT_TIMEOUT_S) -> None:
        wait_s = arguments.seconds_to_wait("connect_timeout", connect_timeout)
        self._engine = shared_engine()
        self._events = self._engine.subscribe()
        self._engine.wait_connected(wait_s)

    @property
    def connected(self) -> bool:
        return bool(self._engine.connected)

    def enumerate_sessions(self) -> list[SessionInfo]:
        """Every session now, as a cheap copy of the engine's table."""
        return [SessionInfo._from_native(s) for s in self._engine.sessions()]

    def get_session(self, pid: int) -> SessionInfo:
        return SessionInfo._from_native(self._engine.session(arguments.process_id(pid)))

    def find_sessions(self, name: str) -> list[SessionInfo]:
        """Sessions whose process or display name matches `name` (case-insensitive)."""
        wanted = arguments.app_name(name)
        return [s for s in self.enumerate_sessions() if session_has_name(s, wanted)]

    @property
    def max_volume(self) -> float:
        """The highest volume this backend accepts: 1.5 on PulseAudio and
        PipeWire (boost, as pavucontrol offers), 1.0 on Windows."""
        return float(self._engine.max_volume)

    def set_session_volume(self, pid: int, volume: float) -> bool:
        """Set the app's volume, 0.0 to `max_volume`: its loudest channel goes
        to `volume` and every other channel (and stream) keeps its ratio to it,
        so balance survives. Any pid of the app will do.

        Always returns True, as in the PyPAC 0.2 API; a failure raises instead
        (SessionNotFoundError, ServerUnavailableError, BackendError).
        """
        level = arguments.volume(volume, self.max_volume)
        self._engine.set_volume(arguments.process_id(pid), level)
        return True

    def set_session_channel_volumes(self, pid: int, volumes: Sequence[float]) -> None:
        """Set each channel of the app's streams (front-left first): balance.
        Raises InvalidArgumentError when the count does not match its streams'."""
        levels = arguments.channel_volumes(volumes, self.max_volume)
        self._engine.set_channel_volumes(arguments.process_id(pid), levels)

    def set_session_mute(self, pid: int, muted: bool) -> bool:
        """Mute or unmute every stream of the process; returns True like set_session_volume."""
        self._engine.set_mute(arguments.process_id(pid), arguments.flag("muted", muted))
        return True

    def enumerate_recording_sessions(self) -> list[SessionInfo]:
        """Apps that record ("Discord is using the microphone"): one entry per
        app, `device_id` the device it records from (an input device, or an
        output's monitor). PyPAC's own captures are not listed. Empty on
        Windows for now."""
        return [SessionInfo._from_native(s) for s in self._engine.recording_sessions()]

    # ---- devices -------------------------------------------------------------------

    def enumerate_devices(self, kind: DeviceKind | None = None) -> list[DeviceInfo]:
        """Every output and input device (or those of `kind`), outputs first."""
        return [
            DeviceInfo._from_native(d)
            for d in self._engine.devices()
            if kind is None or d.kind == kind
        ]

    def default_device(self, kind: DeviceKind = DeviceKind.OUTPUT) -> DeviceInfo | None:
        return next((d for d in self.enumerate_devices(kind) if d.is_default), None)

    def find_device(self, name: str, kind: DeviceKind | None = None) -> DeviceInfo:
        """The device whose id or description is `name` (case-insensitive).
        DeviceNotFoundError (none) and AmbiguousNameError (several) list the candidates."""
        return _find_device(self.enumerate_devices(kind), name)

    def set_device_volume(self, device: str | DeviceInfo, volume: float) -> None:
        """Set a device's volume; its loudest channel goes to `volume`, balance stays."""
        d = self._device(device)
        self._engine.set_device_volume(d.kind, d.id, arguments.volume(volume, self.max_volume))

    def set_device_mute(self, device: str | DeviceInfo, muted: bool) -> None:
        d = self._device(device)
        self._engine.set_device_mute(d.kind, d.id, arguments.flag("muted", muted))

    def set_default_device(self, device: str | DeviceInfo) -> None:
        """Make it the default output (or input) device: where new streams go."""
        d = self._device(device)
        self._engine.set_default_device(d.kind, d.id)

    def move_session(self, pid: int, device: str | DeviceInfo) -> None:
        """Play the app (every stream, and those it opens later while this
        choice stands) on output device `device`."""
        d = self._device(device, DeviceKind.OUTPUT)
        self._engine.move_session(arguments.process_id(pid), d.id)

    def _device(self, device: str | DeviceInfo, kind: DeviceKind | None = None) -> DeviceInfo:
        if isinstance(device, DeviceInfo):
            return device
        return self.find_device(device, kind)

    def wait_event(self, timeout: float | None = None) -> SessionEvent | None:
        """The next session event, or None after `timeout` seconds (None or inf: no limit)."""
        wait_s = math.inf if timeout is None else arguments.seconds_to_wait("timeout", timeout)
        event = self._events.wait(wait_s)
        return None if event is None else SessionEvent._from_native(event)

    def close(self) -> None:
        """Stop queueing events for this enumerator; wakes a waiting `wait_event`."""
        self._events.close()

    def __enter__(self) -> SessionEnumerator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def session_has_name(session: SessionInfo, name: str) -> bool:
    """Whether `name` is the session's process or display name (case-insensitive):
    how `pypac` commands and auto-record rules find an app by name."""
    wanted = name.casefold()
    return wanted in (session.process_name.casefold(), session.display_name.casefold())


# ---- captures ----------------------------------------------------------------


class _Capture:
    """What ProcessCapture and SimpleLoopback share: one reader of a shared capture."""

    def __init__(self, sample_rate: int, channels: int, ring_seconds: float) -> None:
        self.sample_rate = arguments.sample_rate(sample_rate)
        self.channels = arguments.channels(channels)
        self.ring_seconds = arguments.ring_seconds(ring_seconds)
        self._reader: _engine.CaptureReader | None = None

    def _open(self, engine: _engine.Engine) -> _engine.CaptureReader:
        raise NotImplementedError

    def start(self) -> _Capture:
        if self._reader is None or not self._reader.active:
            engine = shared_engine()
            engine.wait_connected(CONNECT_TIMEOUT_S)
            self._reader = self._open(engine)
        return self

    def stop(self) -> None:
        """Stop capturing; frames already captured stay readable."""
        if self._reader is not None:
            self._reader.close()

    def __enter__(self) -> _Capture:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def _started(self) -> _engine.CaptureReader:
        if self._reader is None:
            raise RuntimeError("capture not started: call start() or use it in a with block")
        return self._reader

    def read(self, timeout: float = 1.0, max_frames: int | None = None) -> np.ndarray:
        """Wait up to `timeout` s for audio, then return what is buffered.

        A float32 array of shape (frames, channels); empty on timeout and once
        the capture ended and everything was read.
        """
        wait_s = arguments.seconds_to_wait("timeout", timeout)
        limit = 0 if max_frames is None else arguments.frame_count("max_frames", max_frames)
        return self._started().read(limit, wait_s)

    def read_timed(
        self, timeout: float = 1.0, max_frames: int | None = None
    ) -> tuple[np.ndarray, int | None]:
        """Like read(), and when the block's first frame was captured (heard,
        for an app or an output): nanoseconds on `monotonic_ns()`'s clock, or
        None while the server has not timed the capture yet."""
        wait_s = arguments.seconds_to_wait("timeout", timeout)
        limit = 0 if max_frames is None else arguments.frame_count("max_frames", max_frames)
        block, first_ns = self._started().read_timed(limit, wait_s)
        return block, first_ns

    def get_buffer(self) -> np.ndarray:
        """Everything buffered since the last read, without waiting."""
        return self._started().read(0, 0.0)

    def read_latest(self, frames: int) -> np.ndarray:
        """The newest `frames` frames (or fewer); older ones are discarded. For views."""
        return self._started().read_latest(arguments.frame_count("frames", frames))

    def wait_for_frames(self, frames: int, timeout: float) -> bool:
        """Wait until `frames` frames are buffered; False on timeout or end."""
        n = arguments.frame_count("frames", frames)
        wait_s = arguments.seconds_to_wait("timeout", timeout)
        return self._started().wait_for_frames(n, wait_s)

    @property
    def available(self) -> int:
        return 0 if self._reader is None else int(self._reader.available)

    @property
    def active(self) -> bool:
        """False once the target is gone, the server was lost, or stop() was called."""
        return self._reader is not None and bool(self._reader.active)

    @property
    def end_reason(self) -> CaptureEndReason:
        return CaptureEndReason.NONE if self._reader is None else self._reader.end_reason

    @property
    def peak(self) -> float:
        """Absolute peak of the newest block (0.0 when idle)."""
        return 0.0 if self._reader is None else float(self._reader.peak)

    @property
    def stats(self) -> CaptureStats:
        if self._reader is None:
            return CaptureStats(0, 0, 0.0)
        s = self._reader.stats
        return CaptureStats(int(s.frames_captured), int(s.dropped_frames), float(s.latency_ms))


class ProcessCapture(_Capture):
    """Captures one process's audio: every stream it plays, mixed into one.

    Several captures of the same process share one server-side capture, each
    with its own buffer. Raises `SessionNotFoundError` on start when the
    process plays no sound.
    """

    def __init__(
        self, pid: int, sample_rate: int = 48000, channels: int = 2, ring_seconds: float = 4.0
    ) -> None:
        super().__init__(sample_rate, channels, ring_seconds)
        self.pid = arguments.process_id(pid)

    def _open(self, engine: _engine.Engine) -> _engine.CaptureReader:
        return engine.open_capture(
            self.pid, False, self.sample_rate, self.channels, self.ring_seconds
        )

    def __repr__(self) -> str:
        return f"ProcessCapture(pid={self.pid}, active={self.active})"


class SimpleLoopback(_Capture):
    """Captures everything the system plays: the default output's monitor,
    switching to the new default (without ending) when the user changes it.

    With `all_devices=True`, what every output device plays, mixed; devices
    added while it runs join the mix (PulseAudio/PipeWire only: Windows raises
    `UnsupportedError` on start).

    With `exclude_pid`, everything the applications play except that process
    (and, on Windows, its child processes): "record the game, not the voice
    chat". On PulseAudio/PipeWire that is every application stream except the
    process's, on whichever output it plays, mixed (so `all_devices` changes
    nothing then); sounds no process owns (network streams) are left out.
    """

    def __init__(
        self,
        sample_rate: int = 48000,
        channels: int = 2,
        ring_seconds: float = 4.0,
        *,
        exclude_pid: int | None = None,
        all_devices: bool = False,
    ) -> None:
        super().__init__(sample_rate, channels, ring_seconds)
        self.exclude_pid = None if exclude_pid is None else arguments.process_id(exclude_pid)
        self.all_devices = bool(all_devices)

    def _open(self, engine: _engine.Engine) -> _engine.CaptureReader:
        if self.all_devices and self.exclude_pid is None:
            return engine.open_all_outputs_capture(
                self.sample_rate, self.channels, self.ring_seconds
            )
        return engine.open_capture(
            self.exclude_pid or 0, True, self.sample_rate, self.channels, self.ring_seconds
        )

    def __repr__(self) -> str:
        options = []
        if self.exclude_pid is not None:
            options.append(f"exclude_pid={self.exclude_pid}")
        if self.all_devices:
            options.append("all_devices=True")
        options.append(f"active={self.active}")
        return f"SimpleLoopback({', '.join(options)})"


class DeviceCapture(_Capture):
    """Captures one device: what an output device plays (its monitor), or
    what an input device (a microphone) records. `device` is a DeviceInfo,
    or a device's id or description (`SessionEnumerator.find_device`)."""

    def __init__(
        self,
        device: str | DeviceInfo,
        sample_rate: int = 48000,
        channels: int = 2,
        ring_seconds: float = 4.0,
    ) -> None:
        super().__init__(sample_rate, channels, ring_seconds)
        self.device = device if isinstance(device, DeviceInfo) else arguments.app_name(device)

    def _open(self, engine: _engine.Engine) -> _engine.CaptureReader:
        d = self.device
        if not isinstance(d, DeviceInfo):
            d = _find_device([DeviceInfo._from_native(n) for n in engine.devices()], d)
        return engine.open_device_capture(
            d.kind, d.id, self.sample_rate, self.channels, self.ring_seconds
        )

    def __repr__(self) -> str:
        name = self.device.id if isinstance(self.device, DeviceInfo) else self.device
        return f"DeviceCapture({name!r}, active={self.active})"


def _find_device(devices: list[DeviceInfo], name: str) -> DeviceInfo:
    wanted = arguments.app_name(name).casefold()
    exact = [d for d in devices if d.id == name]
    matches = exact or [d for d in devices if wanted in (d.id.casefold(), d.description.casefold())]
    if len(matches) == 1:
        return matches[0]
    listing = "; ".join(f"{d.id} ({d.description})" for d in (matches or devices))
    if not matches:
        raise DeviceNotFoundError(f"no device named {name!r}; there are: {listing or 'none'}")
    raise AmbiguousNameError(
        f"{len(matches)} devices are named {name!r}: {listing}; give the device's id"
    )


# ---- catching new apps -------------------------------------------------------


class NewAppCatch:
    """While started, the engine catches each app that opens its first stream:
    it opens the app's capture the moment the server reports the stream (on
    its own thread, no Python in between) and holds it for `hold_seconds`.
    The app's first `ProcessCapture` started meanwhile with the same
    `sample_rate`, `channels` and `ring_seconds` gets that capture's reader,
    with the app's audio from its first frame, although it was started after
    the session event came: how auto-record keeps a new app's first sound.

        with NewAppCatch(48000, 2, ring_seconds=20.0):
            ...  # on an ADDED event: ProcessCapture(pid, 48000, 2, 20.0).start()

    A capture of another ring (a view's) shares the caught capture and leaves
    its reader to the one it was caught for. Call `drop_stale()` now and then
    (a watcher's loop): captures held past `hold_seconds` are let go there.
    Catching is the shared engine's, one setting for the whole process.
    `start()` raises UnsupportedError where the backend cannot catch (WASAPI
    for now): captures then begin when started, as without it.
    """

    def __init__(
        self, sample_rate: int, channels: int, ring_seconds: float, hold_seconds: float = 3.0
    ) -> None:
        self.sample_rate = arguments.sample_rate(sample_rate)
        self.channels = arguments.channels(channels)
        self.ring_seconds = arguments.ring_seconds(ring_seconds)
        self.hold_seconds = arguments.number_in("hold_seconds", hold_seconds, 0.1, 600.0)
        self._engine: _engine.Engine | None = None

    def start(self) -> NewAppCatch:
        """Catch from now on (again after the server came back: harmless)."""
        engine = shared_engine()
        engine.catch_new_apps(self.sample_rate, self.channels, self.ring_seconds, self.hold_seconds)
        self._engine = engine
        return self

    def drop_stale(self) -> None:
        """Let go of caught captures nobody took within `hold_seconds`."""
        if self._engine is not None:
            self._engine.drop_stale_caught()

    def stop(self) -> None:
        """Catch no more; drops the captures held."""
        if self._engine is not None:
            self._engine.stop_catching()
            self._engine = None

    def __enter__(self) -> NewAppCatch:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def find_session(target: int | str, enumerator: SessionEnumerator | None = None) -> SessionInfo:
    """The session of a pid, or of a process/display name (which must be unique)."""
    en = enumerator or SessionEnumerator()
    if isinstance(target, str):
        matches = en.find_sessions(target)
        if not matches:
            raise SessionNotFoundError(f"no audio session named {target!r}")
        if len(matches) > 1:
            listing = ", ".join(f"{s.process_id} ({s.display_name})" for s in matches)
            raise AmbiguousNameError(
                f"{len(matches)} apps are named {target!r}: pids {listing}; "
                "pass a process id instead"
            )
        return matches[0]
    return en.get_session(target)

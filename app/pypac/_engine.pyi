"""PyPAC native engine (use the pypac package, not this module directly)"""

from collections.abc import Sequence
import enum
from typing import Annotated

import numpy
from numpy.typing import NDArray

MIN_SAMPLE_RATE: int = 8000

MAX_SAMPLE_RATE: int = 384000

MIN_CHANNELS: int = 1

MAX_CHANNELS: int = 8

MIN_RING_SECONDS: float = 0.5

MAX_RING_SECONDS: float = 600.0

def monotonic_ns() -> int:
    """
    The engine's clock (CLOCK_MONOTONIC / QPC) in nanoseconds: frame times are on it.
    """

class SessionState(enum.IntEnum):
    """A session's state; the numbers are the PyPAC 0.2 API's (and WASAPI's)."""

    INACTIVE = 0
    """every stream paused"""

    ACTIVE = 1
    """playing"""

    EXPIRED = 2
    """gone (in REMOVED events)"""

class EventKind(enum.IntEnum):
    """What a SessionEvent reports."""

    ADDED = 0

    CHANGED = 1

    REMOVED = 2

    SERVER_LOST = 3

    SERVER_CONNECTED = 4

    RESYNC = 5
    """events were dropped: list the sessions and devices again"""

    DEVICE_ADDED = 6

    DEVICE_CHANGED = 7
    """any field, is_default too"""

    DEVICE_REMOVED = 8

class DeviceKind(enum.IntEnum):
    """An output device (speakers) or an input device (microphone)."""

    OUTPUT = 0

    INPUT = 1

class CaptureEndReason(enum.IntEnum):
    """Why a capture stopped delivering frames for good."""

    NONE = 0
    """still capturing"""

    PROCESS_EXITED = 1

    SERVER_LOST = 2

    STOPPED = 3
    """stop() or close() was called"""

    FAILED = 4

class SessionInfo:
    @property
    def process_id(self) -> int: ...
    @property
    def process_name(self) -> str: ...
    @property
    def display_name(self) -> str: ...
    @property
    def icon_name(self) -> str: ...
    @property
    def state(self) -> SessionState: ...
    @property
    def volume(self) -> float: ...
    @property
    def channel_volumes(self) -> list[float]: ...
    @property
    def muted(self) -> bool: ...
    @property
    def peak(self) -> float: ...
    @property
    def stream_count(self) -> int: ...
    @property
    def process_ids(self) -> list[int]: ...
    @property
    def device_id(self) -> str: ...
    @property
    def streams(self) -> list[StreamInfo]: ...

class StreamInfo:
    @property
    def index(self) -> int: ...
    @property
    def title(self) -> str: ...
    @property
    def playing(self) -> bool: ...
    @property
    def device_id(self) -> str: ...

class DeviceInfo:
    @property
    def id(self) -> str: ...
    @property
    def description(self) -> str: ...
    @property
    def kind(self) -> DeviceKind: ...
    @property
    def volume(self) -> float: ...
    @property
    def channel_volumes(self) -> list[float]: ...
    @property
    def muted(self) -> bool: ...
    @property
    def is_default(self) -> bool: ...
    @property
    def running(self) -> bool: ...

class SessionEvent:
    @property
    def kind(self) -> EventKind: ...
    @property
    def session(self) -> SessionInfo: ...
    @property
    def device(self) -> DeviceInfo: ...
    @property
    def detail(self) -> str: ...

class EventQueue:
    def wait(self, timeout: float) -> SessionEvent | None: ...
    def close(self) -> None: ...

class CaptureStats:
    @property
    def frames_captured(self) -> int: ...
    @property
    def dropped_frames(self) -> int: ...
    @property
    def latency_ms(self) -> float: ...

class CaptureReader:
    def read(
        self, max_frames: int = 0, timeout: float = 0.0
    ) -> Annotated[NDArray[numpy.float32], dict(shape=(None, None))]: ...
    def read_timed(
        self, max_frames: int = 0, timeout: float = 0.0
    ) -> tuple[Annotated[NDArray[numpy.float32], dict(shape=(None, None))], int | None]:
        """
        Like read(), with the capture time of the first frame returned (monotonic_ns() nanoseconds; None until the backend timed a block).
        """

    def read_latest(
        self, frames: int
    ) -> Annotated[NDArray[numpy.float32], dict(shape=(None, None))]: ...
    def wait_for_frames(self, frames: int, timeout: float) -> bool: ...
    @property
    def available(self) -> int: ...
    @property
    def stats(self) -> CaptureStats: ...
    @property
    def active(self) -> bool: ...
    @property
    def end_reason(self) -> CaptureEndReason: ...
    @property
    def peak(self) -> float: ...
    @property
    def sample_rate(self) -> int: ...
    @property
    def channels(self) -> int: ...
    def close(self) -> None: ...

class Engine:
    def __init__(self, server: str = "") -> None: ...
    @property
    def backend_name(self) -> str: ...
    @property
    def connected(self) -> bool: ...
    def wait_connected(self, timeout: float) -> None: ...
    def sessions(self) -> list[SessionInfo]: ...
    def session(self, process_id: int) -> SessionInfo: ...
    def set_volume(self, process_id: int, volume: float) -> None: ...
    def set_channel_volumes(self, process_id: int, volumes: Sequence[float]) -> None: ...
    @property
    def max_volume(self) -> float: ...
    def set_mute(self, process_id: int, muted: bool) -> None: ...
    def recording_sessions(self) -> list[SessionInfo]: ...
    def devices(self) -> list[DeviceInfo]: ...
    def device(self, kind: DeviceKind, id: str) -> DeviceInfo: ...
    def set_device_volume(self, kind: DeviceKind, id: str, volume: float) -> None: ...
    def set_device_mute(self, kind: DeviceKind, id: str, muted: bool) -> None: ...
    def set_default_device(self, kind: DeviceKind, id: str) -> None: ...
    def move_session(self, process_id: int, output_id: str) -> None: ...
    def subscribe(self) -> EventQueue: ...
    def catch_new_apps(
        self, sample_rate: int, channels: int, ring_seconds: float, hold_seconds: float
    ) -> None: ...
    def stop_catching(self) -> None: ...
    def drop_stale_caught(self) -> None: ...
    def open_capture(
        self, process_id: int, system: bool, sample_rate: int, channels: int, ring_seconds: float
    ) -> CaptureReader: ...
    def open_device_capture(
        self, kind: DeviceKind, id: str, sample_rate: int, channels: int, ring_seconds: float
    ) -> CaptureReader: ...
    def open_all_outputs_capture(
        self, sample_rate: int, channels: int, ring_seconds: float
    ) -> CaptureReader: ...

class LoudnessMeter:
    """
    EBU R128 / ITU-R BS.1770 loudness of a stream (libebur128): feed it frames with add() on any thread but the audio one, read LUFS and dBTP (-inf until there is audio to measure). Without integrated/true_peak (a live readout) it costs less and its memory does not grow.
    """

    def __init__(
        self, sample_rate: int, channels: int, *, integrated: bool = True, true_peak: bool = True
    ) -> None: ...
    def add(
        self,
        frames: Annotated[
            NDArray[numpy.float32],
            dict(shape=(None, None), order="C", device="cpu", writable=False),
        ],
    ) -> None:
        """
        Measures float32 frames of shape (frames, channels); the GIL is released.
        """

    def reset(self) -> None: ...
    @property
    def momentary_lufs(self) -> float:
        """LUFS over the last 400 ms"""

    @property
    def short_term_lufs(self) -> float:
        """LUFS over the last 3 s"""

    @property
    def integrated_lufs(self) -> float:
        """gated LUFS of everything so far"""

    @property
    def true_peak_dbtp(self) -> float:
        """largest true peak of any channel so far, dBTP"""

    @property
    def sample_rate(self) -> int: ...
    @property
    def channels(self) -> int: ...

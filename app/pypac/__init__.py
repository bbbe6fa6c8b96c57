"""PyPAC: per-application audio sessions, volume, mute and capture.

import pypac
en = pypac.SessionEnumerator()
for s in en.enumerate_sessions():
    print(s.process_id, s.display_name, s.volume, s.muted)
with pypac.ProcessCapture(pid) as cap:
    block = cap.read(timeout=1.0)   # float32, shape (frames, channels)
pypac.record(pid, "out.flac", duration=10)
"""

from .engine import (
    CaptureEndReason,
    CaptureStats,
    DeviceCapture,
    DeviceInfo,
    DeviceKind,
    EventKind,
    ProcessCapture,
    SessionEnumerator,
    SessionEvent,
    SessionInfo,
    SessionState,
    SimpleLoopback,
    StreamInfo,
    backend_name,
    find_session,
)
from .errors import (
    AmbiguousNameError,
    BackendError,
    DeviceNotFoundError,
    InvalidArgumentError,
    PyPACError,
    ServerUnavailableError,
    SessionNotFoundError,
    UnsupportedError,
)
from .loudness import LoudnessMeter
from .recording import Recorder, RecordingEnd, RecordingStatus, record
from .replay import ReplayBuffer
from .take import Source, Take, TakeStatus, TrackStatus

__version__ = "0.1.0"

__all__ = [
    "AmbiguousNameError",
    "BackendError",
    "CaptureEndReason",
    "CaptureStats",
    "DeviceCapture",
    "DeviceInfo",
    "DeviceKind",
    "DeviceNotFoundError",
    "EventKind",
    "InvalidArgumentError",
    "LoudnessMeter",
    "ProcessCapture",
    "PyPACError",
    "Recorder",
    "RecordingEnd",
    "RecordingStatus",
    "ReplayBuffer",
    "ServerUnavailableError",
    "SessionEnumerator",
    "SessionEvent",
    "SessionInfo",
    "SessionNotFoundError",
    "SessionState",
    "SimpleLoopback",
    "Source",
    "StreamInfo",
    "Take",
    "TakeStatus",
    "TrackStatus",
    "UnsupportedError",
    "__version__",
    "backend_name",
    "find_session",
    "record",
]

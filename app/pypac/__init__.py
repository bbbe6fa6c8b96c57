"""PyPAC: per-application audio sessions, volume, mute and capture.

import pypac
en = pypac.SessionEnumerator()
for s in en.enumerate_sessions():
    print(s.process_id, s.display_name, s.volume, s.muted)
with pypac.ProcessCapture(pid) as cap:
    block = cap.read(timeout=1.0)   # float32, shape (frames, channels)
"""

from .engine import (
    CaptureEndReason,
    CaptureStats,
    EventKind,
    ProcessCapture,
    SessionEnumerator,
    SessionEvent,
    SessionInfo,
    SessionState,
    SimpleLoopback,
    backend_name,
    find_session,
)
from .errors import (
    BackendError,
    InvalidArgumentError,
    PyPACError,
    ServerUnavailableError,
    SessionNotFoundError,
    UnsupportedError,
)

__version__ = "0.1.0"

__all__ = [
    "BackendError",
    "CaptureEndReason",
    "CaptureStats",
    "EventKind",
    "InvalidArgumentError",
    "ProcessCapture",
    "PyPACError",
    "ServerUnavailableError",
    "SessionEnumerator",
    "SessionEvent",
    "SessionInfo",
    "SessionNotFoundError",
    "SessionState",
    "SimpleLoopback",
    "UnsupportedError",
    "__version__",
    "backend_name",
    "find_session",
]

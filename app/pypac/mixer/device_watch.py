"""What the worker reads of devices: the device list when the server reports a
device change, and which apps record, polled (the server sends no event the
engine passes on for recording streams). Qt-free; runs on the worker thread.
"""

from __future__ import annotations

import time

from pypac.engine import DeviceInfo, SessionEnumerator
from pypac.errors import PyPACError

from .device_table import recording_map

#: How often the apps that record are listed again.
RECORDING_POLL_S = 1.0


class DeviceWatch:
    def __init__(self) -> None:
        self.stale = True  # the device list must be read again
        self.last: list[DeviceInfo] | None = None  # the list reported last
        self._recording: dict[int, str] | None = None
        self._poll_at = 0.0

    def reset(self) -> None:
        """A new connection: report everything again."""
        self.stale = True
        self.last = self._recording = None
        self._poll_at = 0.0

    def devices(self, en: SessionEnumerator) -> list[DeviceInfo] | None:
        """The device list if it was stale and differs from the last one reported."""
        if not self.stale:
            return None
        self.stale = False
        try:
            devices = en.enumerate_devices()
        except PyPACError:
            self.stale = True  # a dropped connection reports itself; try again next tick
            return None
        if devices == self.last:
            return None
        self.last = devices
        return devices

    def recording(self, en: SessionEnumerator, now: float | None = None) -> dict[int, str] | None:
        """pid -> device of the apps that record, when due and changed."""
        t = time.monotonic() if now is None else now
        if t < self._poll_at:
            return None
        self._poll_at = t + RECORDING_POLL_S
        try:
            found = recording_map(en.enumerate_recording_sessions())
        except PyPACError:
            return None
        if found == self._recording:
            return None
        self._recording = found
        return found

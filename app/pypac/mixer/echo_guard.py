"""Server echoes of the user's own requests, ignored for a while. Qt-free.

Between a request (a slider step, a wheel notch) and the server applying it,
the server still reports older values: showing them would pull the control
back under the user's hand. Every control that sends values keeps one
`EchoGuard` (pavucontrol's `updating` flag, written once).
"""

from __future__ import annotations

import time
from typing import Generic, TypeVar

#: How long after a request reports that disagree with it count as echoes.
ECHO_GUARD_S = 0.4

T = TypeVar("T")


class EchoGuard(Generic[T]):
    def __init__(self, hold_s: float = ECHO_GUARD_S) -> None:
        self.hold_s = hold_s
        self._wanted: T | None = None
        self._until = 0.0

    def requested(self, value: T, now: float | None = None) -> None:
        """The user asked for `value`: hold it against reports for a while."""
        self._wanted = value
        self._until = (time.monotonic() if now is None else now) + self.hold_s

    def held(self, now: float | None = None) -> T | None:
        """The value still held against the server's reports, or None."""
        t = time.monotonic() if now is None else now
        if self._wanted is not None and t >= self._until:
            self._wanted = None
        return self._wanted

    def filter(self, reported: T, same: bool, now: float | None = None) -> T:
        """What to show for a report: the held value while the report is an
        older echo (`same` False), the report once it agrees or time ran out."""
        wanted = self.held(now)
        if wanted is None:
            return reported
        if same:
            self._wanted = None
            return reported
        return wanted


#: Volumes closer than this are the same (the server rounds to its own steps).
SAME_VOLUME = 0.005


def shown_volume(guard: EchoGuard[float], reported: float) -> float:
    """The volume a slider shows for a server report, through its guard."""
    held = guard.held()
    return guard.filter(reported, held is None or abs(reported - held) <= SAME_VOLUME)

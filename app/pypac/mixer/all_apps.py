"""The tray's controls over everything at once: "Mute all" and its scroll
wheel (the output device's volume). Qt-free.

Both return requests for the caller to send to the engine worker; neither
talks to the server itself.
"""

from __future__ import annotations

from typing import Callable

from pypac.engine import SessionInfo

#: The wheel moves the output device's volume by this much per notch (120 units of angleDelta).
WHEEL_STEP = 0.05


class MuteAll:
    """One toggle: "Mute all" mutes every app that is not muted and remembers which;
    "Unmute all" unmutes exactly those, so an app the user had muted before
    stays muted. Apps are known by identity, so an app that restarted meanwhile
    (and came back muted from the volume memory) is unmuted too."""

    def __init__(self, identity: Callable[[SessionInfo], str | None]) -> None:
        self._identity = identity
        self._muted_by_us: set[str] | None = None

    @property
    def active(self) -> bool:
        """True between "Mute all" and "Unmute all"."""
        return self._muted_by_us is not None

    def _key(self, info: SessionInfo) -> str:
        return self._identity(info) or f"pid:{info.process_id}"

    def toggle(self, sessions: list[SessionInfo]) -> list[tuple[int, bool]]:
        return self.unmute(sessions) if self.active else self.mute(sessions)

    def mute(self, sessions: list[SessionInfo]) -> list[tuple[int, bool]]:
        todo = [s for s in sessions if not s.muted]
        self._muted_by_us = (self._muted_by_us or set()) | {self._key(s) for s in todo}
        return [(s.process_id, True) for s in todo]

    def unmute(self, sessions: list[SessionInfo]) -> list[tuple[int, bool]]:
        ours = self._muted_by_us or set()
        self._muted_by_us = None
        return [(s.process_id, False) for s in sessions if s.muted and self._key(s) in ours]


def wheel_volume(current: float, notches: float) -> float:
    """The output device's volume after `notches` wheel notches from `current`.

    The wheel never boosts past 100%, but a boost the user set stays (a notch
    down from 150% is 145%, not 100%)."""
    ceiling = max(1.0, current)
    return round(min(ceiling, max(0.0, current + notches * WHEEL_STEP)), 4)

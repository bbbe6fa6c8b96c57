"""Which strips the window shows, and the words on them. Qt-free.

The worker turns engine events into `SessionInfo`s; the window applies them
here first (store state, then notify the UI, as EarTrumpet does) and then
updates the strips from the `TableChange` that `SessionTable.update`, `mark_gone`,
`reset`, `expire` and `server_lost` return.
"""

from __future__ import annotations

import enum
import time
from dataclasses import dataclass, field

from pypac.engine import SessionInfo, SessionState

from .volume_text import percent_text

#: The strip key of the whole-system capture; apps are keyed by their pid (> 0).
SYSTEM_KEY = 0
#: How long an exited app's strip stays greyed out before it goes.
LINGER_SECONDS = 1.5
#: Below this volume a recording gets a "turned down" warning.
QUIET_VOLUME = 0.3


class StripPhase(enum.Enum):
    PLAYING = "playing"
    PAUSED = "paused"  # all streams corked
    EXITED = "exited"  # greyed out, goes after LINGER_SECONDS
    SERVER_LOST = "server lost"


@dataclass
class SessionEntry:
    info: SessionInfo
    phase: StripPhase = StripPhase.PLAYING
    gone_at: float | None = None
    recording: bool = False  # a strip that records stays until the recording ended


@dataclass
class TableChange:
    added: list[int] = field(default_factory=list)
    updated: list[int] = field(default_factory=list)
    removed: list[int] = field(default_factory=list)


def phase_of(info: SessionInfo) -> StripPhase:
    if info.state == SessionState.EXPIRED:
        return StripPhase.EXITED
    return StripPhase.PLAYING if info.state == SessionState.ACTIVE else StripPhase.PAUSED


class SessionTable:
    """The sessions the window shows, keyed by pid."""

    def __init__(self) -> None:
        self.entries: dict[int, SessionEntry] = {}

    def __contains__(self, pid: int) -> bool:
        return pid in self.entries

    def __len__(self) -> int:
        return len(self.entries)

    def live_count(self) -> int:
        return sum(e.phase is not StripPhase.EXITED for e in self.entries.values())

    def update(self, info: SessionInfo) -> TableChange:
        """An ADDED or CHANGED session."""
        change = TableChange()
        entry = self.entries.get(info.process_id)
        if entry is None:
            self.entries[info.process_id] = SessionEntry(info, phase_of(info))
            change.added.append(info.process_id)
        else:
            entry.info, entry.phase, entry.gone_at = info, phase_of(info), None
            change.updated.append(info.process_id)
        return change

    def mark_gone(self, pid: int, now: float | None = None) -> TableChange:
        """A REMOVED session: grey it out now, drop it in `expire` later."""
        entry = self.entries.get(pid)
        if entry is None or entry.gone_at is not None:
            return TableChange()
        entry.phase, entry.gone_at = StripPhase.EXITED, time.monotonic() if now is None else now
        return TableChange(updated=[pid])

    def reset(self, infos: list[SessionInfo], now: float | None = None) -> TableChange:
        """A full list (after connecting or a RESYNC): add, update, grey out the rest."""
        change = TableChange()
        seen = set()
        for info in infos:
            seen.add(info.process_id)
            c = self.update(info)
            change.added += c.added
            change.updated += c.updated
        for pid in list(self.entries):
            if pid not in seen:
                change.updated += self.mark_gone(pid, now).updated
        return change

    def server_lost(self) -> TableChange:
        for entry in self.entries.values():
            if entry.phase is not StripPhase.EXITED:
                entry.phase = StripPhase.SERVER_LOST
        return TableChange(updated=list(self.entries))

    def set_recording(self, pid: int, recording: bool) -> None:
        if pid in self.entries:
            self.entries[pid].recording = recording

    def drop(self, pid: int) -> TableChange:
        """Drop a session now (an exited app whose new run takes its strip's place)."""
        if self.entries.pop(pid, None) is None:
            return TableChange()
        return TableChange(removed=[pid])

    def expire(self, now: float | None = None) -> TableChange:
        """Drop exited sessions that lingered long enough and record nothing."""
        t = time.monotonic() if now is None else now
        gone = [
            pid
            for pid, e in self.entries.items()
            if e.gone_at is not None and t - e.gone_at >= LINGER_SECONDS and not e.recording
        ]
        for pid in gone:
            del self.entries[pid]
        return TableChange(removed=gone)


# ---- the words on a strip ----------------------------------------------------


def display_name(info: SessionInfo) -> str:
    return info.display_name or info.process_name or f"PID {info.process_id}"


def recording_warning(muted: bool, volume: float) -> str | None:
    """What to tell a user who records an app that is muted or turned down.

    Captures are post-fader: they hold what the user hears.
    """
    if muted:
        return "Muted: recording silence"
    if volume < QUIET_VOLUME:
        return f"Volume {percent_text(volume)}: recording is quiet"
    return None


def elapsed_text(seconds: float) -> str:
    m, s = divmod(int(seconds), 60)
    h, m = divmod(m, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m:02d}:{s:02d}"


def size_text(n_bytes: int) -> str:
    if n_bytes < 1024 * 1024:
        return f"{n_bytes / 1024:.0f} kB"
    return f"{n_bytes / (1024 * 1024):.1f} MB"

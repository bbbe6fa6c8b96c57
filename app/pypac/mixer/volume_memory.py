"""Each app's last volume and mute, re-applied when the app plays again. Qt-free.

An app is known by its identity (process binary + display name), not its pid:
a restarted player has a new pid but is the same app to the user. The memory
only decides; the caller sends what `observe` returns to the engine worker
(the set calls block until the server answers, so never on the GUI thread).

When a level is remembered:
- only once the session has played (state ACTIVE) at least once: PipeWire
  lists a new stream corked at volume 0 before it plays, which is no choice
  of the user's;
- not while a restore is under way: the reports in between show the stream's
  start-up level, not the user's.

When it is re-applied: to a session first seen after the mixer started (the
first full listing is taken as it is: the user may have changed those apps
while the mixer was not running) and to every session after the server came
back (a restarted server forgot every stream's level).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Callable

from pypac.engine import SessionInfo, SessionState

from .app_identity import app_identity

#: How long a restore may take before the session's reports count as the user's again.
RESTORE_S = 3.0
#: How often a restore is sent again when the server reports another level while playing.
RESTORE_TRIES = 3
#: Apps remembered at most; the least recently changed go first.
MAX_APPS = 200
#: Volumes closer than this are the same (the server rounds to its own steps).
SAME_VOLUME = 0.006


@dataclass(frozen=True)
class AppLevel:
    volume: float
    muted: bool

    def matches(self, info: SessionInfo) -> bool:
        return abs(info.volume - self.volume) < SAME_VOLUME and info.muted == self.muted


@dataclass
class _Session:
    identity: str | None
    played: bool = False
    target: AppLevel | None = None  # being restored to this
    deadline: float = 0.0
    tries: int = 0


class VolumeMemory:
    def __init__(
        self,
        levels: dict[str, dict[str, Any]] | None = None,
        *,
        enabled: bool = True,
        on_change: Callable[[dict[str, dict[str, Any]]], None] | None = None,
        identity: Callable[[SessionInfo], str | None] = app_identity,
    ) -> None:
        self.levels: dict[str, AppLevel] = {
            name: AppLevel(float(v["volume"]), bool(v["muted"]))
            for name, v in (levels or {}).items()
        }
        self.enabled = enabled
        self._on_change = on_change
        self._identity = identity
        self._sessions: dict[int, _Session] = {}
        self._listed = False  # the first full listing was taken as it is

    @property
    def listed(self) -> bool:
        """True once the first full listing was taken (restores happen from then on)."""
        return self._listed

    def as_dict(self) -> dict[str, dict[str, Any]]:
        return {name: {"volume": lv.volume, "muted": lv.muted} for name, lv in self.levels.items()}

    # ---- what the server reports ----------------------------------------------------

    def observe(self, info: SessionInfo, now: float | None = None) -> AppLevel | None:
        """An ADDED or CHANGED session: the level to apply to it now, or None."""
        t = time.monotonic() if now is None else now
        session = self._sessions.get(info.process_id)
        if session is None:
            session = self._sessions[info.process_id] = _Session(self._identity(info))
            return self._start_restore(session, info, t) if self._listed else None
        session.played |= info.state == SessionState.ACTIVE
        if session.target is not None:
            return self._continue_restore(session, info, t)
        self._remember(session, info)
        return None

    def reset(
        self, infos: list[SessionInfo], now: float | None = None
    ) -> list[tuple[int, AppLevel]]:
        """A full listing (after connecting, or after the server dropped events):
        the levels to apply, as (pid, level)."""
        t = time.monotonic() if now is None else now
        listed = self._listed
        live = {info.process_id for info in infos}
        for pid in list(self._sessions):
            if pid not in live:
                del self._sessions[pid]
        todo = []
        for info in infos:
            if not listed:  # present before the mixer started: take them as they are
                self._sessions[info.process_id] = _Session(
                    self._identity(info), played=info.state == SessionState.ACTIVE
                )
                continue
            level = self.observe(info, t)
            if level is not None:
                todo.append((info.process_id, level))
        self._listed = True
        return todo

    def removed(self, pid: int) -> None:
        self._sessions.pop(pid, None)

    def server_lost(self) -> None:
        """The server's streams are gone; when it is back every session is new."""
        self._sessions.clear()

    # ---- restoring ----------------------------------------------------------------------

    def _start_restore(self, session: _Session, info: SessionInfo, t: float) -> AppLevel | None:
        session.played = info.state == SessionState.ACTIVE
        level = self.levels.get(session.identity) if session.identity else None
        if not self.enabled or level is None:
            return None
        session.target, session.deadline = level, t + RESTORE_S
        if level.matches(info):
            if session.played:
                session.target = None  # already right: nothing to do
            return None
        session.tries = 1
        return level

    def _continue_restore(self, session: _Session, info: SessionInfo, t: float) -> AppLevel | None:
        target = session.target
        assert target is not None
        if (target.matches(info) and session.played) or t >= session.deadline:
            session.target = None  # done (or given up): from now on its reports are the user's
            return None
        playing = info.state == SessionState.ACTIVE
        if playing and not target.matches(info) and session.tries < RESTORE_TRIES:
            session.tries += 1
            return target  # the stream set its own level as it started playing
        return None

    # ---- remembering ----------------------------------------------------------------------

    def _remember(self, session: _Session, info: SessionInfo) -> None:
        if not self.enabled or not session.played or session.identity is None:
            return
        level = AppLevel(round(info.volume, 3), info.muted)
        if self.levels.get(session.identity) == level:
            return
        self.levels.pop(session.identity, None)  # re-insert: the newest change goes last
        self.levels[session.identity] = level
        while len(self.levels) > MAX_APPS:
            del self.levels[next(iter(self.levels))]
        if self._on_change is not None:
            self._on_change(self.as_dict())

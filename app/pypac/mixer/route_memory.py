"""The output device each app was last sent to from its strip, sent again when
the app comes back. Qt-free, like volume_memory.py (whose rules it follows: an
app is known by its identity, not its pid; the first full listing is taken as
it is; the caller sends the moves it returns to the worker).

Only the user's own choices are remembered (a choice of the default device
too: it stays where it was sent when the default changes later).
"""

from __future__ import annotations

from typing import Callable

from pypac.engine import SessionInfo

from .app_identity import app_identity

#: Apps remembered at most; the least recently chosen go first.
MAX_APPS = 200


class RouteMemory:
    def __init__(
        self,
        routes: dict[str, str] | None = None,
        *,
        on_change: Callable[[dict[str, str]], None] | None = None,
        identity: Callable[[SessionInfo], str | None] = app_identity,
    ) -> None:
        self.routes: dict[str, str] = dict(routes or {})
        self._on_change = on_change
        self._identity = identity
        self._settled: set[int] = set()  # pids placed (or taken as they were)
        self._listed = False

    def chosen(self, info: SessionInfo, device_id: str) -> None:
        """The user sent the app to `device_id`."""
        self._settled.add(info.process_id)
        ident = self._identity(info)
        if ident is None or self.routes.get(ident) == device_id:
            return
        self.routes.pop(ident, None)  # re-insert: the newest choice goes last
        self.routes[ident] = device_id
        while len(self.routes) > MAX_APPS:
            del self.routes[next(iter(self.routes))]
        if self._on_change is not None:
            self._on_change(dict(self.routes))

    def reset(self, infos: list[SessionInfo], outputs: set[str]) -> list[tuple[int, str]]:
        """A full listing: the moves to make, as (pid, device id)."""
        if not self._listed:
            self._listed = True
            self._settled = {i.process_id for i in infos}
            return []
        self._settled &= {i.process_id for i in infos}
        moves = (self.observe(i, outputs) for i in infos)
        return [(i.process_id, m) for i, m in zip(infos, moves) if m is not None]

    def observe(self, info: SessionInfo, outputs: set[str]) -> str | None:
        """An added or changed session: the device to move it to now, or None."""
        pid = info.process_id
        if pid in self._settled or not self._listed:
            return None
        if not info.device_id:
            return None  # not linked to a device yet: decide when it is
        self._settled.add(pid)
        ident = self._identity(info)
        wanted = self.routes.get(ident) if ident is not None else None
        if wanted is None or wanted == info.device_id or wanted not in outputs:
            return None
        return wanted

    def removed(self, pid: int) -> None:
        self._settled.discard(pid)

    def server_lost(self) -> None:
        """Every stream is new when the server is back."""
        self._settled.clear()

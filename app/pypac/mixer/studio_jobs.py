"""The engine side of the master Record and instant replay (studio.py is the
GUI side): runs on the worker's thread, because starting a `pypac.Take` or a
`ReplayBuffer` opens captures, which waits for the server.

Once started, a take writes on its own thread and a replay buffer keeps its
rings on its own thread; saving a replay writes files, so it runs on a
thread of its own too: the worker never waits on the disk.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Callable

from pypac.errors import DeviceNotFoundError, PyPACError, SessionNotFoundError
from pypac.replay import ReplayBuffer
from pypac.take import Source, Take, TakeStatus

from .device_table import MIC_KEY
from .session_model import SYSTEM_KEY

#: Why a replay could not be saved, for `pypac replay`'s exit code (cli/replay.py).
REPLAY_OFF, REPLAY_NO_APP, REPLAY_FAILED = "off", "no-app", "failed"


def source_of(key: int, microphone: str) -> Source:
    """What a strip's key records: the System for the master strip, the default
    microphone (its device id) for its column, else the app."""
    if key == SYSTEM_KEY:
        return Source.system()
    if key == MIC_KEY:
        if not microphone:
            raise DeviceNotFoundError("there is no microphone to record (none is plugged in)")
        return Source.device(microphone)
    return Source.app(key)


class StudioJobs:
    """The running take and replay buffer; every call comes from the worker thread.
    The callbacks may run on other threads (the take's, a save's)."""

    def __init__(
        self,
        on_take_finished: Callable[[TakeStatus], None],
        on_replay_saved: Callable[[int, object, str, str], None],
        microphone: Callable[[], str],
    ) -> None:
        self._microphone = microphone  # the default input's id ("": none)
        self._on_take_finished = on_take_finished
        self._on_replay_saved = on_replay_saved
        self.take: Take | None = None
        self.replay: ReplayBuffer | None = None
        self._replay_wanted: tuple[tuple[int, ...], float] | None = None
        self._old_replays: list[ReplayBuffer] = []  # stopping

    def start_take(self, keys: list[int], folder: str, fmt: str) -> Take:
        """Start a take of `keys`' sources; raises PyPACError/OSError if it cannot."""
        if self.take is not None and self.take.running:
            return self.take
        sources = [source_of(k, self._microphone()) for k in keys]
        take = Take(sources, folder, format=fmt, on_finished=self._take_ended)
        take.start()
        self.take = take
        return take

    def _take_ended(self, status: TakeStatus) -> None:
        self.take = None
        self._on_take_finished(status)

    def stop_take(self) -> None:
        if self.take is not None:
            self.take.request_stop()  # no wait: its thread finishes the files, then reports

    def set_replay(self, keys: list[int], seconds: float) -> ReplayBuffer | None:
        """Keep the last `seconds` of `keys` (none: replay off). A new set of
        sources starts a new buffer (the old one's audio is dropped)."""
        wanted = (tuple(keys), seconds) if keys else None
        if wanted == self._replay_wanted and (self.replay is None or self.replay.running):
            return self.replay
        self._replay_wanted = wanted
        if self.replay is not None:
            self.replay.request_stop()  # its thread ends by itself; only shutdown waits for it
            self._old_replays = [r for r in self._old_replays if r.running] + [self.replay]
            self.replay = None
        if wanted is not None:
            replay = ReplayBuffer([source_of(k, self._microphone()) for k in keys], seconds)
            replay.start()  # raises: the caller reports it
            self.replay = replay
        return self.replay

    def save_replay(self, request: int, folder: str, seconds: float, name: str) -> None:
        """Write the replay out on a thread of its own; `on_replay_saved(request,
        TakeStatus or None, why not, message)` says how it went."""
        replay = self.replay
        if replay is None:
            self._on_replay_saved(
                request,
                None,
                REPLAY_OFF,
                "instant replay is off: turn it on in the mixer's settings",
            )
            return

        def save() -> None:
            try:
                status = replay.save_take(Path(folder), seconds or None, name=name or None)
            except SessionNotFoundError as exc:
                self._on_replay_saved(request, None, REPLAY_NO_APP, str(exc))
            except (PyPACError, OSError) as exc:
                self._on_replay_saved(
                    request, None, REPLAY_FAILED, f"cannot save the replay: {exc}"
                )
            else:
                self._on_replay_saved(request, status, "", "")

        threading.Thread(target=save, name="pypac-replay-save", daemon=True).start()

    def shutdown(self) -> None:
        """Finish the take's files; end the replay (its captures closed before the engine)."""
        if self.take is not None:
            self.take.stop()
        for old in self._old_replays:
            old.wait()
        if self.replay is not None:
            self.replay.stop()
            self.replay = None

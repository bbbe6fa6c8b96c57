"""Instant replay: the last N seconds of some sources, kept in memory, saved after the fact.

    with pypac.ReplayBuffer([pid_a, pypac.Source.system()], seconds=30) as replay:
        ...                                  # something worth keeping happened
        replay.save("takes/that-moment")     # the last 30 s, as a take folder

A `ReplayBuffer` is a `Take` that writes into memory: the same sources, the
same captures read on its own thread, the same shared clock (take_timeline.py
places every track), but each track's placed frames go into a preallocated
ring of `seconds` instead of a file. Its memory is known up front
(`memory_bytes`: seconds x rate x channels x 4 bytes x sources) and never
grows. `save()` copies the newest frames that every track holds out of the
rings and writes them as a take folder (files + manifest.json, the tracks
sample-aligned and of equal length) through `Take.write_whole`.

The newest frames of a track whose source sends nothing (an app not playing)
are placed up to a second late (take.HOLD_SECONDS): a save then ends up to a
second before the moment it was asked for.
"""

from __future__ import annotations

import math
import os
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from . import arguments
from .audio_file import AudioFileError
from .errors import InvalidArgumentError, SessionNotFoundError
from .take import SourceLike, Take, TakeStatus
from .take_timeline import NS

__all__ = [
    "DEFAULT_REPLAY_SECONDS",
    "MAX_REPLAY_SECONDS",
    "MIN_REPLAY_SECONDS",
    "ReplayBuffer",
    "replay_memory_bytes",
]

DEFAULT_REPLAY_SECONDS = 30.0
MIN_REPLAY_SECONDS = 1.0
#: The longest replay: an hour of a stereo source is 1.4 GB already.
MAX_REPLAY_SECONDS = 3600.0
SAMPLE_BYTES = 4  # float32


def replay_memory_bytes(
    seconds: float, sources: int, sample_rate: int = 48000, channels: int = 2
) -> int:
    """What a replay buffer of `sources` keeping `seconds` holds in memory."""
    return round(seconds * sample_rate) * channels * SAMPLE_BYTES * sources


class ReplayBuffer(Take):
    """Keeps the last `seconds` of `sources` (Source, pid or capture, as for
    `Take`) from `start()` to `stop()`; `save(folder)` writes them as a take."""

    def __init__(
        self,
        sources: Sequence[SourceLike],
        seconds: float = DEFAULT_REPLAY_SECONDS,
        *,
        format: str | None = None,
        sample_rate: int = 48000,
        channels: int = 2,
    ) -> None:
        seconds = arguments.number_in("seconds", seconds, MIN_REPLAY_SECONDS, MAX_REPLAY_SECONDS)
        super().__init__(sources, Path(), format=format, sample_rate=sample_rate, channels=channels)
        # Tracks go into their rings in lockstep, as into a single-file take's one
        # file (Take._write): every ring then holds the same span, and a save of N s
        # gets N s of every track.
        self.single_file = True
        self.seconds = seconds
        self.capacity = round(seconds * self.sample_rate)
        # Allocated here, whole: the memory a replay takes is known before it starts.
        self._rings = np.zeros((len(self._tracks), self.capacity, self.channels), np.float32)
        self._lock = threading.Lock()  # the rings: the take's thread writes, save() reads

    @property
    def memory_bytes(self) -> int:
        return int(self._rings.nbytes)

    @property
    def labels(self) -> list[str]:
        """The tracks' names (an app's display name once it played)."""
        return [t.label for t in self._tracks]

    @property
    def buffered_seconds(self) -> float:
        """How much every track holds now (at most `seconds`)."""
        return min(self.status.frames, self.capacity) / self.sample_rate

    # ---- the take's file side, in memory ------------------------------------------------

    def _prepare_folder(self) -> None:
        pass  # no folder until save()

    def _open_files(self) -> None:
        pass  # the rings were allocated up front

    def _write_manifest(self) -> None:
        pass  # save() writes the saved take's

    def _update_size(self) -> None:
        self.status.bytes_written = 0

    def _put(self, blocks: list[np.ndarray]) -> None:
        with self._lock:
            for t, block in zip(self._tracks, blocks):
                self._keep(t.index, t.written, block)
                t.written += len(block)
                t.status.frames = t.written
                if len(block):
                    t.status.level = float(np.max(np.abs(block)))
            self.status.frames = min(t.written for t in self._tracks)

    def _keep(self, index: int, written: int, block: np.ndarray) -> None:
        """Put `block` into track `index`'s ring after `written` frames."""
        cap = self.capacity
        if len(block) > cap:  # only the newest `cap` frames can be kept
            written += len(block) - cap
            block = block[-cap:]
        at = written % cap
        first = min(len(block), cap - at)
        ring = self._rings[index]
        ring[at : at + first] = block[:first]
        ring[: len(block) - first] = block[first:]

    # ---- saving ---------------------------------------------------------------------

    def save(
        self,
        folder: str | os.PathLike[str],
        seconds: float | None = None,
        *,
        name: str | None = None,
        overwrite: bool = False,
    ) -> Path:
        """Write the last `seconds` (default: all it keeps) as a take folder and
        return it. `name` keeps only the tracks of that app (its display or
        process name). Raises if nothing is buffered yet."""
        return self.save_take(folder, seconds, name=name, overwrite=overwrite).folder

    def save_take(
        self,
        folder: str | os.PathLike[str],
        seconds: float | None = None,
        *,
        name: str | None = None,
        overwrite: bool = False,
    ) -> TakeStatus:
        """`save()`, returning the saved take's status (length, each track's loudness)."""
        if seconds is not None:  # more than it keeps: all it keeps
            seconds = arguments.number_in("seconds", seconds, 1 / self.sample_rate, math.inf)
        chosen = self._chosen_tracks(name)
        with self._lock:
            end = self.status.frames  # what every track holds
            # A track ahead of `end` (by up to take.HOLD_SECONDS) has overwritten as
            # much of its oldest frames: they are not there to copy.
            lead = max(self._tracks[i].written for i in chosen) - end
            n = max(0, min(end, self.capacity - lead))
            if seconds is not None:
                n = min(n, round(seconds * self.sample_rate))
            blocks = [self._copy_out(i, end - n, n) for i in chosen]
        if n == 0:
            raise InvalidArgumentError(
                "the replay holds no audio yet: its sources start being kept a moment "
                "after it starts; save again in a second"
            )
        assert self._t0_ns is not None
        start_ns = self._t0_ns + (end - n) * NS // self.sample_rate
        out = Take(
            [self._tracks[i].spec for i in chosen],
            folder,
            format=self.format,
            sample_rate=self.sample_rate,
            channels=self.channels,
            overwrite=overwrite,
        )
        status = out.write_whole(blocks, start_ns, [self._tracks[i].label for i in chosen])
        if status.error:
            raise AudioFileError(status.error)
        return status

    def _chosen_tracks(self, name: str | None) -> list[int]:
        if name is None:
            return list(range(len(self._tracks)))
        wanted = arguments.app_name(name).casefold()
        chosen = [
            t.index
            for t in self._tracks
            if t.label.casefold() == wanted
            or (t.spec.name is not None and t.spec.name.casefold() == wanted)
        ]
        if not chosen:
            raise SessionNotFoundError(
                f"the replay keeps no app named {name!r}; it keeps: {', '.join(self.labels)}"
            )
        return chosen

    def _copy_out(self, index: int, begin: int, n: int) -> np.ndarray:
        """Frames begin..begin+n of track `index` (all still in its ring)."""
        cap = self.capacity
        at = begin % cap
        first = min(n, cap - at)
        ring = self._rings[index]
        return np.concatenate([ring[at : at + first], ring[: n - first]])

"""Is a capture continuous across an event (a move, a new default device)?

Two measures: the longest run of silence inside a tone (a hole filled with
zeros), and how many frames went missing or were added across the event (a
splice): the frame count against the clock, fitted on each side of the event
so that one late read on a loaded machine does not count.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

import pypac


def longest_silence_ms(audio: np.ndarray, rate: int, threshold: float = 1e-3) -> float:
    """The longest run of near-zero frames between the first and last sound, in ms.

    A steady tone crosses zero within one sample, so any run longer than a
    few samples is a hole in the capture."""
    loud = np.abs(audio).max(axis=1) >= threshold if audio.ndim == 2 else np.abs(audio) >= threshold
    where = np.flatnonzero(loud)
    if len(where) < 2:
        return len(audio) * 1000 / rate
    return float(np.diff(where).max() - 1) * 1000 / rate


@dataclass
class Timeline:
    """A capture read block by block, each block stamped with when it came."""

    rate: int
    blocks: list[np.ndarray] = field(default_factory=list)
    stamps: list[tuple[float, int]] = field(default_factory=list)  # (monotonic, frames so far)
    events: dict[str, float] = field(default_factory=dict)  # name -> monotonic

    @property
    def frames(self) -> int:
        return self.stamps[-1][1] if self.stamps else 0

    def audio(self) -> np.ndarray:
        return np.concatenate(self.blocks)

    def read(self, cap: pypac.engine._Capture, seconds: float) -> None:
        """Read for `seconds` (after the first frames, if none came yet)."""
        if not self.blocks:
            first = cap.read(timeout=5.0)
            assert len(first) > 0, f"no audio within 5 s ({cap!r}, {cap.stats})"
            self._add(first)
        until = time.monotonic() + seconds
        while time.monotonic() < until:
            block = cap.read(timeout=0.5)
            assert len(block) or cap.active, f"the capture ended: {cap.end_reason}"
            if len(block):
                self._add(block)

    def read_until(
        self, cap: pypac.engine._Capture, done: Callable[[np.ndarray], bool], timeout: float
    ) -> None:
        """Read until `done(newest quarter second)` holds."""
        deadline = time.monotonic() + timeout
        while not self.blocks or not done(self.audio()[-self.rate // 4 :]):
            assert time.monotonic() < deadline, f"not seen within {timeout} s"
            self.read(cap, 0.05)

    def mark(self, name: str) -> None:
        self.events[name] = time.monotonic()

    def _add(self, block: np.ndarray) -> None:
        self.blocks.append(block)
        self.stamps.append((time.monotonic(), self.frames + len(block)))

    def around(self, event: str, before: float, after: float) -> np.ndarray:
        """The audio from `before` s ahead of `event` to `after` s past it."""
        at = next((n for t, n in self.stamps if t >= self.events[event]), self.frames)
        start = max(0, at - int(before * self.rate))
        return self.audio()[start : at + int(after * self.rate)]

    def frames_offset_ms(self, event: str, settle: float = 0.3) -> float:
        """Frames gained (+) or lost (-) across `event`, in ms: the frames-vs-clock
        line after it minus the line before it, both read at the event.

        Blocks within `settle` s after the event are left out of the fit (the
        change itself may deliver a late block)."""
        at = self.events[event]
        t = np.array([s[0] for s in self.stamps])
        n = np.array([s[1] for s in self.stamps], dtype=np.float64)
        before = t < at
        after = t > at + settle
        assert before.sum() >= 10 and after.sum() >= 10, "too few blocks around the event"

        # The frame count runs at the sample rate; only the line's offset is fitted.
        def offset(mask: np.ndarray) -> float:
            # The upper envelope: a block is stamped when it was read, never before it came.
            return float(np.max(n[mask] - (t[mask] - at) * self.rate))

        return (offset(after) - offset(before)) * 1000 / self.rate

"""Lossy view data: a rolling min/max envelope and a peak, newest only.

The worker reduces every captured block to per-bucket (min, max) pairs with an
`EnvelopeReducer` (its own state, on its thread) and sends the new buckets to
the GUI in one queued signal per tick; the GUI thread appends them to the
strip's `WaveBuffer`, which only it touches, and reads the newest window when
it draws. No buffer is shared between the threads. Views are lossy (a slow GUI
drops old buckets from the front, python-sounddevice's rec_gui keeps its plot
queue lossy for the same reason); recordings never go through here.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np

#: Frames per envelope bucket (5 ms at 48 kHz): fine enough for any strip
#: width, coarse enough that the GUI reduces only a few hundred numbers a frame.
BUCKET_FRAMES = 240
WINDOW_SECONDS = 1.5
METER_FLOOR_DB = -60.0
#: Views show the window ending this many buckets (60 ms) behind the newest
#: frame expected by now, and slide by wall time between pushes: blocks arrive
#: every 10-40 ms, frames every 16.7 ms, and the wave still scrolls evenly.
LAG_BUCKETS = 12
MARGIN_BUCKETS = 2 * LAG_BUCKETS


@dataclass(frozen=True)
class Envelope:
    """New buckets of one capture, made on the worker thread and handed over
    whole (the worker keeps no reference): per-bucket min and max over all
    channels, the frames they came from, and the block's samples when a
    scope asked for them."""

    lo: np.ndarray
    hi: np.ndarray
    frames: int
    samples: np.ndarray | None = None
    lufs: float | None = None  # a new short-term loudness reading, while strips show LUFS


class EnvelopeReducer:
    """Worker side: captured blocks -> whole buckets (a partial one is carried)."""

    def __init__(self) -> None:
        self._carry = np.zeros(0, np.float32)

    def reduce(self, block: np.ndarray, keep_samples: bool = False) -> Envelope:
        # Min/max over the interleaved samples of every channel at once: no
        # mono mix, no abs pass.
        flat = block.reshape(-1)
        if len(self._carry):
            flat = np.concatenate((self._carry, flat))
        step = BUCKET_FRAMES * (block.shape[1] if block.ndim == 2 else 1)
        whole = len(flat) // step * step
        self._carry = np.array(flat[whole:], np.float32)
        cols = flat[:whole].reshape(-1, step)
        return Envelope(
            cols.min(axis=1) if whole else np.zeros(0, np.float32),
            cols.max(axis=1) if whole else np.zeros(0, np.float32),
            len(block),
            np.array(block, np.float32) if keep_samples else None,
        )


class WaveBuffer:
    """The last `seconds` of one capture as per-bucket (min, max) over all channels.

    Owned by the GUI thread: `add` (the worker's envelopes, through a queued
    signal), `window_at` and `take_peak` all run there. `add` replaces the
    arrays instead of writing into them, so a view may keep the references it
    got without a copy.
    """

    def __init__(self, seconds: float = WINDOW_SECONDS, sample_rate: int = 48000) -> None:
        self.window = max(8, int(seconds * sample_rate / BUCKET_FRAMES))  # buckets shown
        self.buckets = self.window + MARGIN_BUCKETS  # buckets kept
        self._buckets_per_s = sample_rate / BUCKET_FRAMES
        self._total = 0  # buckets added in all
        self._pushed_at = 0.0
        self._lo = np.zeros(self.buckets, np.float32)
        self._hi = np.zeros(self.buckets, np.float32)
        self._peak = 0.0
        self._sound_until = 0  # bucket count just past the last bucket that was not silence
        self._reducer = EnvelopeReducer()
        self.frames = 0  # frames added in all (the tests read it)
        self.lufs: float | None = None  # the newest short-term LUFS the worker sent

    def push(self, block: np.ndarray) -> None:
        """Reduce and add a block here (tests; the mixer reduces on the worker)."""
        if len(block):
            self.add(self._reducer.reduce(block))

    def add(self, env: Envelope) -> None:
        self.frames += env.frames
        if env.lufs is not None:
            self.lufs = env.lufs
        n = len(env.lo)
        if n == 0:
            return
        k = min(n, self.buckets)
        lo, hi = env.lo[-k:], env.hi[-k:]
        self._peak = max(self._peak, float(hi.max()), -float(lo.min()))
        self._lo = np.concatenate((self._lo[k:], lo))
        self._hi = np.concatenate((self._hi[k:], hi))
        sound = np.flatnonzero((hi != 0) | (lo != 0))
        if len(sound):
            self._sound_until = self._total + n - k + int(sound[-1]) + 1
        self._total += n
        self._pushed_at = time.monotonic()

    def window_at(self, now: float) -> tuple[np.ndarray, np.ndarray, int]:
        """(lo, hi, position): the `window` buckets to show at time `now`.

        `position` (in buckets) changes whenever the view must move: with new
        data, and as wall time passes between pushes.
        """
        lo, hi, total, pushed_at = self._lo, self._hi, self._total, self._pushed_at
        expected = total + (now - pushed_at) * self._buckets_per_s - LAG_BUCKETS
        hidden = min(MARGIN_BUCKETS, max(0, round(total - expected)))
        end = len(lo) - hidden
        return lo[end - self.window : end], hi[end - self.window : end], total - hidden

    def silent_window(self, position: int) -> bool:
        """True when the window that `window_at` gave for `position` is all
        silence: sliding it on shows the same flat line, so nothing to redraw."""
        return self._sound_until <= max(0, position - self.window)

    def take_peak(self) -> float:
        """The highest absolute sample since the last call (the meter's input)."""
        peak, self._peak = self._peak, 0.0
        return peak

    def loudest(self) -> float:
        """The highest absolute value in the whole window."""
        return float(max(np.abs(self._lo).max(), np.abs(self._hi).max()))

    def clear(self) -> None:
        self._lo = np.zeros(self.buckets, np.float32)
        self._hi = np.zeros(self.buckets, np.float32)
        self._peak = 0.0
        self._sound_until = 0
        self.lufs = None


def column_starts(buckets: int, columns: int) -> np.ndarray:
    """The first bucket of each of `columns` pixel columns (for np.minimum.reduceat)."""
    return (np.arange(min(columns, buckets)) * buckets) // min(columns, buckets)


def to_db(amplitude: float) -> float:
    return 20.0 * math.log10(amplitude) if amplitude > 1e-6 else -120.0


class PeakBallistics:
    """Meter ballistics: instant attack, steady fall, and a peak-hold mark.

    Works in dB so the fall looks even on a dB scale; times in seconds.
    """

    def __init__(self, fall_db_per_s: float = 24.0, hold_s: float = 1.5) -> None:
        self.fall_db_per_s = fall_db_per_s
        self.hold_s = hold_s
        self.level_db = METER_FLOOR_DB
        self.hold_db = METER_FLOOR_DB
        self._hold_since = 0.0

    def update(self, peak: float, now: float, dt: float) -> bool:
        """Feed the newest peak; True if what the meter shows changed."""
        before = (self.level_db, self.hold_db)
        new_db = max(METER_FLOOR_DB, to_db(peak))
        self.level_db = max(new_db, self.level_db - self.fall_db_per_s * dt)
        if new_db >= self.hold_db:
            self.hold_db, self._hold_since = new_db, now
        elif now - self._hold_since > self.hold_s:
            self.hold_db = max(self.level_db, self.hold_db - self.fall_db_per_s * dt)
        return (round(self.level_db, 1), round(self.hold_db, 1)) != (
            round(before[0], 1),
            round(before[1], 1),
        )

    def reset(self) -> None:
        self.level_db = self.hold_db = METER_FLOOR_DB


def db_fraction(db: float) -> float:
    """Where `db` sits on a meter from METER_FLOOR_DB (0.0) to 0 dBFS (1.0)."""
    return min(1.0, max(0.0, 1.0 - db / METER_FLOOR_DB))

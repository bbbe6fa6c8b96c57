"""Loudness as broadcast measures it (EBU R128 / ITU-R BS.1770-4), and how PyPAC writes it.

`LoudnessMeter` is the engine's meter over libebur128 (native/src/dsp/loudness_meter.cpp):
feed it float32 frames of shape (frames, channels) with `add()` (the GIL is released while it
measures) and read `momentary_lufs` (400 ms), `short_term_lufs` (3 s), `integrated_lufs`
(gated, since the start or `reset()`) and `true_peak_dbtp` (the largest of any channel).
Each reads -inf until there is audio to measure (and for silence). It allocates and locks, so
it is fed from threads that already read the frames (a recorder's writer, the mixer's
worker), never from the audio thread.
"""

from __future__ import annotations

import math

from ._engine import LoudnessMeter

__all__ = ["LoudnessMeter", "format_lufs", "loudness_summary"]


def format_lufs(lufs: float, decimals: int = 1) -> str:
    """Like "-20.0 LUFS"; "-inf LUFS" when there was nothing to measure."""
    return f"{lufs:.{decimals}f} LUFS" if math.isfinite(lufs) else "-inf LUFS"


def loudness_summary(integrated_lufs: float, true_peak_dbtp: float) -> str:
    """Like "-20.0 LUFS integrated, -19.9 dBTP true peak", as `pypac record` ends."""
    peak = f"{true_peak_dbtp:.1f} dBTP" if math.isfinite(true_peak_dbtp) else "-inf dBTP"
    return f"{format_lufs(integrated_lufs)} integrated, {peak} true peak"

"""How far apart two recordings of the same sound lie (pypac.correlation)."""

from __future__ import annotations

import numpy as np

from pypac.correlation import find_lag


def lag_frames(track: np.ndarray, reference: np.ndarray, max_lag: int = 4800) -> int:
    """The lag (frames) at which `track` best matches `reference`: 0 when its
    sound lies at the same frames in both, > 0 when it comes later in `track`.
    Fails when nothing in the two matches clearly."""
    lag, clarity = find_lag(track, reference, max_lag)
    assert clarity > 4, f"no clear match between the tracks (clarity {clarity:.1f})"
    return lag

"""Where one recording of a sound lies in another, by cross-correlation.

GCC-PHAT: the cross-spectrum is whitened before going back to lags, so the
broadband parts of the sound (attacks, clicks, speech) decide the peak and a
steady tone cannot smear it over its period. Used by takes to place an app's
track exactly against the System track that contains it, and by the tests
and benchmarks to measure how well tracks line up.
"""

from __future__ import annotations

import numpy as np


def find_lag(track: np.ndarray, reference: np.ndarray, max_lag: int) -> tuple[int, float]:
    """(lag, clarity): `track`'s sound lies `lag` frames later in `track` than
    in `reference` (both start at the same frame; (frames, channels) or mono;
    lengths may differ). `clarity` is how far the peak stands above the other
    lags within +-max_lag (peak / 99th percentile): above ~4 the lag is
    trustworthy, near 1 there was nothing to match (silence, or no common
    sound)."""
    a = _mono(track)
    b = _mono(reference)
    n = min(len(a), len(b))
    if n == 0:
        return 0, 0.0
    a, b = a[:n], b[:n]
    size = 1 << int(np.ceil(np.log2(2 * n)))
    cross = np.fft.rfft(a, size) * np.conj(np.fft.rfft(b, size))
    cross /= np.abs(cross) + 1e-12
    corr = np.fft.irfft(cross, size)
    max_lag = min(max_lag, n - 1)
    window = np.concatenate([corr[-max_lag:], corr[: max_lag + 1]]) if max_lag else corr[:1]
    best = int(np.argmax(window))
    floor = float(np.percentile(np.abs(window), 99)) if len(window) > 1 else 0.0
    clarity = float(window[best]) / floor if floor > 0 else 0.0
    return best - max_lag, clarity


def _mono(audio: np.ndarray) -> np.ndarray:
    x = audio.mean(axis=1) if audio.ndim == 2 else audio
    x = x.astype(np.float64)
    return x - float(np.mean(x)) if len(x) else x

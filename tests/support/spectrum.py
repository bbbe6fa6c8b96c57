"""FFT measurements of captured audio: which tone is there, and how loud."""

from __future__ import annotations

import numpy as np


def _spectrum(audio: np.ndarray, rate: int) -> tuple[np.ndarray, np.ndarray]:
    """Amplitude spectrum of the channel mean, scaled so a sine of amplitude A reads A."""
    mono = audio.mean(axis=1) if audio.ndim == 2 else audio
    assert len(mono) >= rate // 20, f"too little audio to analyse: {len(mono)} frames"
    window = np.hanning(len(mono))
    magnitude = np.abs(np.fft.rfft(mono.astype(np.float64) * window)) * 2 / window.sum()
    return np.fft.rfftfreq(len(mono), 1 / rate), magnitude


def dominant_frequency(audio: np.ndarray, rate: int) -> float:
    freqs, mag = _spectrum(audio, rate)
    return float(freqs[int(np.argmax(mag[1:])) + 1])


def band_level_db(audio: np.ndarray, rate: int, freq: float, width: float = 10.0) -> float:
    """Peak level (dBFS of amplitude) within +-width Hz of `freq`."""
    freqs, mag = _spectrum(audio, rate)
    band = (freqs >= freq - width) & (freqs <= freq + width)
    return float(20 * np.log10(mag[band].max() + 1e-12))


def isolation_db(audio: np.ndarray, rate: int, wanted: float, unwanted: float) -> float:
    """How far `unwanted` lies below `wanted`, in dB: the median over quarter-second
    pieces, so one scheduling glitch on a loaded machine (a few ms of silence, whose
    click spreads over the whole spectrum) cannot pass for a leak, while a leak that
    lasts more than half the audio still shows."""
    piece = rate // 4
    pieces = [audio[i * piece : (i + 1) * piece] for i in range(len(audio) // piece)]
    # A piece the wanted tone is absent from (the server stalled) tells nothing of a leak.
    pieces = [p for p in pieces if band_level_db(p, rate, wanted) > -60]
    if len(pieces) < 3:
        return band_level_db(audio, rate, wanted) - band_level_db(audio, rate, unwanted)
    return float(
        np.median(
            [band_level_db(p, rate, wanted) - band_level_db(p, rate, unwanted) for p in pieces]
        )
    )


def rms(audio: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(audio, dtype=np.float64))))


def steady_rms(audio: np.ndarray, rate: int, piece_s: float = 0.05) -> float:
    """The RMS of a steady sound: the median over short pieces, so that a few milliseconds
    of silence (a player's underrun on a loaded machine, a capture's first moment) do not
    count."""
    n = max(1, int(piece_s * rate))
    pieces = [audio[i : i + n] for i in range(0, len(audio) - n + 1, n)]
    return float(np.median([rms(piece) for piece in pieces])) if pieces else rms(audio)

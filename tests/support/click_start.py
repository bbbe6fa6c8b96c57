"""How much of a click-first stream's beginning a recording lost.

The click style of `pypac.demo.tone_player` writes a click in its first
samples, `CLICK_LEAD_FRAMES` of silence, then a tone. The tone's onset in the
recording tells where the stream began even when the click is gone, so the
loss is measured, not just "click found or not".
"""

from __future__ import annotations

import numpy as np

from pypac.demo.tone_player import CLICK_LEAD_FRAMES, CLICK_LEVEL

WINDOW = 48  # 1 ms at 48 kHz: holds half a period of a tone of 1 kHz or more
SUSTAIN = 20  # windows (ms) the tone must last to count as its onset


def tone_onset(mono: np.ndarray, amplitude: float) -> int | None:
    """The first frame of the tone (not the click), or None if it is not there."""
    loud = np.abs(mono) > 0.5 * amplitude
    windows = len(mono) // WINDOW
    per_window = loud[: windows * WINDOW].reshape(windows, WINDOW).any(axis=1)
    for w in range(max(0, windows - SUSTAIN)):
        if per_window[w : w + SUSTAIN].all():
            # The sine starts at phase 0: its first sample above a twentieth
            # of the amplitude is the onset, give or take one.
            start = max(0, (w - 1) * WINDOW)
            return start + int(np.argmax(np.abs(mono[start:]) > 0.05 * amplitude))
    return None


def frames_lost(audio: np.ndarray, amplitude: float) -> int:
    """Frames of the stream's beginning the recording lacks (negative: the
    recording holds that much before the click). Fails if the tone is not there."""
    onset = tone_onset(audio[:, 0], amplitude)
    assert onset is not None, "the tone after the click is not in the recording"
    return CLICK_LEAD_FRAMES - onset


def click_found(audio: np.ndarray, amplitude: float) -> bool:
    """Whether the click is where it belongs, CLICK_LEAD_FRAMES before the tone."""
    onset = tone_onset(audio[:, 0], amplitude)
    if onset is None or onset < CLICK_LEAD_FRAMES:
        return False
    at = onset - CLICK_LEAD_FRAMES
    near = np.abs(audio[max(0, at - WINDOW) : at + WINDOW, 0])
    return bool(near.size) and float(near.max()) > 0.5 * CLICK_LEVEL


def tone_is_whole(audio: np.ndarray, amplitude: float) -> float:
    """Seconds of tone in the recording, asserting it has no gap (no lost block)."""
    mono = audio[:, 0]
    onset = tone_onset(mono, amplitude)
    assert onset is not None, "the tone after the click is not in the recording"
    end = int(np.nonzero(np.abs(mono) > 0.5 * amplitude)[0][-1])
    loud = np.abs(mono[onset:end]) > 0.5 * amplitude
    windows = len(loud) // WINDOW
    gaps = np.nonzero(~loud[: windows * WINDOW].reshape(windows, WINDOW).any(axis=1))[0]
    assert not len(gaps), f"the tone has gaps at {(onset + gaps[:5] * WINDOW) / 48000} s"
    return (end - onset) / 48000

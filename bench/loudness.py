"""Loudness meter benchmark: what measuring EBU R128 loudness costs per stream.

Feeds 10 ms blocks (480 frames at 48 kHz, stereo float32, a music-like signal) to
`pypac.LoudnessMeter` as the recorder's writer and the mixer's worker do, and prints
the CPU time per block and the share of one core one stream takes (100 blocks a
second), for:

* the recorder's meter (momentary, short-term, integrated, true peak), fed 10 ms
  blocks and fed 100 ms batches (the writer's usual batch);
* the mixer strip's live readout (momentary and short-term only), read every block
  and read every 250 ms as the worker does (a reading sums the 3 s window);
* the reference in the same run: a numpy peak (max |x|) of the same block, which
  is what the strip's peak meter costs per block.

    python bench/loudness.py [--seconds 20]
"""

from __future__ import annotations

import argparse
import time
from typing import Callable

import numpy as np

import pypac

RATE, CHANNELS, BLOCK = 48000, 2, 480  # 10 ms


def signal(seconds: float) -> np.ndarray:
    t = np.arange(round(seconds * RATE)) / RATE
    rng = np.random.default_rng(1)
    music = 0.3 * np.sin(2 * np.pi * 220 * t) * (0.5 + 0.5 * np.sin(2 * np.pi * 0.5 * t))
    music += 0.05 * rng.standard_normal(len(t))
    stereo = np.stack([music, np.roll(music, 100)], axis=1)
    return np.ascontiguousarray(stereo, dtype=np.float32)


def per_block_us(run: Callable[[np.ndarray], None], audio: np.ndarray, batch: int) -> float:
    """CPU µs per 10 ms of audio, fed `batch` frames at a time (best of 3 passes)."""
    batches = [audio[at : at + batch] for at in range(0, len(audio) - batch + 1, batch)]
    best = float("inf")
    for _ in range(3):
        start = time.process_time()
        for b in batches:
            run(b)
        best = min(best, time.process_time() - start)
    blocks = len(batches) * batch / BLOCK
    return best / blocks * 1e6


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=20.0, help="audio per pass")
    args = ap.parse_args()
    audio = signal(args.seconds)

    def recorder_meter() -> Callable[[np.ndarray], None]:
        meter = pypac.LoudnessMeter(RATE, CHANNELS)
        return meter.add

    def strip_meter(read_every: int) -> Callable[[np.ndarray], None]:
        meter = pypac.LoudnessMeter(RATE, CHANNELS, integrated=False, true_peak=False)
        count = 0

        def run(block: np.ndarray) -> None:
            nonlocal count
            meter.add(block)
            count += 1
            if count % read_every == 0:  # a short-term reading sums the whole 3 s window
                _ = meter.short_term_lufs

        return run

    def numpy_peak(block: np.ndarray) -> None:
        float(np.max(np.abs(block)))

    rows = [
        ("reference: numpy peak of the block", per_block_us(numpy_peak, audio, BLOCK)),
        (
            "recorder meter (M+S+I+true peak), 10 ms blocks",
            per_block_us(recorder_meter(), audio, BLOCK),
        ),
        ("recorder meter, 100 ms batches", per_block_us(recorder_meter(), audio, 10 * BLOCK)),
        ("strip readout (M+S), read every 10 ms block", per_block_us(strip_meter(1), audio, BLOCK)),
        (
            "strip readout (M+S), read every 250 ms (the worker)",
            per_block_us(strip_meter(25), audio, BLOCK),
        ),
    ]
    reference = rows[0][1]
    print(f"LoudnessMeter, {RATE} Hz stereo float32, {args.seconds:g} s of audio per pass")
    print(f"{'':54s} {'µs/10 ms':>9s} {'% core/stream':>14s} {'x numpy peak':>13s}")
    for name, us in rows:
        # 100 blocks of 10 ms per second of audio: µs per block / 10_000 µs = share of a core
        print(f"{name:54s} {us:9.1f} {us / 100:13.2f}% {us / reference:12.1f}x")


if __name__ == "__main__":
    main()

"""A steady tone for loudness tests: `paplay` with the server's default buffer (about 2 s).

The demo tone player keeps a 50 ms buffer so that its streams start and stop promptly; on a
loaded machine (PipeWire especially) it can underrun, and the server then plays a few
milliseconds of silence: audible in a loudness reading (EBU R128 gates 400 ms blocks), a
glitch of the player's, not of what is measured. paplay's deep buffer rides that out.
"""

from __future__ import annotations

import contextlib
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import soundfile as sf

RATE = 48000


@contextlib.contextmanager
def steady_tone(
    server: Any, folder: Path, freq: float = 997.0, dbfs: float = -20.0, seconds: float = 60.0
) -> Iterator[subprocess.Popen[bytes]]:
    """Play a stereo sine whose peak is `dbfs` through `server` until the block ends."""
    t = np.arange(round(seconds * RATE)) / RATE
    mono = (10 ** (dbfs / 20) * np.sin(2 * np.pi * freq * t)).astype(np.float32)
    path = folder / f"tone-{freq:g}Hz-{dbfs:g}dBFS.wav"
    sf.write(path, np.stack([mono, mono], axis=1), RATE, subtype="FLOAT")
    proc = subprocess.Popen(["paplay", str(path)], env=server.env)
    try:
        yield proc
    finally:
        proc.terminate()
        proc.wait(5)

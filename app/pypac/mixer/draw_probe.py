"""What the benchmark (bench/gui.py, through `pypac-mixer --stats`) and the tests measure
about drawing, kept in one small object per window instead of counters spread over the
window and every waveform. Counting costs an integer add per paint."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass
class DrawProbe:
    #: time.monotonic() of the window's first paint (start-up time in the benchmark).
    first_paint: float | None = None
    #: Display frames in which at least one waveform was redrawn.
    frames: int = 0
    #: Waveforms drawn by the display timer, every strip together.
    waveform_paints: int = 0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

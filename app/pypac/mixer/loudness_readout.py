"""The strips' meters show peaks (the default) or short-term loudness (EBU R128, LUFS).

A click on any strip's meter switches every strip; the worker measures loudness only
while the strips show it (`EngineLink.set_loudness`), reading each view's frames it
already reads for the waveform (worker.py, `LoudnessMeter` without integrated loudness
or true peak: cheap, and its memory does not grow).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .main_window import MixerWindow
    from .strip import ChannelStrip


class LoudnessReadout:
    def __init__(self, window: MixerWindow) -> None:
        self.window = window
        self.on = False

    def attach(self, strip: ChannelStrip) -> None:
        """A new strip: shows what the others show, and its meter's click switches all."""
        strip.set_lufs_readout(self.on)
        strip.meterClicked.connect(self.toggle)

    def toggle(self) -> None:
        self.set(not self.on)

    def set(self, on: bool) -> None:
        self.on = on
        for strip in self.window.strips.values():
            strip.set_lufs_readout(on)
        self.window.link.set_loudness(on)

"""The display timer: draws the visible strips' waveforms and meters, and slows
down when nothing moves.

A mixer sits open all day: once nothing has changed for IDLE_AFTER frames
(silence, meters at rest, no recording), the timer ticks at IDLE_FRAME_MS
until something moves again (sound shows within that time).
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, QTimer, Signal

if TYPE_CHECKING:
    from .main_window import MixerWindow

FRAME_MS = 16  # ~60 fps while few strips are drawn
#: Above this many drawn strips waveforms run at 30 fps (BUSY_FRAME_MS): each
#: strip's view is a paint event of its own, and 60 fps for 8 strips cost more
#: than the mixer's CPU budget (bench/gui.py).
FULL_RATE_STRIPS = 4
BUSY_FRAME_MS = 33
SLOW_EVERY = 6  # recording figures update every 6th frame (~10 Hz at 60 fps)
METER_EVERY = 2  # meters at ~30 Hz: the eye cannot follow a level bar faster
IDLE_AFTER = 30
IDLE_FRAME_MS = 250


class DisplayLoop(QObject):
    paced = Signal(bool)  # True when the loop went idle, False when it woke

    def __init__(self, window: MixerWindow) -> None:
        super().__init__(window)
        self.window = window
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(FRAME_MS)
        self._timer.timeout.connect(self.frame)
        self._last_meter = time.monotonic()
        self._frame_no = 0
        self._still_frames = 0  # frames in a row that changed nothing
        self.state_changed = True  # draw everything at the next frame

    @property
    def active(self) -> bool:
        return self._timer.isActive()

    def start(self) -> None:
        if not self._timer.isActive():
            self._last_meter = time.monotonic()
            self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def frame_ms(self) -> int:
        drawn = len(self.window._view_keys)
        return FRAME_MS if drawn <= FULL_RATE_STRIPS else BUSY_FRAME_MS

    def frame(self) -> None:
        win = self.window
        now = time.monotonic()
        self._frame_no += 1
        slow = self._frame_no % SLOW_EVERY == 0
        if self._frame_no % METER_EVERY == 0 or self.frame_ms() != FRAME_MS:
            meter, self._last_meter = now - self._last_meter, now
        else:
            meter = 0.0  # no meter update this frame
        drew = metered_any = self.state_changed
        self.state_changed = False
        for key in win._view_keys:
            strip = win.strips.get(key)
            if strip is not None:
                wave, metered = strip.refresh(now, meter, slow)
                drew |= wave
                metered_any |= metered
                win.probe.waveform_paints += wave
        if slow:
            for strip in win.strips.values():
                if strip.key not in win._view_keys:
                    strip.record_panel.refresh()
        win.probe.frames += drew
        self._pace(drew or metered_any or any(s.recording for s in win.strips.values()))

    def _pace(self, moved: bool) -> None:
        """Full frame rate while anything moves; a slow tick once all is still."""
        self._still_frames = 0 if moved else self._still_frames + 1
        idle = self._still_frames >= IDLE_AFTER
        interval = IDLE_FRAME_MS if idle else self.frame_ms()
        if self._timer.interval() != interval:
            self._timer.setInterval(interval)
            self.paced.emit(idle)

"""Recording from the strips: Rec pressed -> the worker starts a Recorder; its
start, failure and end come back as worker signals and show on the strip, in
the status bar, and (a finished file) in the window's `recordingFinished`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject

from .record_panel import finished_message, short_message

if TYPE_CHECKING:
    from .main_window import MixerWindow


class StripRecordings(QObject):
    def __init__(self, window: MixerWindow) -> None:
        super().__init__(window)
        self.window = window
        w = window.link.worker
        w.recordingStarted.connect(self._started)
        w.recordingFailed.connect(self._failed)
        w.recordingFinished.connect(self._finished)

    def request(self, key: int, start: bool) -> None:
        """The strip's Rec button was pressed (start) or released (stop)."""
        win = self.window
        strip = win.strips.get(key)
        if strip is None:
            return
        if not start:
            strip.record_panel.finishing()
            win.link.stop_recording(key)
            return
        path = win.settings.new_recording_path(strip.name)
        win.model.set_recording(key, True)
        strip.recording_pending()
        win.link.start_recording(key, path, win.settings.recording_format)

    def _started(self, key: int, recorder: Any) -> None:
        strip = self.window.strips.get(key)
        if strip is not None:
            strip.recording_started(recorder.status)
            self.window.tell(f"Recording {strip.name} to {recorder.path}")
        self.window.recordingsChanged.emit()

    def _failed(self, key: int, message: str) -> None:
        self.window.model.set_recording(key, False)
        strip = self.window.strips.get(key)
        if strip is not None:
            strip.recording_ended("Could not start: see the status bar", message)
        self.window.tell(message)
        self.window.recordingsChanged.emit()

    def _finished(self, key: int, status: Any) -> None:
        win = self.window
        win.model.set_recording(key, False)
        strip = win.strips.get(key)
        name = strip.name if strip is not None else f"PID {key}"
        message = finished_message(name, status)
        path = Path(status.path)
        if strip is not None:
            strip.recording_ended(short_message(status), message, path)
        win.tell(message)
        if path.exists():
            win.recordingFinished.emit(path)
        win.recordingsChanged.emit()

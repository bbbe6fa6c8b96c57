"""The strip's recording state: elapsed time, size, dropped frames, level, warnings.

It only reads `RecordingStatus` (safe from any thread); the writing happens on
the Recorder's own thread, never here.
"""

from __future__ import annotations

import time
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QProgressBar, QVBoxLayout, QWidget

from .levels import db_fraction, to_db
from .session_model import elapsed_text, size_text
from .theme import named


def finished_message(name: str, status: Any) -> str:
    """One sentence for the user about how a recording ended."""
    from pypac.recording import RecordingEnd

    where = (
        f"{status.path.name} ({elapsed_text(status.seconds)}, {size_text(status.bytes_written)})"
    )
    if status.end is RecordingEnd.WRITE_FAILED or status.error:
        return f"Recording of {name} stopped: {status.error}"
    why = {
        RecordingEnd.APP_EXITED: f"{name} exited; saved {where}",
        RecordingEnd.SERVER_LOST: f"sound server lost; saved {where}",
    }.get(status.end, f"saved {where}")
    dropped = f", {status.dropped_frames} frames dropped" if status.dropped_frames else ""
    return f"Recording of {name}: {why}{dropped}"


def short_message(status: Any) -> str:
    """The few words that fit on the strip; the full sentence goes to the status bar."""
    from pypac.recording import RecordingEnd

    if status.end is RecordingEnd.WRITE_FAILED or status.error:
        return "Write failed: see the status bar"
    what = f"Saved {elapsed_text(status.seconds)} · {size_text(status.bytes_written)}"
    if status.end is RecordingEnd.APP_EXITED:
        return f"App exited. {what}"
    if status.end is RecordingEnd.SERVER_LOST:
        return f"Server lost. {what}"
    return what


class RecordPanel(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(2)
        self.info = named(QLabel(), "recInfo")
        self.detail = named(QLabel(), "recMessage")
        self.level = QProgressBar()
        self.level.setRange(0, 1000)
        self.level.setTextVisible(False)
        self.level.setFixedHeight(6)
        self.level.setToolTip("Level of what is being recorded")
        self.warning = named(QLabel(), "recWarning")
        self.message = named(QLabel(), "recMessage")
        for label in (self.warning, self.message):
            label.setWordWrap(True)
            label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        for w in (self.info, self.detail, self.level, self.warning, self.message):
            lay.addWidget(w)
        self.status: Any = None
        self._pending_since = 0.0
        self._show_running(False)
        self.warning.hide()
        self.message.hide()

    def _show_running(self, running: bool) -> None:
        for w in (self.info, self.detail, self.level):
            w.setVisible(running)

    def pending(self) -> None:
        """The button was pressed; the worker is opening the capture and the file."""
        self.status = None
        self._pending_since = time.monotonic()
        self.info.setText("● starting…")
        self.detail.setText("")
        self.level.setValue(0)
        self.message.hide()
        self._show_running(True)

    def attach(self, status: Any) -> None:
        self.status = status
        self.refresh()

    def refresh(self) -> None:
        s = self.status
        if s is None:
            return
        self.info.setText(f"● REC {elapsed_text(s.seconds)}")
        self.detail.setText(f"{size_text(s.bytes_written)} · {s.dropped_frames} dropped")
        self.level.setValue(round(1000 * db_fraction(to_db(s.level))))

    def set_warning(self, text: str | None) -> None:
        self.warning.setText(text or "")
        self.warning.setVisible(bool(text) and (self.status is not None or self.info.isVisible()))

    def ended(self, message: str) -> None:
        """Recording over (finished or failed): show why until the next one starts."""
        self.status = None
        self._show_running(False)
        self.warning.hide()
        self.message.setText(message)
        self.message.setToolTip(message)
        self.message.show()

"""The strip's recording state: elapsed time, size, dropped frames, level, warnings,
and after a recording the way to the file ("Open" / "Folder").

The panel has a fixed height whatever it shows, so the Mute and Rec buttons
below it stay where the pointer left them (a panel that grew pushed them up
38 px: the second click to stop landed on the timer). Long texts are elided;
the whole sentence is in the tooltip and the status bar.

It only reads `RecordingStatus` (safe from any thread); the writing happens on
the Recorder's own thread, never here.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any, Callable

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QHBoxLayout, QProgressBar, QPushButton, QVBoxLayout, QWidget

from pypac.loudness import format_lufs

from .elided_label import ElidedLabel
from .levels import db_fraction, to_db
from .session_model import elapsed_text, size_text
from .theme import named

LEVEL_BAR_PX = 4


def finished_message(name: str, status: Any) -> str:
    """One sentence for the user about how a recording ended."""
    from pypac.recording import RecordingEnd

    where = f"{status.path} ({elapsed_text(status.seconds)}, {size_text(status.bytes_written)})"
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
    if math.isfinite(status.integrated_lufs):  # silence has no loudness to show
        what += f" · {format_lufs(status.integrated_lufs)}"
    if status.end is RecordingEnd.APP_EXITED:
        return f"App exited. {what}"
    if status.end is RecordingEnd.SERVER_LOST:
        return f"Server lost. {what}"
    return what


def open_local(path: Path) -> bool:
    """Open a file or folder with the desktop's default application (no wait)."""
    return QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))


class RecordPanel(QWidget):
    def __init__(
        self, parent: QWidget | None = None, opener: Callable[[Path], bool] = open_local
    ) -> None:
        super().__init__(parent)
        self.opener = opener
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(2)
        self.info = named(ElidedLabel(), "recInfo")
        self.detail = named(ElidedLabel(), "recMessage")
        self.warning = named(ElidedLabel(), "recWarning")
        self.open_button = QPushButton("Open")
        self.open_button.setToolTip("Open the recording")
        self.folder_button = QPushButton("Folder")
        self.folder_button.setToolTip("Show the folder the recording is in")
        self.open_button.clicked.connect(lambda: self._open(folder=False))
        self.folder_button.clicked.connect(lambda: self._open(folder=True))
        self.file_row = QWidget()
        row = QHBoxLayout(self.file_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(4)
        for b in (self.open_button, self.folder_button):
            b.setFlat(True)
            b.setObjectName("fileLink")
            row.addWidget(b)
        self.level = QProgressBar()
        self.level.setRange(0, 1000)
        self.level.setTextVisible(False)
        self.level.setFixedHeight(LEVEL_BAR_PX)
        self.level.setToolTip("Level of what is being recorded")
        # Row 2 shows one of: detail (size, dropped), a warning, or the file's buttons.
        lay.addWidget(self.info)
        lay.addWidget(self.detail)
        lay.addWidget(self.warning)
        lay.addWidget(self.file_row)
        lay.addWidget(self.level)
        lay.addStretch(1)
        line = self.fontMetrics().lineSpacing()
        button_h = line + 6
        for b in (self.open_button, self.folder_button):
            b.setFixedHeight(button_h)
        # Reserved: the first line, the taller second row, the bar. Never more, never less.
        self.setFixedHeight(line + 2 + button_h + 2 + LEVEL_BAR_PX + 2)
        self.status: Any = None
        self.path: Path | None = None  # the last finished recording
        self._running = False
        self._warning_text = ""
        self._show()

    def _show(self) -> None:
        """Show what belongs to the current state in the reserved rows."""
        if self.info.property("done") != (not self._running):
            self.info.setProperty("done", not self._running)  # dim once it is a report
            self.info.style().unpolish(self.info)
            self.info.style().polish(self.info)
        warning = bool(self._warning_text) and self._running
        self.detail.setVisible(self._running and not warning)
        self.warning.setVisible(warning)
        self.file_row.setVisible(not self._running and self.path is not None)
        # The bar keeps its place (an invisible bar would let the stretch move nothing,
        # but a hidden widget is simpler to test): hidden costs no height in a fixed panel.
        self.level.setVisible(self._running)

    def pending(self) -> None:
        """The button was pressed; the worker is opening the capture and the file."""
        self.status = None
        self._running = True
        self.info.setFullText("● starting…")
        self.detail.setFullText("")
        self.level.setValue(0)
        self._show()

    def finishing(self) -> None:
        self.info.setFullText("● finishing…")

    def attach(self, status: Any) -> None:
        self.status = status
        self.refresh()

    def refresh(self) -> None:
        s = self.status
        if s is None:
            return
        self.info.setFullText(f"● REC {elapsed_text(s.seconds)} · {size_text(s.bytes_written)}")
        self.detail.setFullText(f"{s.dropped_frames} dropped")
        self.level.setValue(round(1000 * db_fraction(to_db(s.level))))

    def set_warning(self, text: str | None) -> None:
        self._warning_text = text or ""
        self.warning.setFullText(self._warning_text)
        self._show()

    def ended(self, message: str, detail: str, path: Path | None) -> None:
        """Recording over (finished or failed): show why and the way to the file
        until the next one starts."""
        self.status = None
        self._running = False
        self.path = path if path is not None and path.exists() else None
        self.info.setFullText(message)
        self.info.setToolTip(detail)
        self._show()

    def _open(self, folder: bool) -> None:
        if self.path is not None:
            self.opener(self.path.parent if folder else self.path)

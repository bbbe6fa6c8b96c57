"""The master Record and instant replay controls, in the status bar left of Settings.

[● Record armed] starts a take of every armed strip; while it runs it reads
"■ Stop 0:12". After a take (or a saved replay) [Open] [Folder] lead to it.
[⟲ Save replay] writes the instant replay (enabled while replay is on).

Nothing here moves: the Record button is as wide as its widest text, and
Open/Folder keep their place while hidden (a control that appears must not
shift the one the pointer is on).
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QToolButton, QWidget

from .record_panel import open_local
from .session_model import elapsed_text
from .theme import named

RECORD_TEXT = "● Record armed"
STOP_TEXT = "■ Stop {}"
FINISHING_TEXT = "■ finishing…"
REPLAY_TEXT = "⟲ Save replay"
REPLAY_OFF_TIP = "Instant replay is off: turn it on in the settings"


class TakeBar(QWidget):
    def __init__(
        self, parent: QWidget | None = None, opener: Callable[[Path], bool] = open_local
    ) -> None:
        super().__init__(parent)
        self.opener = opener
        self.path: Path | None = None  # the last take or replay saved
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(4)
        self.record_button = named(QToolButton(), "masterRecord")
        self.record_button.setText(RECORD_TEXT)
        self.record_button.setCheckable(True)
        self.record_button.setAccessibleName("Record armed")
        self.record_button.setToolTip(
            "Record every armed strip at once, sample-aligned, into one take folder"
        )
        metrics = self.record_button.fontMetrics()
        texts = (RECORD_TEXT, STOP_TEXT.format("00:00"), FINISHING_TEXT)
        widest = max(metrics.horizontalAdvance(t) for t in texts)
        self.record_button.setFixedWidth(widest + 16)
        self.open_button = QPushButton("Open")
        self.open_button.setToolTip("Open the last take's folder")
        self.folder_button = QPushButton("Folder")
        self.folder_button.setToolTip("Show the recordings folder")
        self.open_button.clicked.connect(lambda: self._open(folder=False))
        self.folder_button.clicked.connect(lambda: self._open(folder=True))
        self.replay_button = named(QToolButton(), "saveReplay")
        self.replay_button.setText(REPLAY_TEXT)
        self.replay_button.setAccessibleName("Save replay")
        for b in (self.open_button, self.folder_button):
            b.setFlat(True)
            b.setObjectName("fileLink")
            policy = b.sizePolicy()
            policy.setRetainSizeWhenHidden(True)
            b.setSizePolicy(policy)
            b.hide()
        for w in (self.record_button, self.open_button, self.folder_button, self.replay_button):
            w.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            lay.addWidget(w)
        self.show_replay(False, "")

    def show_running(self, seconds: float) -> None:
        self.record_button.setText(STOP_TEXT.format(elapsed_text(seconds)))

    def show_finishing(self) -> None:
        """Stop was pressed: the take writes its last audio (up to a second)."""
        self.record_button.setText(FINISHING_TEXT)
        self.record_button.setEnabled(False)  # until the take reports its end

    def show_idle(self) -> None:
        self.record_button.blockSignals(True)
        try:
            self.record_button.setChecked(False)
        finally:
            self.record_button.blockSignals(False)
        self.record_button.setText(RECORD_TEXT)
        self.record_button.setEnabled(True)

    def show_saved(self, path: Path | None, summary: str) -> None:
        """A take or replay was saved (or not: None): the way to it, the summary as tooltip."""
        self.path = path if path is not None and path.exists() else None
        for b in (self.open_button, self.folder_button):
            b.setVisible(self.path is not None)
            b.setToolTip(summary)

    def show_replay(self, on: bool, tip: str) -> None:
        self.replay_button.setEnabled(on)
        self.replay_button.setToolTip(tip if on else REPLAY_OFF_TIP)

    def _open(self, folder: bool) -> None:
        if self.path is not None:
            self.opener(self.path.parent if folder else self.path)

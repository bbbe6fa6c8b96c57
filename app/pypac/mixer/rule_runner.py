"""The mixer carries out its auto-record rules: one `AutoRecorder` (the engine
`pypac autorecord` uses) with the enabled rules of the settings, restarted
whenever they change.

Starting an AutoRecorder connects to the server and settles the output's
render-ahead (up to seconds); stopping it finishes open files. Neither may
block the GUI thread, so both run on the runner's own thread, which takes
the newest rule list from a queue. The recorder's callbacks come on its
thread and reach the GUI as queued signals: a line in the status bar, an
"Auto" mark on the app's strip while it records, and a tray notice.
"""

from __future__ import annotations

import queue
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from PySide6.QtCore import QEvent, QObject, Signal
from PySide6.QtWidgets import QLabel, QWidget
from shiboken6 import isValid

from pypac.autorecord import AutoRecorder, RecordingStarted, RecordingStopped, RecordRule
from pypac.errors import PyPACError

from .rules_editor import stored_rules
from .settings import AUTO_RECORD_RULES, MixerSettings
from .theme import named

if TYPE_CHECKING:
    from .main_window import MixerWindow

__all__ = ["AutoMark", "RuleRunner"]

#: While the server cannot be reached, starting the rules is tried again this often.
RETRY_SECONDS = 2.0
#: How long quitting waits for open files to be finished.
SHUTDOWN_SECONDS = 10.0
AUTO_TEXT = "● Auto"


class AutoMark(QLabel):
    """A small "● Auto" badge over the top-right corner of a strip's waveform:
    it covers a corner of the wave, not a control, so nothing moves."""

    def __init__(self, waveform: QWidget) -> None:
        super().__init__(AUTO_TEXT, waveform)
        named(self, "autoMark")
        self.setAccessibleName("Auto-recording")
        self.adjustSize()
        waveform.installEventFilter(self)
        self._place()
        self.hide()

    def _place(self) -> None:
        host = self.parentWidget()
        if host is not None:
            self.adjustSize()
            self.move(max(0, host.width() - self.width() - 3), 3)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize:
            self._place()
        return super().eventFilter(watched, event)


class RuleRunner(QObject):
    """Runs the enabled rules of `settings` for `window`; `notify(title, text)`
    tells the desktop (the tray's message), if given."""

    started = Signal(object)  # RecordingStarted, on the GUI thread
    stopped = Signal(object)  # RecordingStopped
    failed = Signal(str)

    def __init__(
        self,
        window: MixerWindow,
        settings: MixerSettings,
        *,
        notify: Callable[[str, str], None] | None = None,
    ) -> None:
        super().__init__(window)
        self.window = window
        self.settings = settings
        self.notify = notify
        #: What rules record now: pid -> file or take folder.
        self.recording: dict[int, Path] = {}
        self.marks: dict[int, AutoMark] = {}
        self.rules: list[RecordRule] = []  # the enabled rules the runner was last given
        #: The rules the runner's thread runs now (set there once they are armed).
        self.running: list[RecordRule] = []
        self._wanted: queue.Queue[list[RecordRule] | None] = queue.Queue()
        self.started.connect(self._started)
        self.stopped.connect(self._stopped)
        self.failed.connect(self._failed)
        window.model.changed.connect(self._show_marks)  # a strip made after its start
        settings.observe(self._setting_changed)
        wanted = self._wanted  # (not self: it is deleted with the window)
        window.destroyed.connect(lambda *_: wanted.put(None))  # a window gone without a quit
        self._thread = threading.Thread(target=self._run, name="pypac-rules", daemon=True)
        self._thread.start()
        self.apply()

    # ---- the GUI thread ----------------------------------------------------------------

    def apply(self) -> None:
        """Run the enabled rules the settings hold now (never waits)."""
        try:
            rules = [r for r in stored_rules(self.settings) if r.enabled]
        except PyPACError as exc:  # (the setting's converter let only good lists in)
            self._failed(f"Auto-record rules unreadable: {exc}")
            return
        self.rules = rules
        self._wanted.put(rules)

    def _setting_changed(self, key: str, _value: object) -> None:
        if key == AUTO_RECORD_RULES:
            self.apply()

    def shutdown(self) -> None:
        """Stop the rules; open files are finished (waits for that, at most
        SHUTDOWN_SECONDS: the app is quitting)."""
        if self._thread.is_alive():
            self._wanted.put(None)
            self._thread.join(SHUTDOWN_SECONDS)

    def _started(self, event: RecordingStarted) -> None:
        self.recording[event.process_id] = event.path
        what = "a take of" if event.rule.records_take else ""
        text = f"Auto-record: recording {what} {event.app} to {event.path}".replace("  ", " ")
        self.window.tell(text)
        if self.notify is not None:
            self.notify("Auto-record", text)
        self._show_marks()

    def _stopped(self, event: RecordingStopped) -> None:
        self.recording.pop(event.process_id, None)
        self.window.tell(
            f"Auto-record: {event.app} stopped ({event.reason.value}) after "
            f"{event.seconds:.1f} s: {event.path}"
        )
        if event.path.is_file():
            self.window.recordingFinished.emit(event.path)  # the recent recordings list
        self._show_marks()

    def _failed(self, message: str) -> None:
        said = message if message.startswith("Auto-record") else f"Auto-record: {message}"
        self.window.tell(said)

    def _show_marks(self, *_: object) -> None:
        for pid, strip in self.window.strips.items():
            mark = self.marks.get(pid)
            path = self.recording.get(pid)
            if path is None:
                if mark is not None and isValid(mark):
                    mark.hide()
                continue
            if mark is None or not isValid(mark) or mark.parentWidget() is not strip.waveform:
                mark = self.marks[pid] = AutoMark(strip.waveform)
            mark.setToolTip(f"An auto-record rule records this app to {path}")
            mark.show()
            mark.raise_()
        for pid in [p for p in self.marks if p not in self.window.strips]:
            del self.marks[pid]  # the strip (and the mark with it) is gone

    # ---- the runner's thread -------------------------------------------------------------

    def _run(self) -> None:
        watcher: AutoRecorder | None = None
        rules: list[RecordRule] = []
        retry = False
        while True:
            try:
                wanted = self._wanted.get(timeout=RETRY_SECONDS if retry else None)
                while not self._wanted.empty():  # only the newest list matters
                    wanted = self._wanted.get_nowait()
            except queue.Empty:
                wanted = rules  # the server was away: try the same rules again
            if watcher is not None and wanted == rules:
                continue  # e.g. only a disabled rule changed: recordings go on
            if watcher is not None:
                watcher.stop()  # finishes open files (reported through stopped)
                watcher = None
                self.running = []
            if wanted is None:
                return
            if wanted is not rules:
                retry = False  # new rules: a failure to start them is told again
            rules = wanted
            if not rules:
                continue
            watcher = AutoRecorder(
                rules,
                on_started=self.started.emit,
                on_stopped=self.stopped.emit,
                on_error=self.failed.emit,
            )
            try:
                watcher.start()
                self.running = rules
            except PyPACError as exc:
                if not retry:  # said once, not at every try
                    self.failed.emit(f"Auto-record waits for the sound server ({exc})")
                watcher, retry = None, True

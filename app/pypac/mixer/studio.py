"""Armed strips, the master Record and instant replay, on the GUI thread.

A strip's Arm toggle puts its source (the app; the System on the master
strip) in the master Record's take; armed apps are remembered by app
identity for the session, so an app that plays again comes back armed. The
master Record starts one `pypac.Take` of every armed, live strip in
<recordings>/take-YYYYmmdd-HHMMSS, shows the elapsed time, and on the second
press stops it; then the status bar says where it went, how long it is and
each track's integrated loudness.

Instant replay (settings: off by default) keeps the last N seconds of the
armed strips (of the System when none is armed) in a `ReplayBuffer`; Save
replay, the tray and `pypac replay` (through single_instance.py) write it to
<recordings>/replay-YYYYmmdd-HHMMSS.

Every start, stop and save goes through the worker (studio_jobs.py): the GUI
thread never waits on the server or the disk.
"""

from __future__ import annotations

import weakref
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from PySide6.QtCore import QObject, QTimer

from pypac.loudness import format_lufs
from pypac.recording import RecordingEnd

from .device_table import MIC_KEY
from .session_model import SYSTEM_KEY, StripPhase, elapsed_text, size_text
from .settings import REPLAY_ENABLED, REPLAY_SECONDS
from .studio_jobs import REPLAY_OFF
from .take_bar import TakeBar

if TYPE_CHECKING:
    from .main_window import MixerWindow

SYSTEM_IDENTITY = "system"  # the master strip's arm (its key is no app's)
MIC_IDENTITY = "microphone"  # the master strip's microphone column's arm
ELAPSED_MS = 250
NOTHING_ARMED = "Nothing is armed: press Arm on the strips to record, then Record armed"

#: What `reply` gets for a replay request (single_instance.py sends it on).
Reply = Callable[[str], None]


def take_summary(status: Any) -> str:
    """ "<folder> (00:02): A -23.0 LUFS, B -20.1 LUFS" (and why it ended early)."""
    tracks = ", ".join(f"{t.label} {format_lufs(t.integrated_lufs)}" for t in status.tracks)
    text = f"{status.folder} ({elapsed_text(status.seconds)}): {tracks}"
    if status.end is RecordingEnd.SERVER_LOST:
        text += "; cut short: the sound server went away"
    return text


def replay_answer(status: Any, why: str, message: str) -> str:
    """The one line `pypac replay` gets: "saved <folder>" or "error <why> <message>"."""
    if status is not None:
        return f"saved {status.folder}"
    return f"error {why} {message}"


class Studio(QObject):
    def __init__(self, window: MixerWindow) -> None:
        super().__init__(window)
        self.window = window
        self.settings = window.settings
        self.armed: set[str] = set()  # identities (app_identity.py), SYSTEM_IDENTITY
        # The worker owns the running Take and the ReplayBuffer; this side only looks
        # (weakly: what the worker dropped at shutdown must not outlive it here).
        self._take: Callable[[], Any] = lambda: None
        self._replay: Callable[[], Any] = lambda: None
        self.last_saved: Path | None = None
        self._requests: dict[int, Reply | None] = {}
        self._next_request = 1
        self.bar = TakeBar()
        self.bar.record_button.toggled.connect(self._record_toggled)
        self.bar.replay_button.clicked.connect(lambda: self.save_replay())
        self._elapsed = QTimer(self)
        self._elapsed.setInterval(ELAPSED_MS)
        self._elapsed.timeout.connect(self._show_elapsed)
        w = window.link.worker
        w.takeStarted.connect(self._take_started)
        w.takeFailed.connect(self._take_failed)
        w.takeFinished.connect(self._take_finished)
        w.replayChanged.connect(self._replay_changed)
        w.replayFailed.connect(window.tell)
        w.replaySaved.connect(self._replay_saved)
        self.settings.observe(self._setting_changed)
        self._replay_sent: list[int] = []  # what the worker was last asked to keep
        window.model.changed.connect(lambda _change: self._follow_replay(explicit=False))
        window.model.serverConnected.connect(self._follow_replay)  # (a lost server ended it)
        self._follow_replay()

    @property
    def take(self) -> Any:
        """The running pypac.Take, or None."""
        return self._take()

    @property
    def replay(self) -> Any:
        """The ReplayBuffer the worker keeps, or None (replay off)."""
        return self._replay()

    # ---- arming ---------------------------------------------------------------------

    def identity(self, key: int) -> str:
        if key == SYSTEM_KEY:
            return SYSTEM_IDENTITY
        if key == MIC_KEY:
            return MIC_IDENTITY
        return self.window.app_strips.identity(key)

    def is_armed(self, key: int) -> bool:
        return self.identity(key) in self.armed

    def arm(self, key: int, on: bool) -> None:
        """A strip's Arm toggle (or a test): remembered by app, for the session."""
        ident = self.identity(key)
        if on:
            self.armed.add(ident)
        else:
            self.armed.discard(ident)
        if key == MIC_KEY:
            self.window.system_strip.set_mic_armed(on)
        for k, strip in self.window.strips.items():
            if key != MIC_KEY and self.identity(k) == ident and strip.armed != on:
                strip.set_armed(on)
        self._follow_replay()

    def armed_keys(self) -> list[int]:
        """The armed strips that can be recorded now: the System first, the
        microphone, then the apps in the row's order."""
        strips = self.window.strips
        mic = [MIC_KEY] if self.window.system_strip.mic_armed else []
        apps = [
            k
            for k in [SYSTEM_KEY, *self.window.app_strips.row_keys()]
            if k in strips
            and strips[k].armed
            and strips[k].phase in (StripPhase.PLAYING, StripPhase.PAUSED)
        ]
        return apps[:1] + mic + apps[1:] if SYSTEM_KEY in apps else mic + apps

    # ---- the master Record ----------------------------------------------------------

    @property
    def recording(self) -> bool:
        return self.bar.record_button.isChecked()

    def toggle_record(self) -> None:
        """The tray's "Record armed": the same path as the button's click."""
        self.bar.record_button.toggle()

    def _record_toggled(self, start: bool) -> None:
        if not start:
            self.bar.show_finishing()
            self.window.link.stop_take()
            return
        keys = self.armed_keys()
        if not keys:
            self.bar.show_idle()
            self.window.tell(NOTHING_ARMED)
            return
        folder = self.settings.new_take_folder("take")
        self.bar.show_running(0)
        self.window.link.start_take(keys, folder, self.settings.recording_format)
        self.window.recordingsChanged.emit()

    def _take_started(self, take: Any) -> None:
        self._take = weakref.ref(take)
        self._mark_taken(self.armed_keys())
        names = ", ".join(t.label for t in take.status.tracks)
        self.window.tell(f"Recording a take of {names} to {take.folder}")
        self._elapsed.start()

    def _mark_taken(self, keys: list[int]) -> None:
        """The strips in the take wear the recording border (as while their own Rec runs)."""
        for key, strip in self.window.strips.items():
            strip.set_in_take(key in keys)

    def _show_elapsed(self) -> None:
        take = self.take
        if take is not None and self.recording:
            self.bar.show_running(take.status.seconds)

    def _take_failed(self, message: str) -> None:
        self._take = lambda: None
        self._mark_taken([])
        self._elapsed.stop()
        self.bar.show_idle()
        self.window.tell(message)
        self.window.recordingsChanged.emit()

    def _take_finished(self, status: Any) -> None:
        self._take = lambda: None
        self._mark_taken([])
        self._elapsed.stop()
        self.bar.record_button.setEnabled(True)
        self.bar.show_idle()
        if status.error:
            self.window.tell(f"The take stopped: {status.error}")
        else:
            size = size_text(status.bytes_written)
            self.window.tell(f"Saved take {take_summary(status)}, {size}")
        self._saved(status)
        self.window.recordingsChanged.emit()

    def _saved(self, status: Any) -> None:
        folder = Path(status.folder)
        self.last_saved = folder if folder.exists() else None
        self.bar.show_saved(self.last_saved, take_summary(status))
        if self.last_saved is not None:
            self.window.recordingFinished.emit(folder)  # the recent recordings list it

    # ---- instant replay -------------------------------------------------------------

    @property
    def replay_on(self) -> bool:
        return bool(self.settings.value(REPLAY_ENABLED))

    def replay_keys(self) -> list[int]:
        """What replay keeps: the armed strips, or the System when none is armed."""
        if not self.replay_on:
            return []
        return self.armed_keys() or [SYSTEM_KEY]

    def replay_source_count(self) -> int:
        """How many sources replay keeps (or would keep, turned on): armed, or the System."""
        return len(self.armed_keys()) or 1

    def _setting_changed(self, key: str, _value: object) -> None:
        if key in (REPLAY_ENABLED, REPLAY_SECONDS):
            self._follow_replay()

    def _follow_replay(self, explicit: bool = True) -> None:
        """Tell the worker what to keep (it starts anew only when that changed).

        Not `explicit` (the apps changed, nobody armed anything): only a newly
        armed app playing restarts the buffer. An armed app that exits keeps its
        track (silence after) rather than dropping the seconds before its exit,
        which are often what the user wants to save."""
        if not self.window.server_up and self.replay_on:
            return  # again once the strips are there
        keys = self.replay_keys()
        sent = self._replay_sent
        if not explicit and sent and not set(self.armed_keys()) - set(sent):
            return
        self._replay_sent = keys
        self.window.link.set_replay(keys, float(self.settings.value(REPLAY_SECONDS)))

    def _replay_changed(self, replay: Any) -> None:
        self._replay = (lambda: None) if replay is None else weakref.ref(replay)
        if replay is None:
            self.bar.show_replay(False, "")
            return
        names = ", ".join(replay.labels)
        mb = replay.memory_bytes / 1e6
        self.bar.show_replay(
            True, f"Save the last {replay.seconds:g} s of {names} ({mb:.1f} MB in memory)"
        )

    def save_replay(
        self, seconds: float | None = None, name: str | None = None, reply: Reply | None = None
    ) -> None:
        """Write the replay to a new folder (the button, the tray, `pypac replay`);
        `reply` gets the one-line answer."""
        if self.replay is None:
            message = replay_answer(
                None, REPLAY_OFF, "instant replay is off in the mixer's settings"
            )
            self.window.tell("Instant replay is off: turn it on in the settings")
            if reply is not None:
                reply(message)
            return
        request = self._next_request
        self._next_request += 1
        self._requests[request] = reply
        folder = self.settings.new_take_folder("replay")
        self.window.link.save_replay(request, folder, seconds or 0.0, name or "")

    def _replay_saved(self, request: int, status: Any, why: str, message: str) -> None:
        reply = self._requests.pop(request, None)
        if reply is not None:
            reply(replay_answer(status, why, message))
        if status is None:
            self.window.tell(f"Replay not saved: {message}")
            return
        self.window.tell(f"Saved replay {take_summary(status)}")
        self._saved(status)

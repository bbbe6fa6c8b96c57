"""`AutoRecorder`: carries out auto-record rules, as a long-running watcher.

One thread waits on the engine's session events: an app a rule names starts
playing -> a `Recorder` for it into the rule's folder (or a `Take` of it
and the microphone: jobs.py); the recording stops
when the app exits, after the rule's seconds of silence, or at its maximum
length. It keeps going through everything a daemon meets: the sound server
going away and coming back (recordings end, new ones start once apps play
again), a full disk (that recording ends with an error, the next may work).
What it does is told through callbacks, called on its thread.
"""

from __future__ import annotations

import enum
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from ..audio_file import AudioFileError
from ..background_job import BackgroundJob
from ..engine import (
    EventKind,
    NewAppCatch,
    SessionEnumerator,
    SessionEvent,
    SessionInfo,
    SessionState,
    SimpleLoopback,
)
from ..errors import (
    PyPACError,
    ServerUnavailableError,
    SessionNotFoundError,
    UnsupportedError,
)
from ..recording import RING_SECONDS, RecordingEnd
from .jobs import CHANNELS, SAMPLE_RATE, Job, Progress, start_job
from .rules import RecordRule

__all__ = ["AutoRecorder", "RecordingStarted", "RecordingStopped", "StopReason"]

#: A block whose peak stays below this (-60 dBFS) is silence to a rule.
SILENCE_LEVEL = 0.001

#: How often recordings are checked for silence and their end (seconds); the
#: writer hands over 100 ms batches, so each is seen at least once.
POLL_SECONDS = 0.05


class StopReason(enum.Enum):
    APP_EXITED = "the app exited"
    SILENCE = "silence"
    MAX_LENGTH = "maximum length reached"
    SERVER_LOST = "the sound server went away"
    WRITE_FAILED = "write failed"
    STOPPED = "stopped"  # AutoRecorder.stop(): Ctrl+C, the mixer disarming


@dataclass(frozen=True)
class RecordingStarted:
    rule: RecordRule
    process_id: int
    app: str
    path: Path


@dataclass(frozen=True)
class RecordingStopped:
    rule: RecordRule
    process_id: int
    app: str
    path: Path
    frames: int
    seconds: float
    reason: StopReason
    error: str | None = None  # for WRITE_FAILED: what happened and what to do


_ENDS = {
    RecordingEnd.APP_EXITED: StopReason.APP_EXITED,
    RecordingEnd.SERVER_LOST: StopReason.SERVER_LOST,
    RecordingEnd.WRITE_FAILED: StopReason.WRITE_FAILED,
}


class _Take:
    """One running recording (a file or a take) and what the watcher knows of its audio."""

    def __init__(self, rule: RecordRule, session: SessionInfo, job: Job) -> None:
        self.rule = rule
        self.app = session.display_name or session.process_name
        self.job = job
        self.loud_until = 0  # frames written when the last loud block was seen
        self.announced = False  # on_started was called: audio came
        self.stop_reason: StopReason | None = None  # why we asked it to stop

    def silent_for(self, progress: Progress) -> float:
        if progress.level >= SILENCE_LEVEL:
            self.loud_until = progress.frames
        return (progress.frames - self.loud_until) / progress.sample_rate


RENDER_AHEAD_SETTLE_S = 3.0


class _RenderAheadLimit:
    """A small-fragment capture of the default output while armed, read and
    thrown away: it keeps the output's render-ahead at ~10 ms.

    An idle PulseAudio sink renders far ahead (a null sink: hundreds of ms);
    a new stream's first render then consumes that much of it at once,
    before a monitor attached a moment later can hear it. Measured: up to
    230 ms of a click-first player's start lost on PulseAudio without it,
    at most a render block or two (10-20 ms) with it."""

    def __init__(self) -> None:
        self._capture: SimpleLoopback | None = None

    def hold(self) -> None:
        if self._capture is not None and self._capture.active:
            return
        try:
            capture = SimpleLoopback(SAMPLE_RATE, ring_seconds=1.0)
            capture.start()
            self._capture = capture
            # Armed once the output renders at the capture's pace: until its
            # first frames come, the sink still works off what it rendered
            # ahead (a PulseAudio null sink: up to ~2 s), and an app that
            # starts meanwhile would lose that much of its start.
            capture.wait_for_frames(SAMPLE_RATE // 100, timeout=RENDER_AHEAD_SETTLE_S)
        except PyPACError:
            self._capture = None  # no output device (or no server): nothing renders ahead

    def drain(self) -> None:
        if self._capture is not None:
            self._capture.get_buffer()

    def release(self) -> None:
        if self._capture is not None:
            self._capture.stop()
            self._capture = None


#: How long the engine holds a caught app's capture for the job that takes
#: it: the watcher's hop from the event to the job, with room for a loaded machine.
CATCH_HOLD_SECONDS = 3.0


class _NewAppCatching:
    """The engine catches new apps while armed (engine.NewAppCatch): a job's
    capture, started after the app's session event, then still begins with
    the app's first frame. On PulseAudio the Python hop from the event to the
    job alone lost 0-40 ms of a new app's start on a loaded machine.

    Where the backend cannot catch (WASAPI for now), jobs start their
    captures themselves, as before."""

    def __init__(self) -> None:
        self._catch: NewAppCatch | None = NewAppCatch(
            SAMPLE_RATE, CHANNELS, RING_SECONDS, CATCH_HOLD_SECONDS
        )

    def arm(self) -> None:
        if self._catch is None:
            return
        try:
            self._catch.start()
        except UnsupportedError:
            self._catch = None

    def drop_stale(self) -> None:
        if self._catch is not None:
            self._catch.drop_stale()

    def release(self) -> None:
        if self._catch is not None:
            self._catch.stop()


class AutoRecorder(BackgroundJob):
    """Watches for apps the rules name and records each while it plays (a
    rule with a `mic`: a take of the app and the microphone, in a folder).

        with AutoRecorder([RecordRule("firefox", "~/Music")], on_started=print):
            input("recording firefox whenever it plays; Enter stops")

    An app that is already playing when the watcher starts is recorded too.
    One recording per app: the first rule that matches it decides. After a
    stop for silence the app is recorded again once it starts a new stream
    or resumes from pause. `start()` raises ServerUnavailableError when no
    sound server answers; later losses of the server are ridden out.
    """

    def __init__(
        self,
        rules: Iterable[RecordRule],
        *,
        on_started: Callable[[RecordingStarted], None] | None = None,
        on_stopped: Callable[[RecordingStopped], None] | None = None,
        on_error: Callable[[str], None] | None = None,
    ) -> None:
        self.rules = list(rules)
        self._on_started = on_started or (lambda _: None)
        self._on_stopped = on_stopped or (lambda _: None)
        self._on_error = on_error or (lambda _: None)
        self._takes: dict[int, _Take] = {}
        # Each app as last reported, and after a stop for silence (or the
        # maximum length): the app's streams then, and whether it played.
        self._seen: dict[int, SessionInfo] = {}
        self._quiet: dict[int, tuple[frozenset[int], bool]] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._enumerator: SessionEnumerator | None = None
        #: Why the watcher stopped by itself (also told through on_error), or None.
        self.failure: Exception | None = None
        self._render_ahead = _RenderAheadLimit()
        self._catching = _NewAppCatching()

    # ---- control -------------------------------------------------------------

    def start(self) -> AutoRecorder:
        if self._thread is not None:
            return self
        self._enumerator = SessionEnumerator()  # ServerUnavailableError: nothing to watch
        self._catching.arm()  # first: an app that starts meanwhile is caught
        self._render_ahead.hold()
        self._thread = threading.Thread(target=self._run, name="pypac-autorecord", daemon=True)
        self._thread.start()
        return self

    def request_stop(self) -> None:
        """Stop without waiting (safe in a signal handler): open files are finished."""
        self._stop.set()
        if self._enumerator is not None:
            self._enumerator.close()  # wakes the waiting thread

    @property
    def recording(self) -> dict[int, Path]:
        """What is being recorded now: pid -> file (or take folder)."""
        return {pid: take.job.path for pid, take in list(self._takes.items())}

    # ---- the watcher thread --------------------------------------------------

    def _run(self) -> None:
        assert self._enumerator is not None
        try:
            self._record_playing()
            while not self._stop.is_set():
                event = self._enumerator.wait_event(POLL_SECONDS)
                while event is not None and not self._stop.is_set():
                    self._on_event(event)
                    event = self._enumerator.wait_event(0)
                self._check_takes()
                self._render_ahead.drain()
                self._catching.drop_stale()
        except Exception as exc:  # a bug, or a callback that raised: say so, finish the files
            self.failure = exc
            self._on_error(f"auto-record stopped watching: {type(exc).__name__}: {exc}")
        finally:
            self._catching.release()
            self._render_ahead.release()
            self._finish_all()

    def _record_playing(self) -> None:
        """Start recording every matching app that plays now (at start, and
        when the server is back or events were dropped)."""
        assert self._enumerator is not None
        try:
            sessions = self._enumerator.enumerate_sessions()
        except ServerUnavailableError:
            return  # SERVER_CONNECTED brings us back here
        except PyPACError as exc:
            self._on_error(f"cannot list the apps that play: {exc}")
            return
        for session in sessions:
            self._consider(session)

    def _on_event(self, event: SessionEvent) -> None:
        if event.kind in (EventKind.SERVER_CONNECTED, EventKind.RESYNC):
            self._render_ahead.hold()
            self._catching.arm()
            self._record_playing()
        elif event.kind == EventKind.REMOVED and event.session is not None:
            self._quiet.pop(event.session.process_id, None)
            self._seen.pop(event.session.process_id, None)
        elif event.kind in (EventKind.ADDED, EventKind.CHANGED) and event.session is not None:
            self._consider(event.session)

    def _consider(self, session: SessionInfo) -> None:
        pid = session.process_id
        playing = session.state == SessionState.ACTIVE
        self._seen[pid] = session
        if pid in self._takes:
            return
        rule = next((r for r in self.rules if r.matches(session)), None)
        if rule is None:
            return
        streams = frozenset(s.index for s in session.streams)
        quiet = self._quiet.get(pid)
        if quiet is not None:
            quiet_streams, was_playing = quiet
            self._quiet[pid] = (quiet_streams | streams, playing)
            # Stopped for silence: only a new stream or a resume starts a new file.
            if not playing or (was_playing and streams <= quiet_streams):
                return
            del self._quiet[pid]
        # Armed at once, even while the new stream is still corked (PipeWire
        # lists it so first): the capture is attached before its first sound.
        # The file counts as started when audio comes (_check_takes).
        self._start_take(rule, session)

    def _start_take(self, rule: RecordRule, session: SessionInfo) -> None:
        assert self._enumerator is not None
        app = session.display_name or session.process_name
        try:
            job = start_job(rule, session.process_id, app, self._enumerator)
        except (SessionNotFoundError, ServerUnavailableError):
            return  # it stopped (or the server went) before we got to it: events follow
        except (AudioFileError, PyPACError, OSError) as exc:
            # Not again until it starts anew (a missing microphone or an
            # unwritable folder would fail at each change of the app).
            self._hush(session.process_id)
            self._on_error(f"cannot record {app}: {exc}")
            return
        self._takes[session.process_id] = _Take(rule, session, job)

    def _check_takes(self) -> None:
        for pid, take in list(self._takes.items()):
            progress = take.job.progress()
            if not take.announced and progress.heard:
                self._announce(pid, take)
            if take.job.running:
                if take.stop_reason is None:
                    take.stop_reason = self._stop_reason(take, progress)
                    if take.stop_reason is StopReason.SILENCE:
                        self._hush(pid)
                    if take.stop_reason is not None:
                        take.job.request_stop()
                continue
            self._finished(pid, take)

    def _stop_reason(self, take: _Take, progress: Progress) -> StopReason | None:
        """Why a running job should stop now (a file stops by itself when its
        app exits; a take keeps its clock and is told)."""
        if take.job.app_exited:
            return StopReason.APP_EXITED
        silence = take.rule.silence_seconds
        if silence is not None and take.silent_for(progress) >= silence:
            return StopReason.SILENCE
        return None

    def _hush(self, pid: int) -> None:
        """Record `pid` again only once it opens a new stream or resumes."""
        seen = self._seen.get(pid)
        if seen is None:
            self._quiet[pid] = (frozenset(), False)
        else:
            streams = frozenset(s.index for s in seen.streams)
            self._quiet[pid] = (streams, seen.state == SessionState.ACTIVE)

    def _announce(self, pid: int, take: _Take) -> None:
        take.announced = True
        self._on_started(RecordingStarted(take.rule, pid, take.app, take.job.path))

    def _finished(self, pid: int, take: _Take) -> None:
        del self._takes[pid]
        progress = take.job.progress()
        if not progress.heard and not progress.error:
            # The app never played (a stream opened paused, then closed):
            # no file, nothing to report.
            take.job.discard()
            return
        if not take.announced:
            self._announce(pid, take)
        if progress.end is RecordingEnd.STOPPED:
            reason = take.stop_reason or StopReason.MAX_LENGTH
        else:
            reason = _ENDS.get(progress.end, StopReason.STOPPED)
        if reason in (StopReason.MAX_LENGTH, StopReason.WRITE_FAILED):
            # Not again until it starts anew, as after silence (a full disk
            # would otherwise fail a new file at each change of the app).
            self._hush(pid)
        path = take.job.path
        self._on_stopped(
            RecordingStopped(
                take.rule,
                pid,
                take.app,
                path,
                progress.frames,
                progress.seconds,
                reason,
                progress.error,
            )
        )
        if progress.error:
            self._on_error(f"recording {take.app} to {path} failed: {progress.error}")

    def _finish_all(self) -> None:
        for take in self._takes.values():
            if take.stop_reason is None:
                take.stop_reason = StopReason.STOPPED
            take.job.request_stop()
        for pid, take in list(self._takes.items()):
            take.job.wait()
            self._finished(pid, take)

"""A take: several sources recorded at once, every track on the same clock.

    with pypac.Take([pid_a, pypac.Source.system(), pypac.Source.device("Mic")],
                    "takes/one", duration=60) as take:
        take.wait()

One folder per take: one file per track (FLAC/WAV/OGG as `Recorder` writes
them) and `manifest.json`; or, with `single_file=True`, one multichannel file
(track 1's channels, then track 2's, ...). Every track starts on the same
sample (the take's T0) and all have the same length: an app that starts late,
pauses, or exits contributes silence on the shared clock. How: each captured
block carries its first frame's time on the engine's clock, and
`take_timeline.TrackTimeline` places it.

The guarantees are the Recorder's: every capture is read losslessly (its own
ring), one writer thread writes every file, the files are made whole on disk
every second, stop() (or Ctrl+C through the CLI, or interpreter exit) finishes
every file, and a write error (disk full) ends the take with every file
holding what was written before it.
"""

from __future__ import annotations

import contextlib
import datetime
import json
import math
import os
import re
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Union

import numpy as np

from . import arguments
from .audio_file import AudioFileError, RecordingFile, format_for
from .background_job import BackgroundJob
from .engine import (
    CaptureEndReason,
    DeviceCapture,
    ProcessCapture,
    SimpleLoopback,
    _Capture,
    find_session,
    monotonic_ns,
)
from .errors import InvalidArgumentError, PyPACError, SessionNotFoundError
from .loudness import LoudnessMeter
from .recording import (
    CHECKPOINT_SECONDS,
    RING_SECONDS,
    WRITE_BATCH_FRAMES,
    RecordingEnd,
    finish_at_exit,
    forget_at_exit,
    frames_for,
    internal_error,
    make_folder,
    with_hint,
)
from .take_timeline import NS, TrackTimeline

__all__ = ["Source", "Take", "TakeStatus", "TrackStatus"]

MANIFEST = "manifest.json"

#: How much of a track is held to measure where it starts (take_timeline.py).
ANCHOR_SECONDS = 0.5
#: How long the take waits for its sources' first audio to choose T0 (a
#: PulseAudio app capture takes most of a second to deliver its first block).
STARTUP_SECONDS = 2.0
#: A track without a running capture (its source not open yet, or gone) gets
#: silence once it is this far behind the clock.
HOLD_SECONDS = 1.0
#: A running capture keeps the clock itself (silence while its app is quiet),
#: so it is only filled in when it stalls this long: on PipeWire with a
#: loaded machine some app streams' audio came 1-3 s late, all of it, and
#: filling sooner put that much extra silence into their tracks.
STALL_SECONDS = 4.0
#: How long a stop waits for running captures' audio still on its way (as
#: long as a stall is waited for during the take; without a stall a stop
#: finds every track there within a block or two).
STOP_DRAIN_SECONDS = STALL_SECONDS
#: How often a source that does not play yet is looked for again.
RETRY_SECONDS = 0.25
#: A System track keeps this much placed audio to refine app tracks against.
REFERENCE_SECONDS = 4.0
#: App tracks are moved by content by at most this much: timing is off by a
#: graph cycle (5-20 ms) on PipeWire, and a stream that starts during the
#: take is captured up to ~90 ms before the sink plays it there.
REFINE_SECONDS = 0.1
#: How often an app track's match with the System track is checked again,
#: and how far the check looks (frames lost server-side move a track by
#: hundreds of ms on a loaded machine).
RECHECK_SECONDS = 2.0
RECHECK_RANGE_SECONDS = 0.5
#: FLAC holds at most this many channels (a single-file take of more: WAV).
FLAC_MAX_CHANNELS = 8


@dataclass(frozen=True)
class Source:
    """What one track records. Build with the class methods:
    `Source.app(pid)`, `Source.named("Firefox")`, `Source.system()`,
    `Source.system_except(pid)`, `Source.device("Built-in Microphone")`."""

    kind: str  # "app", "name", "system", "system_except" or "device"
    pid: int | None = None
    name: str | None = None

    @classmethod
    def app(cls, pid: int) -> Source:
        """Every stream of one process (it may start playing after the take)."""
        return cls("app", pid=arguments.process_id(pid))

    @classmethod
    def named(cls, name: str) -> Source:
        """The app of that process or display name, once it plays."""
        return cls("name", name=arguments.app_name(name))

    @classmethod
    def system(cls) -> Source:
        """Everything the default output plays."""
        return cls("system")

    @classmethod
    def system_except(cls, pid: int) -> Source:
        """Everything applications play except that process."""
        return cls("system_except", pid=arguments.process_id(pid))

    @classmethod
    def device(cls, name: str) -> Source:
        """An input device (a microphone), or an output device's sound, by id
        or description."""
        return cls("device", name=arguments.app_name(name))

    @property
    def label(self) -> str:
        if self.kind == "app":
            return f"pid {self.pid}"
        if self.kind == "system_except":
            return f"system except pid {self.pid}"
        return self.name if self.name is not None else self.kind

    def describe(self) -> dict[str, Any]:
        return {"kind": self.kind, "pid": self.pid, "name": self.name}


#: What Take accepts per track: a Source, a pid, or a capture made by the caller.
SourceLike = Union[Source, int, ProcessCapture, SimpleLoopback, DeviceCapture]


def _as_source(item: object) -> Source | _Capture:
    if isinstance(item, (Source, ProcessCapture, SimpleLoopback, DeviceCapture)):
        return item
    if isinstance(item, str):
        raise TypeError(
            f"a take's source {item!r} is a string: say what it is, "
            "Source.named(name) for an app or Source.device(name) for a device"
        )
    return Source.app(arguments.process_id(item))


@dataclass
class TrackStatus:
    """One track, for progress displays and the summary."""

    label: str
    path: Path | None
    frames: int = 0  # written to the take (silence included)
    dropped_frames: int = 0  # lost by the capture (its ring overflowed)
    level: float = 0.0  # peak of the newest block written, 0..1
    waiting: bool = True  # no audio from the source yet
    ended: str | None = None  # why the source ended, if it did
    # EBU R128 figures of the track's file so far (-inf: nothing to measure yet)
    integrated_lufs: float = -math.inf
    true_peak_dbtp: float = -math.inf


@dataclass
class TakeStatus:
    """A snapshot of the whole take; safe to read from any thread."""

    folder: Path
    tracks: list[TrackStatus]
    sample_rate: int = 48000
    frames: int = 0  # the take's length so far: frames every track holds
    bytes_written: int = 0
    end: RecordingEnd = RecordingEnd.RUNNING
    error: str | None = None
    started_at: float = field(default_factory=time.monotonic)

    @property
    def seconds(self) -> float:
        return self.frames / self.sample_rate

    @property
    def dropped_frames(self) -> int:
        return sum(t.dropped_frames for t in self.tracks)


class _Track:
    """One source of the take: its capture (once it plays), its timeline, its file."""

    def __init__(self, index: int, source: Source | _Capture, rate: int, channels: int) -> None:
        self.index = index
        self.source = source
        self.capture: _Capture | None = source if isinstance(source, _Capture) else None
        self.timeline = TrackTimeline(
            rate,
            channels,
            anchor_frames=round(ANCHOR_SECONDS * rate),
        )
        self.file: RecordingFile | None = None
        self.written = 0
        self.end_reason = CaptureEndReason.NONE
        self._rate, self._channels = rate, channels

        self.spec = source if isinstance(source, Source) else _source_of(source)
        self.label = self.spec.label
        self.gave_up = False  # the source cannot be opened (e.g. its name became ambiguous)
        self.playing_at_start = False  # its capture opened when the take started
        self.status = TrackStatus(self.label, None)
        self.loudness: LoudnessMeter | None = None  # made by the writer thread

    def open(self) -> bool:
        """Start the capture; False while the source does not play yet."""
        if self.capture is None:
            self.capture = self._make_capture()
            if self.capture is None:
                return False
        if self.capture._reader is None:
            try:
                self.capture.start()
            except SessionNotFoundError:
                if isinstance(self.source, Source):
                    self.capture = None  # an app not playing yet: look again later
                return False
        return True

    def _make_capture(self) -> _Capture | None:
        s = self.source
        assert isinstance(s, Source)
        rate, ch = self._rate, self._channels
        if s.kind == "system":
            return SimpleLoopback(rate, ch, RING_SECONDS)
        if s.kind == "system_except":
            return SimpleLoopback(rate, ch, RING_SECONDS, exclude_pid=s.pid)
        if s.kind == "device":
            assert s.name is not None
            return DeviceCapture(s.name, rate, ch, RING_SECONDS)
        pid = s.pid
        if s.kind == "name":
            assert s.name is not None
            try:
                pid = find_session(s.name).process_id
            except SessionNotFoundError:
                return None
        assert pid is not None
        return ProcessCapture(pid, rate, ch, RING_SECONDS)

    @property
    def keeps_clock(self) -> bool:
        """Its capture runs: it delivers every frame of time, if maybe late."""
        cap = self.capture
        return cap is not None and cap._reader is not None and cap.active

    def pump(self) -> None:
        """Move everything the capture has into the timeline (never waits)."""
        cap = self.capture
        if cap is None or cap._reader is None:
            return
        while True:
            block, first_ns = cap.read_timed(timeout=0.0)
            if not len(block):
                break
            self.status.waiting = False
            self.timeline.add(block, first_ns)
        if not cap.active and self.end_reason == CaptureEndReason.NONE:
            self.end_reason = cap.end_reason
            self.status.ended = _END_WORDS.get(self.end_reason, "stopped")
        self.status.dropped_frames = cap.stats.dropped_frames

    def close_capture(self) -> None:
        if self.capture is not None:
            self.capture.stop()


def _source_of(capture: _Capture) -> Source:
    """The Source a caller's capture records (for labels and the manifest)."""
    if isinstance(capture, ProcessCapture):
        return Source("app", pid=capture.pid)
    if isinstance(capture, SimpleLoopback):
        if capture.exclude_pid is not None:
            return Source("system_except", pid=capture.exclude_pid)
        return Source("system")
    assert isinstance(capture, DeviceCapture)
    d = capture.device
    return Source("device", name=d if isinstance(d, str) else d.description or d.id)


_END_WORDS = {
    CaptureEndReason.PROCESS_EXITED: "app exited",
    CaptureEndReason.SERVER_LOST: "sound server lost",
}


class Take(BackgroundJob):
    """Records `sources` at once into the folder `output_dir`, sample-aligned.

    `sources`: `Source`s, pids, or captures (ProcessCapture, SimpleLoopback,
    DeviceCapture) the caller made. An app that does not play yet is waited
    for: its track starts with silence. `format` ("flac", "wav", "ogg";
    default FLAC) is every file's. `duration` stops after exactly that many
    seconds (None: until stopped). `single_file=True` writes one multichannel
    file instead of one per track. An existing take in the folder is kept
    unless `overwrite=True`. `lead` (a track's index) makes that track's
    first sound T0 (an auto-record rule's app): the other tracks are cut
    before it, or start with silence.
    """

    def __init__(
        self,
        sources: Sequence[SourceLike],
        output_dir: str | os.PathLike[str],
        *,
        format: str | None = None,
        duration: float | None = None,
        sample_rate: int = 48000,
        channels: int = 2,
        single_file: bool = False,
        overwrite: bool = False,
        on_finished: Callable[[TakeStatus], None] | None = None,
        lead: int | None = None,
    ) -> None:
        if isinstance(sources, (str, bytes)) or not isinstance(sources, Sequence):
            raise TypeError("sources must be a list of Source, pid or capture")
        if not sources:
            raise InvalidArgumentError("a take needs at least one source")
        self.folder = Path(output_dir)
        self.format = format_for(Path("take"), format)
        self.sample_rate = arguments.sample_rate(sample_rate)
        self.channels = arguments.channels(channels)
        self.single_file = bool(single_file)
        self.overwrite = overwrite
        self._frames_limit = frames_for(duration, self.sample_rate)
        self._tracks = [
            _Track(i, _as_source(s), self.sample_rate, self.channels) for i, s in enumerate(sources)
        ]
        if lead is not None and not 0 <= lead < len(self._tracks):
            raise InvalidArgumentError(f"lead must be a track's index, got {lead!r}")
        # The tracks whose start decides T0 (_choose_t0).
        self._deciders = self._tracks if lead is None else [self._tracks[lead]]
        self._reference = next((t for t in self._tracks if t.spec.kind == "system"), None)
        if self._reference is not None:
            ref = self._reference.timeline
            ref.keep_history(round(REFERENCE_SECONDS * self.sample_rate))
            for t in self._tracks:
                if t.spec.kind in ("app", "name", "system_except"):
                    t.timeline.refine_against(
                        ref,
                        round(REFINE_SECONDS * self.sample_rate),
                        check_every=round(RECHECK_SECONDS * self.sample_rate),
                        check_range=round(RECHECK_RANGE_SECONDS * self.sample_rate),
                    )
        for t in self._tracks:
            cap = t.capture
            if cap is not None and (cap.sample_rate, cap.channels) != (
                self.sample_rate,
                self.channels,
            ):
                raise InvalidArgumentError(
                    f"{cap!r} captures {cap.sample_rate} Hz x {cap.channels} but the take is "
                    f"{self.sample_rate} Hz x {self.channels}: make them the same"
                )
        total_channels = self.channels * len(self._tracks)
        if self.single_file and self.format == "flac" and total_channels > FLAC_MAX_CHANNELS:
            raise InvalidArgumentError(
                f"one FLAC file holds at most {FLAC_MAX_CHANNELS} channels, and this take has "
                f"{total_channels}: write WAV (format='wav'), or one file per track"
            )
        self.status = TakeStatus(
            self.folder, [t.status for t in self._tracks], sample_rate=self.sample_rate
        )
        self._on_finished = on_finished
        self._stop = threading.Event()
        self._stop_ns: int | None = None
        self._thread: threading.Thread | None = None
        self._single: RecordingFile | None = None
        self._t0_ns: int | None = None
        self._press_ns = 0
        self._press_wall = 0.0

    # ---- control ---------------------------------------------------------------

    @property
    def manifest_path(self) -> Path:
        return self.folder / MANIFEST

    def start(self) -> Take:
        """Create the folder and files and start every capture; raises if any
        fails (the files made so far are removed again)."""
        if self._thread is not None:
            return self
        self._prepare_folder()
        self._name_apps()
        try:
            self._open_files()
            self._press_ns, self._press_wall = monotonic_ns(), time.time()
            for t in self._tracks:
                t.playing_at_start = t.open()
        except BaseException:
            self._abandon_files(remove=True)
            for t in self._tracks:
                t.close_capture()
            raise
        self._write_manifest()
        self.status.started_at = time.monotonic()
        self._thread = threading.Thread(target=self._write_loop, name="pypac-take", daemon=True)
        finish_at_exit(self)
        self._thread.start()
        return self

    def stop(self) -> TakeStatus:
        """Stop, write out everything captured up to now, and close every file."""
        self.request_stop()
        self.wait()
        return self.status

    def request_stop(self) -> None:
        """Stop without waiting (safe in a signal handler): every track ends
        at this moment."""
        if self._thread is None:
            return
        if self._stop_ns is None:
            self._stop_ns = monotonic_ns()
        self._stop.set()

    def _prepare_folder(self) -> None:
        """Make the folder; refuse one that holds a take already (unless overwriting)."""
        make_folder(self.folder, self.manifest_path)
        if self.manifest_path.exists() and not self.overwrite:
            raise AudioFileError(
                f"cannot record a take to {self.folder}: it holds one already "
                f"({MANIFEST}); choose another folder, or allow overwriting "
                "(--force on the command line)"
            )

    def _name_apps(self) -> None:
        """Label app tracks by the app's name where it plays already (the
        file is named after it), else by pid."""
        for t in self._tracks:
            if t.spec.kind != "app":
                continue
            assert t.spec.pid is not None
            with contextlib.suppress(PyPACError):
                t.label = t.status.label = find_session(t.spec.pid).display_name

    # ---- files -----------------------------------------------------------------

    def _open_files(self) -> None:
        rate, ext = self.sample_rate, self.format
        if self.single_file:
            path = self.folder / f"take.{ext}"
            self._single = RecordingFile(
                path, ext, rate, self.channels * len(self._tracks), overwrite=self.overwrite
            )
            for t in self._tracks:
                t.status.path = path
            return
        for t in self._tracks:
            path = self.folder / f"{t.index + 1:02d}-{_slug(t.label)}.{ext}"
            t.status.path = path
            t.file = RecordingFile(path, ext, rate, self.channels, overwrite=self.overwrite)

    def _files(self) -> list[RecordingFile]:
        if self._single is not None:
            return [self._single]
        return [t.file for t in self._tracks if t.file is not None]

    def _abandon_files(self, remove: bool) -> None:
        for f in self._files():
            f.abandon()
            if remove:
                with contextlib.suppress(OSError):
                    f.path.unlink()
        self._single = None
        for t in self._tracks:
            t.file = None

    def _close_files(self) -> None:
        for f in self._files():
            try:
                f.close()
            except AudioFileError as exc:
                if self.status.error is None:
                    self.status.error = with_hint(str(exc))
        self._single = None
        for t in self._tracks:
            t.file = None

    def _update_size(self) -> None:
        total = 0
        for t in self._tracks:
            if t.status.path is not None:
                with contextlib.suppress(OSError):
                    total += t.status.path.stat().st_size
            if self.single_file:
                break
        self.status.bytes_written = total

    # ---- the writer thread -----------------------------------------------------

    def _write_loop(self) -> None:
        end = RecordingEnd.STOPPED
        try:
            end = self._pump()
        except AudioFileError as exc:
            end = RecordingEnd.WRITE_FAILED
            self.status.error = with_hint(str(exc))
        except Exception as exc:  # a bug: still finish the files, and say it in the status
            self.status.error = internal_error(exc)
            raise
        finally:
            for t in self._tracks:
                t.close_capture()
            if end is RecordingEnd.WRITE_FAILED:
                self._abandon_files(remove=False)
            else:
                self._close_files()
            self.status.end = end
            self._update_size()
            with contextlib.suppress(OSError):
                self._write_manifest()
            forget_at_exit(self)
            if self._on_finished is not None:
                self._on_finished(self.status)

    def _pump(self) -> RecordingEnd:
        next_checkpoint = time.monotonic() + CHECKPOINT_SECONDS
        next_retry = 0.0
        startup_until = self._press_ns + round(STARTUP_SECONDS * NS)
        stop_at: int | None = None  # the take's final length, once known
        drain_until = 0
        while True:
            now = monotonic_ns()
            if time.monotonic() >= next_retry:
                self._open_waiting_sources()
                next_retry = time.monotonic() + RETRY_SECONDS
            for t in self._tracks:
                t.pump()
            if self._t0_ns is None and (
                now >= startup_until or self._stop.is_set() or self._all_anchored()
            ):
                self._choose_t0()
            if self._t0_ns is None:
                self._stop.wait(0.02)
                continue
            if stop_at is None:
                stop_at = self._end_frames()
                if stop_at is not None:
                    drain_until = now + round(STOP_DRAIN_SECONDS * NS)
            if stop_at is not None and (self._caught_up(stop_at) or now >= drain_until):
                for t in self._tracks:
                    t.timeline.settle()
                    t.timeline.fill_to(stop_at)
                self._write(stop_at)
                return self._end_reason()
            behind = self._frames_at(now - round(HOLD_SECONDS * NS))
            stalled = self._frames_at(now - round(STALL_SECONDS * NS))
            for t in self._tracks:
                if t.keeps_clock:
                    t.timeline.fill_to(stalled, owed=True)
                else:
                    t.timeline.fill_to(behind)
            # Never ahead of the clock (an app's audio arrives before it is
            # heard): a stop at this moment then finds no track past it.
            self._write(self._frames_at(now) if stop_at is None else stop_at)
            if self._server_lost():
                for t in self._tracks:
                    t.timeline.settle()
                for t in self._tracks:
                    t.timeline.fill_to(max(t.timeline.position for t in self._tracks))
                self._write(None)
                return RecordingEnd.SERVER_LOST
            if time.monotonic() >= next_checkpoint:
                for f in self._files():
                    f.checkpoint()
                self._write_manifest()
                next_checkpoint = time.monotonic() + CHECKPOINT_SECONDS
            self._wait_for_audio()

    def _open_waiting_sources(self) -> None:
        for t in self._tracks:
            if t.gave_up or (t.capture is not None and t.capture._reader is not None):
                continue
            try:
                t.open()
            except PyPACError as exc:  # e.g. a second app of the same name came
                t.gave_up = True
                t.status.ended = str(exc)

    def _wait_for_audio(self) -> None:
        """Sleep until a batch of audio is there (one wake-up per 100 ms, not
        per 10 ms block), or a stop."""
        for t in self._tracks:
            cap = t.capture
            if cap is not None and cap.active:
                cap.wait_for_frames(WRITE_BATCH_FRAMES, timeout=0.1)
                return
        self._stop.wait(0.1)

    def _all_anchored(self) -> bool:
        """Every source that played at the start has been heard long enough."""
        return all(t.timeline.anchored_enough for t in self._deciders if t.playing_at_start)

    def _choose_t0(self) -> None:
        """T0: the latest start among the sources that played when the take
        started, so that each of them has audio from the first frame (none:
        the press). A source that starts playing later starts with silence."""
        starts = [
            s
            for t in self._deciders
            if t.playing_at_start
            and t.timeline.waiting
            and (s := t.timeline.measured_start()) is not None
        ]
        self._t0_ns = max(starts, default=self._press_ns)
        # The reference first: the tracks refined against it need its audio placed.
        ref = [self._reference] if self._reference is not None else []
        # A track heard too briefly yet is placed once it has been heard long
        # enough (and, against the System track, matched), like a late one.
        for t in ref + [t for t in self._tracks if t is not self._reference]:
            t.timeline.start(self._t0_ns)
        self._write_manifest()

    def _frames_at(self, ns: int) -> int:
        assert self._t0_ns is not None
        return max(0, (ns - self._t0_ns) * self.sample_rate // NS)

    def _end_frames(self) -> int | None:
        """The take's length once a stop or the duration decided it."""
        if self._stop.is_set():
            assert self._stop_ns is not None
            stop = max(self._frames_at(self._stop_ns), max(t.written for t in self._tracks))
            return stop if self._frames_limit is None else min(stop, self._frames_limit)
        if self._frames_limit is not None and self._frames_at(monotonic_ns()) >= self._frames_limit:
            return self._frames_limit
        return None

    def _caught_up(self, frames: int) -> bool:
        """Every track that plays has its audio up to `frames`."""
        return all(
            t.timeline.position >= frames
            for t in self._tracks
            if t.capture is not None and t.capture.active
        )

    def _server_lost(self) -> bool:
        return any(t.end_reason == CaptureEndReason.SERVER_LOST for t in self._tracks)

    def _end_reason(self) -> RecordingEnd:
        return RecordingEnd.STOPPED

    def _write(self, limit: int | None) -> None:
        """Write what every track has placed (up to `limit` frames in all, and
        never past the duration)."""
        if self._frames_limit is not None:
            limit = self._frames_limit if limit is None else min(limit, self._frames_limit)
        if self.single_file:
            n = min(t.timeline.ready for t in self._tracks)
            if limit is not None:
                n = min(n, limit - self._tracks[0].written)
            counts = [max(0, n)] * len(self._tracks)
        else:
            counts = [
                max(
                    0,
                    t.timeline.ready if limit is None else min(t.timeline.ready, limit - t.written),
                )
                for t in self._tracks
            ]
        self._put([t.timeline.take(n) for t, n in zip(self._tracks, counts)])

    def _put(self, blocks: list[np.ndarray]) -> None:
        """Write each track's next placed frames (one block per track; the
        same length in a single-file take) to its file."""
        if self._single is not None:
            if len(blocks[0]):
                self._single.write(np.concatenate(blocks, axis=1))
        else:
            for t, block in zip(self._tracks, blocks):
                if len(block):
                    assert t.file is not None
                    t.file.write(block)
        for t, block in zip(self._tracks, blocks):
            if len(block):
                self._wrote(t, block)
        self.status.frames = min(t.written for t in self._tracks)
        self._update_size()

    def write_whole(self, blocks: list[np.ndarray], start_ns: int, labels: list[str]) -> TakeStatus:
        """Write a take that was captured elsewhere in one go: `blocks[i]` is
        track i's audio (all the same length), placed from `start_ns` on the
        engine's clock, `labels` the tracks' names. Same folder, files and
        manifest as a recorded take (replay.ReplayBuffer.save uses it)."""
        if self._thread is not None:
            raise InvalidArgumentError("write_whole() is for a take that is not recording")
        for t, label in zip(self._tracks, labels):
            t.label = t.status.label = label
            t.status.waiting = False
        self._prepare_folder()
        self._open_files()
        self._press_ns, self._press_wall = monotonic_ns(), time.time()
        self._t0_ns = start_ns
        try:
            self._put(blocks)
        except AudioFileError as exc:
            self._abandon_files(remove=False)
            self.status.end, self.status.error = RecordingEnd.WRITE_FAILED, with_hint(str(exc))
        else:
            self._close_files()
            self.status.end = RecordingEnd.STOPPED
        self._update_size()
        self._write_manifest()
        return self.status

    def _wrote(self, track: _Track, block: np.ndarray) -> None:
        track.written += len(block)
        track.status.frames = track.written
        track.status.level = float(np.max(np.abs(block))) if len(block) else 0.0
        if track.loudness is None:
            track.loudness = LoudnessMeter(self.sample_rate, self.channels)
        track.loudness.add(block)  # measures exactly what the track's file holds

    # ---- the manifest ----------------------------------------------------------

    def _write_manifest(self) -> None:
        """manifest.json, replaced whole (never half-written)."""
        t0 = self._t0_ns
        started = (
            None
            if t0 is None
            else datetime.datetime.fromtimestamp(
                self._press_wall + (t0 - self._press_ns) / NS, datetime.timezone.utc
            ).isoformat()
        )
        single = self.folder / f"take.{self.format}" if self.single_file else None
        data = {
            "format": "pypac-take/1",
            "started_at": started,
            "start_monotonic_ns": t0,
            "sample_rate": self.sample_rate,
            "channels": self.channels,
            "frames": self.status.frames,
            "seconds": round(self.status.seconds, 6),
            "end": self.status.end.value,
            "error": self.status.error,
            "file": None if single is None else single.name,
            "tracks": [self._track_entry(t) for t in self._tracks],
        }
        tmp = self.manifest_path.with_name(MANIFEST + ".tmp")
        tmp.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
        os.replace(tmp, self.manifest_path)

    def _track_entry(self, t: _Track) -> dict[str, Any]:
        tl = t.timeline
        if t.loudness is not None:
            t.status.integrated_lufs = t.loudness.integrated_lufs
            t.status.true_peak_dbtp = t.loudness.true_peak_dbtp
        entry: dict[str, Any] = {
            "source": t.spec.describe(),
            "label": t.label,
            "file": None if t.status.path is None else t.status.path.name,
            "frames": t.written,
            "dropped_frames": t.status.dropped_frames,
            "first_frame_offset": tl.first_offset,
            "first_frame_time_ns": tl.first_time_ns,
            "content_shift_frames": tl.content_shift,
            "recheck_shift_frames": tl.recheck_shift,
            "stall_cut_frames": tl.stall_cut,
            "ended": t.status.ended,
            "loudness": {  # null where there was nothing to measure (silence)
                "integrated_lufs": _finite(t.status.integrated_lufs),
                "true_peak_dbtp": _finite(t.status.true_peak_dbtp),
            },
        }
        if self.single_file:
            entry["file_channels"] = [t.index * self.channels, (t.index + 1) * self.channels]
        return entry


def _finite(value: float) -> float | None:
    """A figure for JSON, which has no -inf: rounded, or None."""
    return round(value, 2) if math.isfinite(value) else None


def _slug(label: str) -> str:
    """A file-name-safe form of a track's label."""
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", label).strip("-.").lower()
    return slug[:40] or "track"

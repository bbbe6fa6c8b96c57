"""Record one capture to a file, losslessly, on a writer thread.

The capture's own ring buffer is the lossless queue: the writer thread waits on
it (GIL released) and hands every block to libsndfile. Nothing here touches Qt;
the mixer's strips and the `pypac record` command both use `Recorder`.
"""

from __future__ import annotations

import atexit
import contextlib
import enum
import math
import os
import threading
import time
import weakref
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Protocol

import numpy as np

from . import arguments
from .audio_file import DEFAULT_FORMAT, FORMATS, AudioFileError, RecordingFile, format_for
from .background_job import BackgroundJob
from .engine import CaptureEndReason, ProcessCapture, SimpleLoopback, _Capture
from .errors import InvalidArgumentError
from .loudness import LoudnessMeter

__all__ = [
    "DEFAULT_FORMAT",
    "FORMATS",
    "Recorder",
    "RecordingEnd",
    "RecordingStatus",
    "format_for",
    "record",
]

WRITE_BATCH_FRAMES = 4800  # 100 ms at 48 kHz

# The ring is the queue between capture and disk: deep enough to ride out a
# slow disk for this long without dropping a frame.
RING_SECONDS = 20.0

# How often the file is made whole on disk (header + fsync): what a SIGKILL
# or a power loss can cost at most.
CHECKPOINT_SECONDS = 1.0

# How long interpreter exit waits for a running recording to finish its file.
EXIT_WAIT_SECONDS = 10.0


class RecordingEnd(enum.Enum):
    RUNNING = "running"
    STOPPED = "stopped"  # stop() or the duration was reached
    APP_EXITED = "app exited"
    SERVER_LOST = "sound server lost"
    WRITE_FAILED = "write failed"


@dataclass
class RecordingStatus:
    """A snapshot for progress displays; safe to read from any thread."""

    path: Path
    frames_written: int = 0
    dropped_frames: int = 0
    bytes_written: int = 0
    level: float = 0.0  # peak of the newest block written, 0..1
    end: RecordingEnd = RecordingEnd.RUNNING
    error: str | None = None
    sample_rate: int = 48000
    started_at: float = field(default_factory=time.monotonic)
    # EBU R128 figures of the whole file, set when the recording ends (-inf: silent)
    integrated_lufs: float = -math.inf
    true_peak_dbtp: float = -math.inf

    @property
    def waiting_for_audio(self) -> bool:
        """Started, but no audio came yet (the app is paused, or the server's
        first data after attaching is still on its way)."""
        return self.frames_written == 0 and self.end is RecordingEnd.RUNNING

    @property
    def seconds(self) -> float:
        return self.frames_written / self.sample_rate


class Recorder(BackgroundJob):
    """Records a process (pid) or the whole system (target None) to `path`.

        with Recorder(pid, "out.flac", duration=3.0) as rec:
            rec.wait()

    `duration` stops after exactly that many seconds of audio (None or
    infinity: until stopped). An existing file is kept: the recorder refuses
    to start unless `overwrite=True`. The file is finalized whatever ends the
    recording: stop(), the duration, the app exiting, the server going away,
    a write error (disk full, no permission; `status.error` says what
    happened), or the interpreter exiting. Killed outright (SIGKILL, a
    crash, a power loss), the file still holds the audio up to its last
    checkpoint, about a second before the end (see audio_file.py).
    """

    def __init__(
        self,
        target: int | None,
        path: str | os.PathLike[str],
        *,
        format: str | None = None,
        duration: float | None = None,
        sample_rate: int = 48000,
        channels: int = 2,
        overwrite: bool = False,
        on_finished: Callable[[RecordingStatus], None] | None = None,
    ) -> None:
        self.path = Path(path)
        self.format = format_for(self.path, format)
        self._frames_limit = frames_for(duration, sample_rate)
        self.overwrite = overwrite
        self.capture: _Capture = (
            SimpleLoopback(sample_rate, channels, RING_SECONDS)
            if target is None
            else ProcessCapture(target, sample_rate, channels, RING_SECONDS)
        )
        self.status = RecordingStatus(self.path, sample_rate=sample_rate)
        self._on_finished = on_finished
        self._stop = threading.Event()
        self._stop_requested_at: float | None = None
        self._thread: threading.Thread | None = None
        self._file: RecordingFile | None = None
        # Made by the writer thread at the first block: its set-up takes ~5 ms, which
        # an app's start (auto-record attaches while the stream begins) must not wait for.
        self._loudness: LoudnessMeter | None = None

    # ---- control -------------------------------------------------------------

    def start(self) -> Recorder:
        """Create the file and start capturing; raises if either fails."""
        if self._thread is not None:
            return self
        make_folder(self.path.parent, self.path)
        self._file = RecordingFile(
            self.path,
            self.format,
            self.capture.sample_rate,
            self.capture.channels,
            overwrite=self.overwrite,
        )
        try:
            self.capture.start()
        except BaseException:
            self._file.abandon()
            self._file = None
            with contextlib.suppress(OSError):
                if self.path.stat().st_size == 0 or self.format == "ogg":
                    self.path.unlink()
            raise
        self.status.started_at = time.monotonic()
        self._thread = threading.Thread(target=self._write_loop, name="pypac-recorder", daemon=True)
        finish_at_exit(self)
        self._thread.start()
        return self

    def stop(self) -> RecordingStatus:
        """Stop, write out everything captured so far, and close the file."""
        self.request_stop()
        self.wait()
        return self.status

    def request_stop(self) -> None:
        """Stop without waiting (safe in a signal handler or on a GUI thread):
        the file ends with the audio rendered up to this moment. Before
        start() it does nothing: a later start() records as usual."""
        if self._thread is None:
            return
        if self._stop_requested_at is None:
            self._stop_requested_at = time.monotonic()
        self._stop.set()

    # ---- the writer thread ---------------------------------------------------

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
            self.capture.stop()
            self._close_file(failed=end is RecordingEnd.WRITE_FAILED)
            self._update_size()
            self.status.end = end
            self.status.dropped_frames = self.capture.stats.dropped_frames
            if self._loudness is not None:
                self.status.integrated_lufs = self._loudness.integrated_lufs
                self.status.true_peak_dbtp = self._loudness.true_peak_dbtp
            forget_at_exit(self)
            if self._on_finished is not None:
                self._on_finished(self.status)

    def _pump(self) -> RecordingEnd:
        stop_at: int | None = None  # file frames that make up everything rendered before stop()
        drain_deadline = 0.0
        next_checkpoint = time.monotonic() + CHECKPOINT_SECONDS
        while True:
            if time.monotonic() >= next_checkpoint:
                assert self._file is not None
                self._file.checkpoint()
                next_checkpoint = time.monotonic() + CHECKPOINT_SECONDS
            if self._stop.is_set() and stop_at is None:
                stop_at, drain_deadline = self._frames_rendered_so_far()
            if stop_at is not None and (
                self.status.frames_written >= stop_at or time.monotonic() > drain_deadline
            ):
                return RecordingEnd.STOPPED
            if stop_at is None:
                # Wake for 100 ms batches, not every 10 ms block (8 recordings
                # would otherwise mean 800 thread wake-ups a second); the
                # first audio is written at once, as it starts the recording.
                batch = WRITE_BATCH_FRAMES if self.status.frames_written else 1
                self.capture.wait_for_frames(batch, timeout=0.1)
            block = self.capture.read(timeout=0.05)
            if stop_at is not None:
                block = block[: max(0, stop_at - self.status.frames_written)]
            if len(block):
                if self._write(block):
                    return RecordingEnd.STOPPED
                continue
            if not self.capture.active:
                reason = self.capture.end_reason
                if reason == CaptureEndReason.PROCESS_EXITED:
                    return RecordingEnd.APP_EXITED
                if reason == CaptureEndReason.SERVER_LOST:
                    return RecordingEnd.SERVER_LOST
                return RecordingEnd.STOPPED

    def _frames_rendered_so_far(self) -> tuple[int, float]:
        """At stop(): how many frames the file must hold to end where the user
        stopped, and until when to wait for them.

        Frames the sink rendered just before the stop are still on their way
        (the server-side latency, ~10 ms, more while a sink settles): they
        belong in the file, so the writer waits for them instead of cutting
        them off."""
        rate = self.capture.sample_rate
        stats = self.capture.stats
        buffered = self.capture.available
        server_ms = max(0.0, stats.latency_ms - 1000.0 * buffered / rate)
        in_flight = round(server_ms * rate / 1000.0)
        # The writer notices the request a little later: what was rendered
        # since then does not belong in the file.
        requested = self._stop_requested_at or time.monotonic()
        late = round(max(0.0, time.monotonic() - requested) * rate)
        target = max(
            self.status.frames_written, self.status.frames_written + buffered + in_flight - late
        )
        return target, time.monotonic() + min(2.0, server_ms / 1000.0 + 0.2)

    def _write(self, block: np.ndarray) -> bool:
        """Write a block; True once the duration limit is reached."""
        assert self._file is not None
        if self._frames_limit is not None:
            block = block[: self._frames_limit - self.status.frames_written]
        self._file.write(block)
        if self._loudness is None:
            self._loudness = LoudnessMeter(self.capture.sample_rate, self.capture.channels)
        self._loudness.add(block)  # measures exactly what the file holds
        if self.status.frames_written == 0:
            self.status.started_at = time.monotonic()  # the recording's clock starts with its audio
        self.status.frames_written += len(block)
        self.status.level = float(np.max(np.abs(block))) if len(block) else 0.0
        self.status.dropped_frames = self.capture.stats.dropped_frames
        self._update_size()
        return self._frames_limit is not None and self.status.frames_written >= self._frames_limit

    def _update_size(self) -> None:
        if self._file is not None:
            self.status.bytes_written = self._file.size
        else:
            with contextlib.suppress(OSError):
                self.status.bytes_written = self.path.stat().st_size

    def _close_file(self, failed: bool) -> None:
        if self._file is None:
            return
        if failed:
            self._file.abandon()
        else:
            try:
                self._file.close()
            except AudioFileError as exc:
                if self.status.error is None:
                    self.status.error = with_hint(str(exc))
        self._file = None


def frames_for(duration: float | None, sample_rate: int) -> int | None:
    """A duration in seconds as a frame count; None (or infinity) means until
    stopped."""
    seconds = arguments.time_limit("duration", duration)
    if seconds is None:
        return None
    frames = round(seconds * sample_rate)
    if frames < 1:
        raise InvalidArgumentError(
            f"duration {duration!r} s is shorter than one sample at {sample_rate} Hz"
        )
    return frames


def make_folder(folder: Path, creating: Path) -> None:
    """Make `folder` (and its parents) to create `creating` in, or say why not."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise AudioFileError(
            f"cannot create {creating}: the folder {folder} cannot be made "
            f"({exc.strerror}); choose a folder you can write to"
        ) from exc


def with_hint(message: str) -> str:
    """A write error's message, with what the file holds and what to do."""
    hint = "free some space or choose another folder"
    if "permission" in message.lower() or "read-only" in message.lower():
        hint = "choose a folder you can write to"
    return f"{message}; the file holds everything written before the error ({hint})"


def internal_error(exc: BaseException) -> str:
    """A writer thread's unexpected failure (a bug), for the status the user sees."""
    return (
        f"the recording stopped on an internal error ({type(exc).__name__}: {exc}); "
        "the files hold everything written before it; please report this"
    )


class _Finishable(Protocol):
    def request_stop(self) -> None: ...
    def wait(self, timeout: float | None = None) -> bool: ...


# Recordings (and takes) still running when the interpreter exits are
# finished there, so that a script that forgets stop() still leaves whole
# files. (Writers are daemon threads: a non-daemon one would make such a
# script hang forever.)
_running: weakref.WeakSet[_Finishable] = weakref.WeakSet()


def finish_at_exit(recording: _Finishable) -> None:
    """Stop `recording` and wait for its files when the interpreter exits
    (it leaves the list by itself once it is garbage)."""
    _running.add(recording)


def forget_at_exit(recording: _Finishable) -> None:
    _running.discard(recording)


@atexit.register
def _finish_running_recordings() -> None:
    recorders = list(_running)
    for rec in recorders:
        rec.request_stop()
    deadline = time.monotonic() + EXIT_WAIT_SECONDS
    for rec in recorders:
        rec.wait(max(0.0, deadline - time.monotonic()))


def record(
    target: int | str | None,
    path: str | os.PathLike[str],
    duration: float | None = None,
    format: str | None = None,
    overwrite: bool = False,
) -> RecordingStatus:
    """Record a pid, a process/display name, or the system (None) until `duration`
    passes or the app exits; returns the final status. Blocks the calling thread."""
    from .engine import find_session

    pid = None if target is None else find_session(target).process_id
    rec = Recorder(pid, path, format=format, duration=duration, overwrite=overwrite).start()
    try:
        rec.wait()
    finally:
        rec.stop()
    return rec.status

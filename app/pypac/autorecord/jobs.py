"""What a firing rule runs: one file (`FileJob`, a `Recorder`) or a take of
the app and the microphone (`TakeJob`, a `Take`), seen by the watcher
through the same few questions.

Both arm the same way: the app's capture is started before anything else
(the file, the take's folder, the microphone), so that the app's first
sound is caught while the rest gets ready; the capture's ring holds the
audio meanwhile.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from pathlib import Path

from ..engine import (
    CaptureEndReason,
    DeviceInfo,
    DeviceKind,
    ProcessCapture,
    SessionEnumerator,
)
from ..errors import DeviceNotFoundError
from ..recording import RING_SECONDS, Recorder, RecordingEnd
from ..take import Source, Take
from .rules import RecordRule, file_for, take_folder_for

__all__ = ["FileJob", "Job", "Progress", "TakeJob", "microphone", "start_job"]

SAMPLE_RATE = 48000
CHANNELS = 2


@dataclass(frozen=True)
class Progress:
    """A job as the watcher polls it: the app's audio so far."""

    frames: int  # frames of the app written (silence included)
    level: float  # peak of the app's newest block written, 0..1
    heard: bool  # the app's audio came
    end: RecordingEnd  # RUNNING while it runs
    error: str | None
    sample_rate: int = SAMPLE_RATE

    @property
    def seconds(self) -> float:
        return self.frames / self.sample_rate


class Job:
    """A running recording of one app."""

    path: Path  # the file, or the take's folder

    @property
    def running(self) -> bool:
        raise NotImplementedError

    @property
    def app_exited(self) -> bool:
        """The app is gone but the job runs on (a take keeps its clock)."""
        return False

    def progress(self) -> Progress:
        raise NotImplementedError

    def request_stop(self) -> None:
        raise NotImplementedError

    def wait(self) -> None:
        raise NotImplementedError

    def discard(self) -> None:
        """Remove what it wrote (the app never played)."""
        raise NotImplementedError


class FileJob(Job):
    def __init__(self, rule: RecordRule, pid: int, app: str) -> None:
        self.path = file_for(rule, app)
        self.recorder = Recorder(
            pid, self.path, format=rule.format, duration=rule.max_seconds, sample_rate=SAMPLE_RATE
        )
        # The capture first, the file after (see the module's comment).
        self.recorder.capture.start()
        try:
            self.recorder.start()
        except BaseException:
            self.recorder.capture.stop()
            raise

    @property
    def running(self) -> bool:
        return self.recorder.running

    def progress(self) -> Progress:
        s = self.recorder.status
        return Progress(s.frames_written, s.level, s.frames_written > 0, s.end, s.error)

    def request_stop(self) -> None:
        self.recorder.request_stop()

    def wait(self) -> None:
        self.recorder.wait()

    def discard(self) -> None:
        with contextlib.suppress(OSError):
            self.path.unlink()


class TakeJob(Job):
    """Track 1 the app, track 2 the microphone; T0 is the app's first sound."""

    def __init__(self, rule: RecordRule, pid: int, app: str, enumerator: SessionEnumerator) -> None:
        assert rule.mic is not None
        self.path = take_folder_for(rule, app)
        self.capture = ProcessCapture(pid, SAMPLE_RATE, CHANNELS, RING_SECONDS)
        self.capture.start()  # first (see the module's comment)
        try:
            self.take = Take(
                [self.capture, Source.device(microphone(enumerator, rule.mic).id)],
                self.path,
                format=rule.format,
                duration=rule.max_seconds,
                sample_rate=SAMPLE_RATE,
                channels=CHANNELS,
                lead=0,
            )
            self.take.start()
        except BaseException:
            self.capture.stop()
            with contextlib.suppress(OSError):
                self.path.rmdir()  # made by the failed start (new, so ours), if empty
            raise

    @property
    def running(self) -> bool:
        return self.take.running

    @property
    def app_exited(self) -> bool:
        ending = self.capture.end_reason
        return not self.capture.active and ending == CaptureEndReason.PROCESS_EXITED

    def progress(self) -> Progress:
        s = self.take.status
        app = s.tracks[0]
        return Progress(app.frames, app.level, not app.waiting, s.end, s.error)

    def request_stop(self) -> None:
        self.take.request_stop()

    def wait(self) -> None:
        self.take.wait()

    def discard(self) -> None:
        files = {t.path for t in self.take.status.tracks if t.path is not None}
        for f in [*files, self.take.manifest_path]:
            with contextlib.suppress(OSError):
                f.unlink()
        with contextlib.suppress(OSError):
            self.path.rmdir()  # only if nothing else is in it


def microphone(enumerator: SessionEnumerator, name: str) -> DeviceInfo:
    """The input device `name` ("": the default input); DeviceNotFoundError
    (AmbiguousNameError) lists the candidates or says what to do without one."""
    if name:
        return enumerator.find_device(name, DeviceKind.INPUT)
    device = enumerator.default_device(DeviceKind.INPUT)
    if device is None:
        raise DeviceNotFoundError(
            "there is no input device to record the microphone from "
            "(`pypac devices` lists them); name one"
        )
    return device


def start_job(rule: RecordRule, pid: int, app: str, enumerator: SessionEnumerator) -> Job:
    """Arm `rule` for the app `pid`: a file, or a take with the microphone."""
    if rule.mic is None:
        return FileJob(rule, pid, app)
    return TakeJob(rule, pid, app, enumerator)

"""`pypac record` and `pypac recover`."""

from __future__ import annotations

import argparse
import signal
import sys
from typing import TextIO

from .. import audio_file
from ..errors import InvalidArgumentError
from ..loudness import loudness_summary
from ..recording import Recorder, RecordingEnd, RecordingStatus, format_for, frames_for
from .control import session_of
from .exits import EXIT_CUT_SHORT, EXIT_ERROR, EXIT_OK, UsageError

RECORD_RATE = 48000

#: Signals that end a recording the way Ctrl+C does: `kill`, `timeout`, and
#: closing the terminal (SIGHUP).
STOP_SIGNALS = tuple(
    getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name)
)


def _progress_line(status: RecordingStatus) -> str:
    bars = round(min(1.0, status.level) * 10)
    minutes, seconds = divmod(status.seconds, 60)
    return (
        f"\r{int(minutes):02d}:{seconds:04.1f}  [{'#' * bars}{'.' * (10 - bars)}]  "
        f"{status.bytes_written / 1e6:7.2f} MB  dropped {status.dropped_frames}"
    )


class _Terminal:
    """Writes that never end a recording: once the terminal is gone (closed
    window: EIO, a closed pipe: EPIPE) the rest is dropped."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.gone = False
        try:
            self.is_tty = out.isatty()
        except (OSError, ValueError):
            self.is_tty = False

    def write(self, text: str) -> None:
        if self.gone:
            return
        try:
            self.out.write(text)
            self.out.flush()
        except (OSError, ValueError):
            self.gone = True


def cmd_record(args: argparse.Namespace, out: TextIO) -> int:
    try:  # bad input is a usage error before anything touches the server
        format_for(args.output, args.format)
        frames_for(args.duration, RECORD_RATE)
    except InvalidArgumentError as exc:
        raise UsageError(str(exc)) from None
    pid = None
    label = "the system"
    if not args.system:
        session = session_of(args.name if args.name is not None else args.pid)
        pid, label = session.process_id, f"{session.display_name} (pid {session.process_id})"
    rec = Recorder(
        pid,
        args.output,
        format=args.format,
        duration=args.duration,
        sample_rate=RECORD_RATE,
        overwrite=args.force,
    )

    # Ctrl+C, kill, timeout and a closed terminal all finalize the file
    # instead of tearing it; SIGXFSZ must not kill us when a file-size limit
    # is hit, the write error is reported instead.
    stopped_by: list[str] = []

    def on_stop_signal(signum: int, frame: object) -> None:
        stopped_by.append(signal.Signals(signum).name)
        rec.request_stop()  # the file ends at this moment, not at the next poll

    previous = {sig: signal.signal(sig, on_stop_signal) for sig in STOP_SIGNALS}
    if hasattr(signal, "SIGXFSZ"):
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    term = _Terminal(out)
    try:
        rec.start()
        if term.is_tty:
            term.write(f"Waiting for audio from {label}...\n")
        announced = False
        while not rec.wait(0.005 if not announced else 0.2) and not stopped_by:
            if not announced and not rec.status.waiting_for_audio:
                term.write(f"Recording {label} to {args.output} ({rec.format}); Ctrl+C stops.\n")
                announced = True
            elif announced and term.is_tty:
                term.write(_progress_line(rec.status))
        status = rec.stop()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    if term.is_tty:
        term.write(_progress_line(status) + "\n")
    if status.error:
        sys.stderr.write(f"pypac: {status.error}\n")
        return EXIT_ERROR
    summary = (
        f"{status.seconds:.2f} s, {status.frames_written} frames, "
        f"{status.dropped_frames} dropped -> {args.output}; "
        f"{loudness_summary(status.integrated_lufs, status.true_peak_dbtp)}"
    )
    if status.end is RecordingEnd.SERVER_LOST:
        sys.stderr.write(
            f"pypac: recording cut short: the sound server went away; the file is valid "
            f"and holds {summary}\n"
        )
        return EXIT_CUT_SHORT
    why = {
        RecordingEnd.APP_EXITED: "the application exited",
        RecordingEnd.STOPPED: "stopped" if stopped_by or args.duration is None else "done",
    }
    term.write(f"{why.get(status.end, status.end.value)}: {summary}\n")
    return EXIT_OK


def cmd_recover(args: argparse.Namespace, out: TextIO) -> int:
    frames = audio_file.recover(args.file)
    out.write(f"recovered {args.file}: {frames} frames\n")
    return EXIT_OK

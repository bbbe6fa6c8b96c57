"""`pypac record` and `pypac recover`."""

from __future__ import annotations

import argparse
import sys
from typing import TextIO

from .. import audio_file
from ..errors import InvalidArgumentError
from ..loudness import loudness_summary
from ..recording import Recorder, RecordingEnd, RecordingStatus, format_for, frames_for
from . import take as take_cli
from .control import session_of
from .exits import EXIT_CUT_SHORT, EXIT_ERROR, EXIT_OK, UsageError
from .stopping import STOP_SIGNALS, Terminal, stop_on_signals

__all__ = ["STOP_SIGNALS", "cmd_record", "cmd_recover"]

RECORD_RATE = 48000


def _progress_line(status: RecordingStatus) -> str:
    bars = round(min(1.0, status.level) * 10)
    minutes, seconds = divmod(status.seconds, 60)
    return (
        f"\r{int(minutes):02d}:{seconds:04.1f}  [{'#' * bars}{'.' * (10 - bars)}]  "
        f"{status.bytes_written / 1e6:7.2f} MB  dropped {status.dropped_frames}"
    )


def cmd_record(args: argparse.Namespace, out: TextIO) -> int:
    sources: list[tuple[str, object]] = args.sources or []
    if not sources:
        raise UsageError("name what to record: --pid, --name, --system, --system-except or --mic")
    if args.output is None and args.output_dir is None:
        raise UsageError(
            "say where to record: --output FILE (one source) or --output-dir DIR (a take)"
        )
    if args.output is None:
        return take_cli.record_take(args, sources, out)
    if len(sources) > 1:
        raise UsageError(
            f"{len(sources)} sources make a take: give --output-dir DIR (a folder, one file "
            "per source) instead of --output FILE"
        )
    if args.single_file:
        raise UsageError("--single-file is for takes: give --output-dir DIR instead of --output")
    kind, value = sources[0]
    if kind not in ("pid", "name", "system"):
        raise UsageError(
            f"--{kind.replace('_', '-')} records as a take: "
            "give --output-dir DIR instead of --output"
        )
    return _record_file(args, out, kind, value)


def _record_file(args: argparse.Namespace, out: TextIO, kind: str, value: object) -> int:
    """One source to one file (a Recorder)."""
    try:  # bad input is a usage error before anything touches the server
        format_for(args.output, args.format)
        frames_for(args.duration, RECORD_RATE)
    except InvalidArgumentError as exc:
        raise UsageError(str(exc)) from None
    pid = None
    label = "the system"
    if kind != "system":
        assert isinstance(value, (int, str))
        session = session_of(value)
        pid, label = session.process_id, f"{session.display_name} (pid {session.process_id})"
    rec = Recorder(
        pid,
        args.output,
        format=args.format,
        duration=args.duration,
        sample_rate=RECORD_RATE,
        overwrite=args.force,
    )

    term = Terminal(out)
    with stop_on_signals(rec.request_stop) as stopped_by:
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

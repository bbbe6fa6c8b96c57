"""`pypac record ... --output-dir DIR`: several sources as one take."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TextIO

from ..engine import DeviceKind, SessionEnumerator
from ..errors import InvalidArgumentError, SessionNotFoundError
from ..loudness import loudness_summary
from ..recording import RecordingEnd, format_for, frames_for
from ..take import Source, Take, TakeStatus
from .control import _process_exists
from .exits import EXIT_CUT_SHORT, EXIT_ERROR, EXIT_OK, UsageError
from .stopping import Terminal, stop_on_signals

TAKE_RATE = 48000


def record_take(args: argparse.Namespace, sources: list[tuple[str, object]], out: TextIO) -> int:
    try:  # bad input is a usage error before anything touches the server
        format_for(Path("take"), args.format)
        frames_for(args.duration, TAKE_RATE)
    except InvalidArgumentError as exc:
        raise UsageError(str(exc)) from None
    seen: set[tuple[str, object]] = set()
    for s in sources:
        if s in seen:
            flag = "--" + s[0].replace("_", "-")
            raise UsageError(f"{flag} {s[1] if s[1] else ''}".rstrip() + " is given twice")
        seen.add(s)
    try:
        take = Take(
            [_source(kind, value) for kind, value in sources],
            args.output_dir,
            format=args.format,
            duration=args.duration,
            sample_rate=TAKE_RATE,
            single_file=args.single_file,
            overwrite=args.force,
        )
    except InvalidArgumentError as exc:
        raise UsageError(str(exc)) from None

    term = Terminal(out)
    with stop_on_signals(take.request_stop) as stopped_by:
        take.start()
        waiting = [t.label for t in take.status.tracks if t.waiting]
        term.write(
            f"Recording a take of {len(sources)} track(s) to {args.output_dir} "
            f"({take.format}); Ctrl+C stops.\n"
        )
        if waiting and term.is_tty:
            term.write(f"Waiting for audio from {', '.join(waiting)}...\n")
        while not take.wait(0.2) and not stopped_by:
            if term.is_tty:
                term.write(_progress_line(take.status))
        status = take.stop()
    if term.is_tty:
        term.write(_progress_line(status) + "\n")
    if status.error:
        sys.stderr.write(f"pypac: {status.error}\n")
        return EXIT_ERROR
    summary = _summary(status)
    if status.end is RecordingEnd.SERVER_LOST:
        sys.stderr.write(
            f"pypac: take cut short: the sound server went away; the files are valid:\n{summary}"
        )
        return EXIT_CUT_SHORT
    why = "stopped" if stopped_by or args.duration is None else "done"
    term.write(f"{why}: {summary}")
    return EXIT_OK


def _source(kind: str, value: object) -> Source:
    """A command-line source as a take's Source; a pid must be a process, a
    microphone an input device (a name may start playing later)."""
    if kind == "pid":
        assert isinstance(value, int)
        if value > 0 and not _process_exists(value):
            raise SessionNotFoundError(
                f"process {value} does not exist (`pypac list` shows the apps playing sound)"
            )
        return Source.app(value)
    if kind == "name":
        assert isinstance(value, str)
        return Source.named(value)
    if kind == "system":
        return Source.system()
    if kind == "system_except":
        assert isinstance(value, int)
        return Source.system_except(value)
    assert kind == "mic" and isinstance(value, str)
    en = SessionEnumerator()
    if value:
        return Source.device(en.find_device(value, DeviceKind.INPUT).id)
    default = en.default_device(DeviceKind.INPUT)
    if default is None:
        raise SessionNotFoundError(
            "there is no input device to record (`pypac devices` lists them); "
            "name one: --mic DEVICE"
        )
    return Source.device(default.id)


def _progress_line(status: TakeStatus) -> str:
    minutes, seconds = divmod(status.seconds, 60)
    meters = " ".join(
        "[" + "#" * round(min(1.0, t.level) * 5) + "." * (5 - round(min(1.0, t.level) * 5)) + "]"
        for t in status.tracks
    )
    return (
        f"\r{int(minutes):02d}:{seconds:04.1f}  {meters}  "
        f"{status.bytes_written / 1e6:7.2f} MB  dropped {status.dropped_frames}"
    )


def _summary(status: TakeStatus) -> str:
    lines = [f"{status.seconds:.2f} s, {status.frames} frames per track -> {status.folder}"]
    for i, t in enumerate(status.tracks, 1):
        file = t.path.name if t.path is not None else "-"
        note = f" ({t.ended})" if t.ended else ""
        silent = " (no audio came: silence)" if t.waiting else ""
        lines.append(
            f"  {i}. {t.label}: {t.frames} frames, {t.dropped_frames} dropped, "
            f"{loudness_summary(t.integrated_lufs, t.true_peak_dbtp)} -> {file}{note}{silent}"
        )
    return "\n".join(lines) + "\n"

"""`pypac autorecord`: record the named apps whenever they play, until stopped."""

from __future__ import annotations

import argparse
import contextlib
import sys
from typing import TextIO

from ..autorecord import AutoRecorder, RecordingStarted, RecordingStopped, RecordRule
from ..autorecord.jobs import microphone
from ..engine import SessionEnumerator
from ..errors import InvalidArgumentError
from .exits import EXIT_ERROR, EXIT_OK, UsageError
from .stopping import Terminal, stop_on_signals


def _rules(args: argparse.Namespace) -> list[RecordRule]:
    if args.output_dir.exists() and not args.output_dir.is_dir():
        raise UsageError(f"--output-dir {args.output_dir} is a file, not a folder")
    try:
        return [
            RecordRule(
                name,
                args.output_dir,
                format=args.format,
                silence_seconds=args.silence,
                max_seconds=args.max_duration,
                mic=args.mic,
            )
            for name in dict.fromkeys(args.name)  # each app once, in the order given
        ]
    except InvalidArgumentError as exc:
        raise UsageError(str(exc)) from None


def cmd_autorecord(args: argparse.Namespace, out: TextIO) -> int:
    rules = _rules(args)
    term = Terminal(out)
    failures: list[str] = []

    def started(event: RecordingStarted) -> None:
        term.write(f"started: {event.app} (pid {event.process_id}) -> {event.path}\n")

    def stopped(event: RecordingStopped) -> None:
        term.write(
            f"stopped: {event.app} (pid {event.process_id}), {event.seconds:.2f} s, "
            f"{event.frames} frames ({event.reason.value}) -> {event.path}\n"
        )

    def error(message: str) -> None:
        failures.append(message)
        sys.stderr.write(f"pypac: {message}\n")
        sys.stderr.flush()

    if args.mic is not None:  # a missing microphone: exit 3 now, not an error per app later
        with contextlib.closing(SessionEnumerator()) as en:
            mic = microphone(en, args.mic)
        args.mic = args.mic or mic.id  # said in the Armed line
    watcher = AutoRecorder(rules, on_started=started, on_stopped=stopped, on_error=error)

    with stop_on_signals(watcher.request_stop):  # open files end at the signal's moment
        try:
            watcher.start()  # ServerUnavailableError: exit 4 (cli/__init__.py)
            names = ", ".join(r.name for r in rules)
            what = "" if args.mic is None else f" with the microphone {args.mic}"
            term.write(
                f"Armed: recording {names}{what} into {args.output_dir} ({args.format}) "
                "whenever they play; Ctrl+C stops.\n"
            )
            # Waiting in short steps lets the main thread run the signal handler.
            while not watcher.wait(0.2):
                pass
        finally:
            watcher.stop()
    return EXIT_ERROR if failures else EXIT_OK

"""`pypac replay [--seconds N] [--name APP]`: save the running mixer's instant replay.

The replay lives in the mixer's memory, so this command only asks: it sends
a "replay" request over the mixer's single-instance socket
(mixer/single_instance.py) and prints the folder the mixer saved. Exit codes:
0 saved, 3 the replay keeps no app of that name, 6 no mixer runs, 7 the
mixer's instant replay is off, 1 the save failed.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any, TextIO

from .exits import EXIT_ERROR, EXIT_NO_APP, EXIT_NO_MIXER, EXIT_OK, EXIT_REPLAY_OFF

#: How long the mixer may take to write the replay out (an hour of several tracks).
ANSWER_TIMEOUT_MS = 120_000
NO_MIXER = (
    "no PyPAC mixer is running (start pypac-mixer, turn on Instant replay in its "
    "settings, then ask again)"
)
_EXITS = {"off": EXIT_REPLAY_OFF, "no-app": EXIT_NO_APP}


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"seconds must be above 0, got {text}")
    return value


def add_replay_parser(sub: Any) -> None:
    p = sub.add_parser(
        "replay",
        help="save the running mixer's instant replay (the last seconds) as a take",
        description="Ask the running pypac-mixer to write the last seconds it keeps "
        "(Instant replay, in its settings) to a new take folder in its recordings folder.",
    )
    p.add_argument(
        "--seconds", type=_seconds, metavar="N", help="the last N seconds (default: all it keeps)"
    )
    p.add_argument("--name", metavar="APP", help="only that app's track (default: every track)")


def cmd_replay(args: argparse.Namespace, out: TextIO) -> int:
    from PySide6.QtCore import QCoreApplication

    from ..mixer.single_instance import ask_running_to_replay, instance_name

    _app = QCoreApplication.instance() or QCoreApplication([sys.argv[0]])  # QLocalSocket needs one
    answer = ask_running_to_replay(instance_name(), args.seconds, args.name, ANSWER_TIMEOUT_MS)
    if answer is None:
        sys.stderr.write(f"pypac: {NO_MIXER}\n")
        return EXIT_NO_MIXER
    word, _, rest = answer.partition(" ")
    if word == "saved":
        out.write(f"{rest}\n")
        return EXIT_OK
    why, _, message = rest.partition(" ")
    sys.stderr.write(f"pypac: {message or answer}\n")
    return _EXITS.get(why, EXIT_ERROR)

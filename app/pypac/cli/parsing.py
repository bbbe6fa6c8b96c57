"""The `pypac` command line: its arguments, and how text becomes values."""

from __future__ import annotations

import argparse
import math
from pathlib import Path

from .. import arguments
from ..errors import InvalidArgumentError
from ..recording import FORMATS
from .replay import add_replay_parser


def parse_level(text: str) -> float:
    """'50%' is a percentage, a bare number a fraction: '0.5' and '50%' are
    both half, '1.3' is 130% (boost, where the server allows it)."""
    raw = text.strip()
    percent = raw.endswith("%")
    try:
        value = float(raw[:-1] if percent else raw)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"not a volume: {text!r} (use a fraction like 0.4 or a percentage like 40%)"
        ) from None
    if not math.isfinite(value) or value < 0:
        raise argparse.ArgumentTypeError(f"not a volume: {text!r} (use 0.0-1.0 or 0%-100%)")
    if percent:
        return value / 100.0
    if value > 2.0:
        raise argparse.ArgumentTypeError(
            f"volume {text} would be {value * 100:g}%: a bare number is a fraction "
            f"(0.4 = 40%); write {text}% for a percentage"
        )
    return value


def parse_name(text: str) -> str:
    if not text.strip():
        raise argparse.ArgumentTypeError("the name is empty: give a process or display name")
    return text


def source_pid(text: str) -> tuple[str, int]:
    try:
        return ("pid", int(text))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a process id: {text!r}") from None


def source_name(text: str) -> tuple[str, str]:
    return ("name", parse_name(text))


def source_system_except(text: str) -> tuple[str, int]:
    return ("system_except", source_pid(text)[1])


def source_mic(text: str) -> tuple[str, str]:
    return ("mic", text)


def parse_output(text: str) -> Path:
    if not text.strip():
        raise argparse.ArgumentTypeError("no output file given: name the file to record to")
    return Path(text)


def parse_seconds(text: str) -> float | None:
    """A positive number of seconds; 'inf' means until stopped (None)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    try:
        return arguments.time_limit("seconds", value)
    except InvalidArgumentError:
        raise argparse.ArgumentTypeError(
            f"must be a positive number of seconds, got {text!r}"
        ) from None


def parse_switch(text: str) -> bool:
    words = {
        "on": True,
        "off": False,
        "true": True,
        "false": False,
        "1": True,
        "0": False,
        "yes": True,
        "no": False,
    }
    if text.lower() not in words:
        raise argparse.ArgumentTypeError(f"expected on or off, got {text!r}")
    return words[text.lower()]


def parse_target(text: str) -> int | str:
    """An app: a process id, else a process or display name."""
    raw = text.strip()
    if not raw:
        raise argparse.ArgumentTypeError("the app is empty: give a process id or a name")
    return int(raw) if raw.isdigit() else raw


def _app_or_device(command: argparse.ArgumentParser) -> None:
    """APP (a pid or name) as the first argument, or --device NAME instead."""
    command.add_argument("--device", metavar="NAME", help="a device instead of an app")
    command.add_argument("target", type=parse_target, nargs="?", metavar="APP")


def check_target(args: argparse.Namespace) -> str | None:
    """What is wrong with an APP / --device pair, or None."""
    if not hasattr(args, "target"):
        return None  # a command without one
    if getattr(args, "device", None) is None and getattr(args, "target", None) is None:
        return "give an app (process id or name) or --device NAME"
    if getattr(args, "device", None) is not None and getattr(args, "target", None) is not None:
        return "give an app or --device, not both"
    return None


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="pypac", description="Per-application volume, mute and recording."
    )
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    ls = sub.add_parser("list", help="list the applications that play sound")
    ls.add_argument("--json", action="store_true", help="print JSON instead of a table")

    devs = sub.add_parser("devices", help="list the output and input devices")
    devs.add_argument("--json", action="store_true", help="print JSON instead of a table")

    vol = sub.add_parser(
        "volume",
        help="set an application's (or a device's) volume",
        description="pypac volume APP LEVEL, or pypac volume --device NAME LEVEL. "
        "APP is a process id or a name; LEVEL a percentage like 40%% or a fraction like 0.4 "
        "(up to 150%% where the server boosts); the other channels keep their balance.",
    )
    _app_or_device(vol)
    vol.add_argument("level", type=parse_level, help="40%% or 0.4; 130%% or 1.3 boosts")

    mute = sub.add_parser("mute", help="mute or unmute an application (or a device)")
    _app_or_device(mute)
    mute.add_argument("state", type=parse_switch, metavar="on|off")

    route = sub.add_parser("route", help="play an application on another output device")
    route.add_argument("app", type=parse_target, help="process id or name")
    route.add_argument("device", help="output device id or description (see pypac devices)")

    default = sub.add_parser("default", help="make a device the default output (or input)")
    default.add_argument("device", help="device id or description (see pypac devices)")

    rec = sub.add_parser(
        "record",
        help="record an application (or the system) to a file, or several sources as a take",
        description="One source and --output FILE: one file. Several sources (or "
        "--output-dir DIR): a take, one file per source in DIR, sample-aligned.",
    )
    # Every source lands in args.sources, in the order given (the take's track order).
    rec.add_argument(
        "--pid", dest="sources", action="append", type=source_pid, help="process id; repeatable"
    )
    rec.add_argument(
        "--name",
        dest="sources",
        action="append",
        type=source_name,
        help="process or display name, e.g. firefox; repeatable",
    )
    rec.add_argument(
        "--system",
        dest="sources",
        action="append_const",
        const=("system", None),
        help="everything the system plays",
    )
    rec.add_argument(
        "--system-except",
        dest="sources",
        action="append",
        type=source_system_except,
        metavar="PID",
        help="everything applications play except this process (a take's track)",
    )
    rec.add_argument(
        "--mic",
        dest="sources",
        action="append",
        nargs="?",
        const=("mic", ""),
        type=source_mic,
        metavar="DEVICE",
        help="an input device, by id or description (default: the default input)",
    )
    where = rec.add_mutually_exclusive_group()
    where.add_argument("--output", "-o", type=parse_output, help="file to write (one source)")
    where.add_argument(
        "--output-dir", type=parse_output, metavar="DIR", help="the take's folder (created)"
    )
    rec.add_argument(
        "--single-file",
        action="store_true",
        help="a take in one multichannel file (track 1's channels, then track 2's, ...)",
    )
    rec.add_argument(
        "--duration",
        type=parse_seconds,
        help="stop after this many seconds of audio (default, or inf: until stopped)",
    )
    rec.add_argument(
        "--format", choices=sorted(FORMATS), help="default: from the file name, else flac"
    )
    rec.add_argument(
        "--force",
        "-y",
        action="store_true",
        help="overwrite the output file (or take) if it exists",
    )

    auto = sub.add_parser(
        "autorecord",
        help="record applications whenever they play, until Ctrl+C",
        description="Wait for the named applications to play and record each into a new "
        "file <app>-<YYYYmmdd-HHMMSS>.<format> in the output folder; a recording stops "
        "when its app exits, after --silence seconds of silence, or at --max-duration. "
        "With --mic, each recording is a take instead: a folder <app>-<YYYYmmdd-HHMMSS> "
        "holding the app's track and the microphone's, sample-aligned, of equal length. "
        "Runs until Ctrl+C (or SIGTERM), finishing open files.",
    )
    auto.add_argument(
        "--name",
        type=parse_name,
        action="append",
        required=True,
        help="process or display name, e.g. firefox (case-insensitive); repeatable",
    )
    auto.add_argument(
        "--output-dir", "-d", required=True, type=parse_output, help="folder for the recordings"
    )
    auto.add_argument(
        "--silence", type=parse_seconds, metavar="S", help="stop after S seconds of silence"
    )
    auto.add_argument(
        "--max-duration", type=parse_seconds, metavar="S", help="stop after S seconds of audio"
    )
    auto.add_argument("--format", choices=sorted(FORMATS), default="flac", help="default: flac")
    auto.add_argument(
        "--mic",
        nargs="?",
        const="",
        metavar="DEVICE",
        help="record a take of each app and this input device, by id or description "
        "(without DEVICE: the default input)",
    )

    fix = sub.add_parser(
        "recover",
        help="finish an OGG recording that was killed (from its .recovery.flac copy)",
    )
    fix.add_argument("file", type=Path, help="the .ogg file the recording was writing")

    add_replay_parser(sub)

    desk = sub.add_parser(
        "install-desktop",
        help="put PyPAC Mixer into this user's application menu (Linux)",
        description="Copy the desktop entry, icons and AppStream metadata into "
        "$XDG_DATA_HOME (default ~/.local/share), with Exec= pointing at the installed "
        "pypac-mixer.",
    )
    desk.add_argument("--uninstall", action="store_true", help="remove what it installed")
    for command_parser in sub.choices.values():  # a command's own usage for its errors
        command_parser.set_defaults(command_parser=command_parser)
    return p

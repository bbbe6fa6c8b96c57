"""`pypac`: everything the mixer window does, from a shell.

Exit codes: 0 done, 1 failed, 2 bad usage, 3 no such app, 4 no sound server,
5 a recording cut short by the loss of the sound server (the file is valid).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import signal
import sys
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import NoReturn, TextIO

from . import audio_file, desktop_entry, engine
from .errors import InvalidArgumentError, PyPACError, ServerUnavailableError, SessionNotFoundError
from .recording import (
    FORMATS,
    Recorder,
    RecordingEnd,
    RecordingStatus,
    format_for,
    frames_for,
)

EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_NO_APP, EXIT_NO_SERVER, EXIT_CUT_SHORT = 0, 1, 2, 3, 4, 5

RECORD_RATE = 48000

#: Signals that end a recording the way Ctrl+C does: `kill`, `timeout`, and
#: closing the terminal (SIGHUP).
STOP_SIGNALS = tuple(
    getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name)
)


class UsageError(Exception):
    """Bad command-line input that argparse could not catch by itself."""


# ---- argument parsing --------------------------------------------------------


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
    if math.isinf(value) and value > 0:
        return None
    if math.isnan(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"must be a positive number of seconds, got {text!r}")
    return value


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


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="pypac", description="Per-application volume, mute and recording."
    )
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    ls = sub.add_parser("list", help="list the applications that play sound")
    ls.add_argument("--json", action="store_true", help="print JSON instead of a table")

    vol = sub.add_parser("volume", help="set an application's volume")
    vol.add_argument("pid", type=int)
    vol.add_argument(
        "level", type=parse_level, help="a percentage like 40%% or a fraction like 0.4"
    )

    mute = sub.add_parser("mute", help="mute or unmute an application")
    mute.add_argument("pid", type=int)
    mute.add_argument("state", type=parse_switch, metavar="on|off")

    rec = sub.add_parser("record", help="record one application (or the system) to a file")
    who = rec.add_mutually_exclusive_group(required=True)
    who.add_argument("--pid", type=int)
    who.add_argument("--name", type=parse_name, help="process or display name, e.g. firefox")
    who.add_argument("--system", action="store_true", help="everything the system plays")
    rec.add_argument("--output", "-o", required=True, type=parse_output, help="file to write")
    rec.add_argument(
        "--duration",
        type=parse_seconds,
        help="stop after this many seconds of audio (default, or inf: until stopped)",
    )
    rec.add_argument(
        "--format", choices=sorted(FORMATS), help="default: from the file name, else flac"
    )
    rec.add_argument(
        "--force", "-y", action="store_true", help="overwrite the output file if it exists"
    )

    fix = sub.add_parser(
        "recover",
        help="finish an OGG recording that was killed (from its .recovery.flac copy)",
    )
    fix.add_argument("file", type=Path, help="the .ogg file the recording was writing")

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


# ---- commands ----------------------------------------------------------------


def cmd_list(args: argparse.Namespace, out: TextIO) -> int:
    sessions = engine.SessionEnumerator().enumerate_sessions()
    if args.json:
        rows = [{**asdict(s), "state": s.state.name.lower()} for s in sessions]
        json.dump(rows, out, indent=2)
        out.write("\n")
        return EXIT_OK
    if not sessions:
        out.write("No applications are playing audio.\n")
        return EXIT_OK
    out.write(f"{'PID':>7}  {'PROCESS':<16} {'NAME':<24} {'STATE':<8} {'VOLUME':>6}  MUTED\n")
    for s in sessions:
        out.write(
            f"{s.process_id:>7}  {s.process_name[:16]:<16} {s.display_name[:24]:<24} "
            f"{s.state.name.lower():<8} {round(s.volume * 100):>5}%  "
            f"{'yes' if s.muted else 'no'}\n"
        )
    return EXIT_OK


def _process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, ValueError):
        return True  # another user's process, or a number the OS rejects: let the engine say
    return True


def _explain_missing(target: int | str, exc: SessionNotFoundError) -> SessionNotFoundError:
    """Say "does not exist" for a pid no process has, not "plays no sound"."""
    if isinstance(target, int) and target > 0 and not _process_exists(target):
        return SessionNotFoundError(
            f"process {target} does not exist (`pypac list` shows the apps playing sound)"
        )
    return exc


def _session_of(target: int | str) -> engine.SessionInfo:
    try:
        return engine.find_session(target)
    except SessionNotFoundError as exc:
        raise _explain_missing(target, exc) from None


def cmd_volume(args: argparse.Namespace, out: TextIO) -> int:
    en = engine.SessionEnumerator()
    try:
        en.set_session_volume(args.pid, args.level)
        applied = en.get_session(args.pid).volume
    except SessionNotFoundError as exc:
        raise _explain_missing(args.pid, exc) from None
    out.write(f"{args.pid}: volume {applied * 100:.0f}%\n")
    return EXIT_OK


def cmd_mute(args: argparse.Namespace, out: TextIO) -> int:
    try:
        engine.SessionEnumerator().set_session_mute(args.pid, args.state)
    except SessionNotFoundError as exc:
        raise _explain_missing(args.pid, exc) from None
    out.write(f"{args.pid}: {'muted' if args.state else 'unmuted'}\n")
    return EXIT_OK


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
        session = _session_of(args.name if args.name is not None else args.pid)
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
        f"{status.dropped_frames} dropped -> {args.output}"
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


def cmd_install_desktop(args: argparse.Namespace, out: TextIO) -> int:
    if args.uninstall:
        report = desktop_entry.uninstall()
        if report.files:
            out.write(
                f"Removed PyPAC Mixer from the application menu ({len(report.files)} files):\n"
            )
            out.writelines(f"  {path}\n" for path in report.files)
        else:
            out.write(f"Nothing to remove: PyPAC Mixer is not installed in {report.data_home}.\n")
    else:
        report = desktop_entry.install()
        desktop = report.files[0]
        icons = [p for p in report.files if p.suffix in (".png", ".svg")]
        out.write(
            f"Installed PyPAC Mixer in the application menu for this user:\n"
            f"  menu entry  {desktop}\n"
            f"  runs        {report.mixer}\n"
            f"  icons       {len(icons)} in {report.data_home / 'icons' / 'hicolor'}\n"
            f"  metainfo    {report.data_home / 'metainfo' / desktop_entry.METAINFO_FILE}\n"
            'It is listed as "PyPAC Mixer" (some desktops show it after the next login).\n'
            "Remove it with: pypac install-desktop --uninstall\n"
        )
    if report.tools_run:
        out.write(f"Refreshed with: {', '.join(report.tools_run)}\n")
    for warning in report.warnings:
        sys.stderr.write(f"pypac: warning: {warning}\n")
    return EXIT_OK


COMMANDS = {
    "list": cmd_list,
    "volume": cmd_volume,
    "mute": cmd_mute,
    "record": cmd_record,
    "recover": cmd_recover,
    "install-desktop": cmd_install_desktop,
}


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)  # exits 2 on bad usage
    try:
        return COMMANDS[args.command](args, sys.stdout)
    except UsageError as exc:
        getattr(args, "command_parser", parser).error(str(exc))
    except ServerUnavailableError as exc:
        return _fail(EXIT_NO_SERVER, exc)
    except SessionNotFoundError as exc:
        return _fail(EXIT_NO_APP, exc)
    except (InvalidArgumentError, TypeError) as exc:
        return _fail(EXIT_USAGE, exc)
    except (PyPACError, desktop_entry.DesktopEntryError) as exc:
        return _fail(EXIT_ERROR, exc)
    return EXIT_ERROR


def _fail(code: int, exc: BaseException) -> int:
    sys.stderr.write(f"pypac: {exc}\n")
    return code


def entry() -> NoReturn:
    sys.exit(main())


if __name__ == "__main__":
    entry()

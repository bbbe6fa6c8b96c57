"""`pypac`: everything the mixer window does, from a shell.

Exit codes: 0 done, 2 bad usage, 3 no such app, 4 no sound server, 1 other errors.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import NoReturn, TextIO

from . import desktop_entry, engine
from .errors import InvalidArgumentError, PyPACError, ServerUnavailableError, SessionNotFoundError
from .recording import FORMATS, Recorder, RecordingEnd, RecordingStatus, format_for

EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_NO_APP, EXIT_NO_SERVER = 0, 1, 2, 3, 4


class UsageError(Exception):
    """Bad command-line input that argparse could not catch by itself."""


# ---- argument parsing --------------------------------------------------------


def parse_level(text: str) -> float:
    """'0.5', '50%' or '50' (over 1 means percent) -> 0.5."""
    raw = text.strip()
    try:
        value = float(raw.rstrip("%"))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"not a volume: {text!r} (use 0.0-1.0 or 0%-100%)"
        ) from None
    if raw.endswith("%") or value > 1.0:
        value /= 100.0
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"volume out of range: {text!r} (use 0.0-1.0 or 0%-100%)")
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
    vol.add_argument("level", type=parse_level, help="0.0-1.0 or a percentage like 40%%")

    mute = sub.add_parser("mute", help="mute or unmute an application")
    mute.add_argument("pid", type=int)
    mute.add_argument("state", type=parse_switch, metavar="on|off")

    rec = sub.add_parser("record", help="record one application (or the system) to a file")
    who = rec.add_mutually_exclusive_group(required=True)
    who.add_argument("--pid", type=int)
    who.add_argument("--name", help="process or display name, e.g. firefox")
    who.add_argument("--system", action="store_true", help="everything the system plays")
    rec.add_argument("--output", "-o", required=True, type=Path, help="file to write")
    rec.add_argument("--duration", type=float, help="stop after this many seconds of audio")
    rec.add_argument(
        "--format", choices=sorted(FORMATS), help="default: from the file name, else flac"
    )

    desk = sub.add_parser(
        "install-desktop",
        help="put PyPAC Mixer into this user's application menu (Linux)",
        description="Copy the desktop entry, icons and AppStream metadata into "
        "$XDG_DATA_HOME (default ~/.local/share), with Exec= pointing at the installed "
        "pypac-mixer.",
    )
    desk.add_argument("--uninstall", action="store_true", help="remove what it installed")
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


def cmd_volume(args: argparse.Namespace, out: TextIO) -> int:
    engine.SessionEnumerator().set_session_volume(args.pid, args.level)
    out.write(f"{args.pid}: volume {round(args.level * 100)}%\n")
    return EXIT_OK


def cmd_mute(args: argparse.Namespace, out: TextIO) -> int:
    engine.SessionEnumerator().set_session_mute(args.pid, args.state)
    out.write(f"{args.pid}: {'muted' if args.state else 'unmuted'}\n")
    return EXIT_OK


def _progress_line(status: RecordingStatus) -> str:
    bars = round(min(1.0, status.level) * 10)
    minutes, seconds = divmod(status.seconds, 60)
    return (
        f"\r{int(minutes):02d}:{seconds:04.1f}  [{'#' * bars}{'.' * (10 - bars)}]  "
        f"{status.bytes_written / 1e6:7.2f} MB  dropped {status.dropped_frames}"
    )


def cmd_record(args: argparse.Namespace, out: TextIO) -> int:
    if args.duration is not None and args.duration <= 0:
        raise UsageError("--duration must be a positive number of seconds")
    try:
        format_for(args.output, args.format)
    except InvalidArgumentError as exc:
        raise UsageError(str(exc)) from None
    pid = None
    label = "the system"
    if not args.system:
        session = engine.find_session(args.name if args.name else args.pid)
        pid, label = session.process_id, f"{session.display_name} (pid {session.process_id})"
    rec = Recorder(pid, args.output, format=args.format, duration=args.duration)

    # Ctrl+C finalizes the file instead of tearing it; SIGXFSZ must not kill
    # us when a file-size limit is hit, the write error is reported instead.
    interrupted = False

    def on_sigint(signum: int, frame: object) -> None:
        nonlocal interrupted
        interrupted = True
        rec.request_stop()  # the file ends at this moment, not at the next poll

    previous = signal.signal(signal.SIGINT, on_sigint)
    if hasattr(signal, "SIGXFSZ"):
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    tty = out.isatty()
    try:
        rec.start()
        if tty:
            out.write(f"Waiting for audio from {label}...\n")
        announced = False
        while not rec.wait(0.005 if not announced else 0.2) and not interrupted:
            if not announced and not rec.status.waiting_for_audio:
                out.write(f"Recording {label} to {args.output} ({rec.format}); Ctrl+C stops.\n")
                out.flush()
                announced = True
            elif announced and tty:
                out.write(_progress_line(rec.status))
                out.flush()
        status = rec.stop()
    finally:
        signal.signal(signal.SIGINT, previous)
    if tty:
        out.write(_progress_line(status) + "\n")
    why = {
        RecordingEnd.APP_EXITED: "the application exited",
        RecordingEnd.SERVER_LOST: "the sound server went away",
        RecordingEnd.STOPPED: "stopped" if interrupted or args.duration is None else "done",
    }
    if status.error:
        sys.stderr.write(f"pypac: {status.error}\n")
        return EXIT_ERROR
    out.write(
        f"{why.get(status.end, status.end.value)}: {status.seconds:.2f} s, "
        f"{status.frames_written} frames, {status.dropped_frames} dropped -> {args.output}\n"
    )
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
    "install-desktop": cmd_install_desktop,
}


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)  # exits 2 on bad usage
    try:
        return COMMANDS[args.command](args, sys.stdout)
    except UsageError as exc:
        parser.error(str(exc))
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

"""`pypac list`, `devices`, `volume`, `mute`, `route` and `default`: apps and devices."""

from __future__ import annotations

import argparse
import json
import os
from dataclasses import asdict
from typing import Any, TextIO

from .. import engine
from ..errors import SessionNotFoundError
from .exits import EXIT_OK


def _show(
    args: argparse.Namespace, out: TextIO, rows: list[dict[str, Any]], empty: str, table: list[str]
) -> int:
    """`rows` as JSON with --json, else the `table` lines (a header first), or `empty`."""
    if args.json:
        json.dump(rows, out, indent=2)
        out.write("\n")
    elif not rows:
        out.write(empty + "\n")
    else:
        out.writelines(line + "\n" for line in table)
    return EXIT_OK


def cmd_list(args: argparse.Namespace, out: TextIO) -> int:
    sessions = engine.SessionEnumerator().enumerate_sessions()
    table = [f"{'PID':>7}  {'PROCESS':<16} {'NAME':<24} {'STATE':<8} {'VOLUME':>6}  MUTED"]
    table += [
        f"{s.process_id:>7}  {s.process_name[:16]:<16} {s.display_name[:24]:<24} "
        f"{s.state.name.lower():<8} {_percent(s.volume):>6}  {'yes' if s.muted else 'no'}"
        for s in sessions
    ]
    rows = [{**asdict(s), "state": s.state.name.lower()} for s in sessions]
    return _show(args, out, rows, "No applications are playing audio.", table)


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


def session_of(target: int | str) -> engine.SessionInfo:
    try:
        return engine.find_session(target)
    except SessionNotFoundError as exc:
        raise _explain_missing(target, exc) from None


def _pid_of(target: int | str) -> int:
    """The app's key pid: a pid as given (any process of an app will do), a name looked up."""
    return target if isinstance(target, int) else session_of(target).process_id


def _percent(level: float) -> str:
    return f"{level * 100:.0f}%"


def cmd_volume(args: argparse.Namespace, out: TextIO) -> int:
    en = engine.SessionEnumerator()
    if args.device is not None:
        device = en.find_device(args.device)
        en.set_device_volume(device, args.level)
        applied = en.find_device(device.id, device.kind).volume
        out.write(f"{device.id}: volume {_percent(applied)}\n")
        return EXIT_OK
    pid = _pid_of(args.target)
    try:
        en.set_session_volume(pid, args.level)
        applied = en.get_session(pid).volume
    except SessionNotFoundError as exc:
        raise _explain_missing(pid, exc) from None
    out.write(f"{args.target}: volume {_percent(applied)}\n")
    return EXIT_OK


def cmd_mute(args: argparse.Namespace, out: TextIO) -> int:
    en = engine.SessionEnumerator()
    word = "muted" if args.state else "unmuted"
    if args.device is not None:
        device = en.find_device(args.device)
        en.set_device_mute(device, args.state)
        out.write(f"{device.id}: {word}\n")
        return EXIT_OK
    pid = _pid_of(args.target)
    try:
        en.set_session_mute(pid, args.state)
    except SessionNotFoundError as exc:
        raise _explain_missing(pid, exc) from None
    out.write(f"{args.target}: {word}\n")
    return EXIT_OK


def cmd_route(args: argparse.Namespace, out: TextIO) -> int:
    en = engine.SessionEnumerator()
    pid = _pid_of(args.app)
    device = en.find_device(args.device, engine.DeviceKind.OUTPUT)
    try:
        en.move_session(pid, device)
    except SessionNotFoundError as exc:
        raise _explain_missing(pid, exc) from None
    out.write(f"{args.app}: plays on {device.id} ({device.description})\n")
    return EXIT_OK


def cmd_default(args: argparse.Namespace, out: TextIO) -> int:
    en = engine.SessionEnumerator()
    device = en.find_device(args.device)
    en.set_default_device(device)
    kind = "output" if device.kind == engine.DeviceKind.OUTPUT else "input"
    out.write(f"default {kind}: {device.id} ({device.description})\n")
    return EXIT_OK


def cmd_devices(args: argparse.Namespace, out: TextIO) -> int:
    devices = engine.SessionEnumerator().enumerate_devices()
    table = [f"{'KIND':<7} {'DEFAULT':<7} {'VOLUME':>6}  {'MUTED':<5}  {'ID':<32} DESCRIPTION"]
    table += [
        f"{d.kind.name.lower():<7} {'*' if d.is_default else '':<7} "
        f"{_percent(d.volume):>6}  {'yes' if d.muted else 'no':<5}  {d.id:<32} {d.description}"
        for d in devices
    ]
    rows = [{**asdict(d), "kind": d.kind.name.lower()} for d in devices]
    return _show(args, out, rows, "The sound server has no devices.", table)

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


def cmd_list(args: argparse.Namespace, out: TextIO) -> int:
    sessions = engine.SessionEnumerator().enumerate_sessions()
    if args.json:
        rows = [{**asdict(s), "state": s.state.name.lower()} for s in sessions]  # device_id too
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


def _device_row(d: engine.DeviceInfo) -> dict[str, Any]:
    return {**asdict(d), "kind": d.kind.name.lower()}


def cmd_devices(args: argparse.Namespace, out: TextIO) -> int:
    devices = engine.SessionEnumerator().enumerate_devices()
    if args.json:
        json.dump([_device_row(d) for d in devices], out, indent=2)
        out.write("\n")
        return EXIT_OK
    if not devices:
        out.write("The sound server has no devices.\n")
        return EXIT_OK
    out.write(f"{'KIND':<7} {'DEFAULT':<7} {'VOLUME':>6}  {'MUTED':<5}  {'ID':<32} DESCRIPTION\n")
    for d in devices:
        out.write(
            f"{d.kind.name.lower():<7} {'*' if d.is_default else '':<7} "
            f"{_percent(d.volume):>6}  {'yes' if d.muted else 'no':<5}  {d.id:<32} "
            f"{d.description}\n"
        )
    return EXIT_OK

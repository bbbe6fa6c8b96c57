"""`pypac`: everything the mixer window does, from a shell.

Exit codes (cli/exits.py): 0 done, 1 failed, 2 bad usage, 3 no such app or
device, 4 no sound server, 5 a recording cut short by the loss of the sound
server (the file is valid), 6 no mixer runs (`pypac replay`), 7 the mixer's
instant replay is off.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import NoReturn

from .. import desktop_entry
from ..errors import (
    DeviceNotFoundError,
    InvalidArgumentError,
    PyPACError,
    ServerUnavailableError,
    SessionNotFoundError,
)
from . import autorecord, control, desktop, record, replay
from .exits import (
    EXIT_CUT_SHORT,
    EXIT_ERROR,
    EXIT_NO_APP,
    EXIT_NO_MIXER,
    EXIT_NO_SERVER,
    EXIT_OK,
    EXIT_REPLAY_OFF,
    EXIT_USAGE,
    UsageError,
)
from .parsing import build_parser, check_target

__all__ = [
    "EXIT_CUT_SHORT",
    "EXIT_ERROR",
    "EXIT_NO_APP",
    "EXIT_NO_MIXER",
    "EXIT_NO_SERVER",
    "EXIT_OK",
    "EXIT_REPLAY_OFF",
    "EXIT_USAGE",
    "entry",
    "main",
]

COMMANDS = {
    "list": control.cmd_list,
    "devices": control.cmd_devices,
    "volume": control.cmd_volume,
    "mute": control.cmd_mute,
    "route": control.cmd_route,
    "default": control.cmd_default,
    "record": record.cmd_record,
    "recover": record.cmd_recover,
    "autorecord": autorecord.cmd_autorecord,
    "replay": replay.cmd_replay,
    "install-desktop": desktop.cmd_install_desktop,
}


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)  # exits 2 on bad usage
    problem = check_target(args)
    if problem is not None:
        args.command_parser.error(problem)
    try:
        return COMMANDS[args.command](args, sys.stdout)
    except UsageError as exc:
        getattr(args, "command_parser", parser).error(str(exc))
    except ServerUnavailableError as exc:
        return _fail(EXIT_NO_SERVER, exc)
    except (SessionNotFoundError, DeviceNotFoundError) as exc:
        return _fail(EXIT_NO_APP, exc)
    except (InvalidArgumentError, TypeError) as exc:  # AmbiguousNameError too
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

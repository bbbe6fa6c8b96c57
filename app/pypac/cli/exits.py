"""The `pypac` command's exit codes (README, "Command line").

`pypac autorecord` runs until a signal: 0 when every file was finished, 1 when
a recording failed on the way (it printed each failure and went on), 2 for bad
input, 4 when no server answers at its start (one lost later is waited for).
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_ERROR = 1  # failed: the message on stderr says which call and why
EXIT_USAGE = 2  # bad usage, or a name that matches several apps or devices
EXIT_NO_APP = 3  # no such app or device, or the process does not exist
EXIT_NO_SERVER = 4  # no sound server, or it refused us (too many clients)
EXIT_CUT_SHORT = 5  # a recording cut short by the loss of the server; the file is valid
EXIT_NO_MIXER = 6  # `pypac replay`: no mixer runs (or it does not answer)
EXIT_REPLAY_OFF = 7  # `pypac replay`: the running mixer's instant replay is off


class UsageError(Exception):
    """Bad command-line input that argparse could not catch by itself."""

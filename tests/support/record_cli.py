"""`pypac record` run as a user runs it: a child process, waited on by its output."""

from __future__ import annotations

import subprocess
import sys
import time
from typing import Any


def start_record(
    server: Any, *args: str, prefix: tuple[str, ...] = (), **popen: Any
) -> subprocess.Popen[str]:
    """`pypac record ARGS` against `server` (`prefix`: a wrapper such as `timeout 3`)."""
    return subprocess.Popen(
        [*prefix, sys.executable, "-m", "pypac", "record", *args],
        env=server.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **popen,
    )


def wait_recording(proc: subprocess.Popen[str]) -> float:
    """Wait for the 'Recording ...' line; the monotonic time it came."""
    assert proc.stdout is not None
    line = proc.stdout.readline()
    assert line.startswith("Recording"), (line, proc.stderr.read() if proc.stderr else "")
    return time.monotonic()

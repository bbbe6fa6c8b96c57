"""Starting and ending the helper processes that demo mode, tests and benchmarks run."""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
from collections.abc import Iterable
from typing import Callable

_PR_SET_PDEATHSIG = 1


def exit_with_this_thread() -> Callable[[], None] | None:
    """A `preexec_fn` for Popen: the child gets SIGTERM when the thread that starts it
    ends, and so when this process dies in any way (Linux's PR_SET_PDEATHSIG).

    A mixer killed with SIGKILL or crashed in native code runs no clean-up: without
    this its private server and players would play on forever. Start helpers from a
    thread that lives as long as they should (the main thread); None off Linux.
    """
    if not sys.platform.startswith("linux"):
        return None
    # Looked up here, not in the child: after fork only async-signal-safe calls are safe.
    prctl = ctypes.CDLL(None, use_errno=True).prctl
    parent = os.getpid()

    def preexec() -> None:
        prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
        if os.getppid() != parent:  # the parent died before prctl took effect
            os.kill(os.getpid(), signal.SIGTERM)

    return preexec


def _send(p: subprocess.Popen[bytes], sig: int) -> None:
    """`sig` to the process, or to its whole group when it leads one (start_new_session)."""
    with contextlib.suppress(ProcessLookupError):
        if os.name == "posix" and os.getpgid(p.pid) == p.pid:
            os.killpg(p.pid, sig)
        elif sig == getattr(signal, "SIGKILL", None):
            p.kill()
        else:
            p.terminate()


def stop_processes(
    procs: Iterable[subprocess.Popen[bytes]], timeout: float = 5.0, *, kill: bool = False
) -> None:
    """End every process still running and wait for each: SIGTERM first (SIGKILL at once
    with `kill=True`, as a crash would), SIGKILL for one still running after `timeout`
    seconds. All are signalled first, so they wind down together rather than one after
    another. A process started with start_new_session is signalled with its group."""
    procs = list(procs)
    first = signal.SIGKILL if kill and hasattr(signal, "SIGKILL") else signal.SIGTERM
    for p in procs:
        if p.poll() is None:
            _send(p, first)
    for p in procs:
        try:
            p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            _send(p, getattr(signal, "SIGKILL", signal.SIGTERM))
            p.wait()

"""Ending the helper processes that demos, tests and benchmarks start."""

from __future__ import annotations

import subprocess
from collections.abc import Iterable


def stop_processes(procs: Iterable[subprocess.Popen[bytes]], timeout: float = 5.0) -> None:
    """SIGTERM every process still running, then wait for each; one that has
    not ended within `timeout` seconds is killed. All are asked first, so they
    wind down together rather than one after another."""
    procs = list(procs)
    for p in procs:
        if p.poll() is None:
            p.terminate()
    for p in procs:
        try:
            p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()

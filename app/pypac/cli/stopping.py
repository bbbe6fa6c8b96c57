"""What every recording command shares: stopping on signals, a terminal that
may go away."""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Iterator
from typing import Callable, TextIO

#: Signals that end a recording the way Ctrl+C does: `kill`, `timeout`, and
#: closing the terminal (SIGHUP).
STOP_SIGNALS = tuple(
    getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name)
)


class Terminal:
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


@contextlib.contextmanager
def stop_on_signals(request_stop: Callable[[], None]) -> Iterator[list[str]]:
    """Ctrl+C, kill, timeout and a closed terminal call `request_stop` (the
    files are finalized instead of torn); the list names the signals that
    came. SIGXFSZ must not kill us when a file-size limit is hit: the write
    error is reported instead."""
    stopped_by: list[str] = []

    def on_stop_signal(signum: int, frame: object) -> None:
        stopped_by.append(signal.Signals(signum).name)
        request_stop()  # the files end at this moment, not at the next poll

    previous = {sig: signal.signal(sig, on_stop_signal) for sig in STOP_SIGNALS}
    if hasattr(signal, "SIGXFSZ"):
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    try:
        yield stopped_by
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)

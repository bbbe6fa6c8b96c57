"""What a Recorder, a Take and an AutoRecorder share: work on one thread of its own.

`start()` (the subclass's) starts the thread and returns the job; `request_stop()`
(the subclass's, safe in a signal handler) asks it to end without waiting; `wait()`
joins it; `stop()` does both; `with job:` starts and stops it.
"""

from __future__ import annotations

import threading
from types import TracebackType
from typing import TypeVar

_Job = TypeVar("_Job", bound="BackgroundJob")


class BackgroundJob:
    _thread: threading.Thread | None = None  # set by start()

    def start(self: _Job) -> _Job:
        raise NotImplementedError

    def request_stop(self) -> None:
        raise NotImplementedError

    def stop(self) -> object:
        """Ask the job to end and wait until it has."""
        self.request_stop()
        self.wait()
        return None

    def wait(self, timeout: float | None = None) -> bool:
        """Wait until the job ended (by itself or asked to); True if it has."""
        if self._thread is None:
            return True
        self._thread.join(timeout)
        return not self._thread.is_alive()

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def __enter__(self: _Job) -> _Job:
        return self.start()

    def __exit__(
        self, et: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

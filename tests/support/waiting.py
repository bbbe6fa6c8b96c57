"""Small helpers the engine tests share: wait for a session, capture N seconds."""

from __future__ import annotations

import time
from typing import Callable, TypeVar

import numpy as np

import pypac

T = TypeVar("T")


def wait_until(probe: Callable[[], T], timeout: float = 5.0, interval: float = 0.02) -> T:
    """Poll `probe` until it returns something truthy; fail with what it last returned."""
    deadline = time.monotonic() + timeout
    value = probe()
    while not value and time.monotonic() < deadline:
        time.sleep(interval)
        value = probe()
    assert value, f"condition not met within {timeout} s (last value: {value!r})"
    return value


def wait_for_session(
    en: pypac.SessionEnumerator, pid: int, timeout: float = 5.0
) -> pypac.SessionInfo:
    """The session of `pid` once it plays. (pipewire-pulse first lists a new
    stream corked at volume 0, then playing at its real volume.)"""

    def probe() -> pypac.SessionInfo | None:
        s = next((s for s in en.enumerate_sessions() if s.process_id == pid), None)
        return s if s is not None and s.state == pypac.SessionState.ACTIVE else None

    return wait_until(probe, timeout)


def capture_for(
    cap: pypac.engine._Capture, seconds: float, first_data_timeout: float = 5.0
) -> np.ndarray:
    """Read `seconds` of audio, starting when the first frames arrive."""
    frames_wanted = int(seconds * cap.sample_rate)
    blocks = [cap.read(timeout=first_data_timeout)]
    assert len(blocks[0]) > 0, f"no audio within {first_data_timeout} s ({cap!r}, {cap.stats})"
    got = len(blocks[0])
    deadline = time.monotonic() + seconds + 5.0
    while got < frames_wanted and time.monotonic() < deadline:
        block = cap.read(timeout=1.0)
        if len(block) == 0 and not cap.active:
            break
        blocks.append(block)
        got += len(block)
    return np.concatenate(blocks)[:frames_wanted]

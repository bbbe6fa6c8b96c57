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


def wait_for_streams_playing(server, pid: int, count: int) -> None:
    """Until `count` streams of `pid` are listed and none is still at the volume 0
    pipewire-pulse first lists a new stream with (a change made before would be lost)."""
    wait_until(
        lambda: (
            len(streams := [s for s in server.sink_inputs() if s["pid"] == pid]) == count
            and all(max(s["volume_percent"]) > 0 for s in streams)
        ),
        timeout=10,
    )


def capture_sound_for(
    cap: pypac.engine._Capture, seconds: float, onset_timeout: float = 10.0
) -> np.ndarray:
    """Read `seconds` of audio from the first audible frame on (a loaded machine can
    take a while to get a new stream's audio flowing: what came before is silence)."""
    deadline = time.monotonic() + onset_timeout
    while time.monotonic() < deadline:
        block = cap.read(timeout=1.0)
        loud = np.flatnonzero(np.abs(block).max(axis=1) > 1e-3) if len(block) else []
        if len(loud):
            head = block[loud[0] :]
            rest = capture_for(cap, max(seconds - len(head) / cap.sample_rate, 0.01))
            return np.concatenate([head, rest])[: int(seconds * cap.sample_rate)]
        if len(block) == 0 and not cap.active:
            break
    raise AssertionError(
        f"no sound within {onset_timeout} s ({cap!r}, {cap.stats}); the server's streams: "
        f"{_streams_now()}"
    )


def _streams_now() -> str:
    """What plays on the server, for a failure message: which streams a capture
    had to choose from, and whether they played."""
    with pypac.SessionEnumerator() as en:
        return "; ".join(
            f"{s.process_name} (pid {s.process_id}) {s.state.name.lower()} on {s.device_id}, "
            f"streams {[(t.title, t.playing) for t in s.streams]}"
            for s in en.enumerate_sessions()
        )


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

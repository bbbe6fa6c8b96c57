"""Moving an app to another output while it is recorded leaves no hole.

The server kills the monitor stream of a stream it moves; the capture opens
one on the new output. Judged on a steady tone: the longest run of silence
(a hole the capture filled with zeros), and the frames gained or lost across
the move (a splice), against the clock.
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator

import numpy as np
import pytest
import soundfile as sf

import pypac
from pypac.demo.processes import stop_processes
from tests.conftest import SECOND_SINK as SECOND
from tests.engine.continuity import Timeline, longest_silence_ms
from tests.support.spectrum import dominant_frequency
from tests.support.waiting import wait_for_session, wait_until

RATE = 48000
BLOCK_MS = 20  # one delivery of a monitor stream (10 ms asked), with scheduling slack
MOVE_ATTEMPTS = 3
MOVE_SHOWS_S = 1.5  # a move the server makes shows within this


def _sink_of(sound_server, pid: int) -> int:
    return next(s["sink"] for s in sound_server.sink_inputs() if s["pid"] == pid)


@pytest.fixture
def steady_tone(sound_server, tmp_path) -> Iterator[subprocess.Popen[bytes]]:
    """A 440 Hz tone from `paplay`: its 2 s server buffer rides out a loaded
    machine, where a player with a short buffer would leave holes of its own."""
    path = tmp_path / "tone.wav"
    t = np.arange(30 * RATE) / RATE
    sf.write(path, np.stack([0.4 * np.sin(2 * np.pi * 440 * t)] * 2, axis=1), RATE)
    p = subprocess.Popen(
        ["paplay", "--latency-msec=50", "--client-name", "Moved while recorded", str(path)],
        env=sound_server.env,
    )
    yield p
    stop_processes([p])


def _record_across_a_move(sound_server, enumerator, pid: int, move) -> Timeline:
    wait_for_session(enumerator, pid)
    wait_until(lambda: any(d.id == SECOND for d in enumerator.enumerate_devices()))
    first_sink = _sink_of(sound_server, pid)
    with pypac.ProcessCapture(pid) as cap:
        rec = Timeline(RATE)
        rec.read(cap, 1.5)
        for _attempt in range(MOVE_ATTEMPTS):
            rec.mark("move")
            move(pid)
            if _read_until_moved(rec, cap, sound_server, pid, first_sink):
                break
            # Judge the attempt that moved it, on a recording that starts after this one.
            rec = Timeline(RATE)
            rec.read(cap, 1.0)
        else:
            raise AssertionError(f"the server never moved the stream ({MOVE_ATTEMPTS} attempts)")
        rec.read(cap, 1.5)
        assert cap.active, f"the capture ended: {cap.end_reason}"
    return rec


def _read_until_moved(rec: Timeline, cap, sound_server, pid: int, first_sink: int) -> bool:
    """Keep recording while waiting for the server to list the stream elsewhere.

    pipewire-pulse acknowledges a move a moment before it lists the stream there,
    and now and then (0.3.65 with WirePlumber 0.4, a move from a short-lived
    `pactl`: about one in three) acknowledges one it never makes: whoever moved
    it tries again."""
    deadline = time.monotonic() + MOVE_SHOWS_S
    while time.monotonic() < deadline:
        rec.read(cap, 0.05)
        if _sink_of(sound_server, pid) != first_sink:
            return True
    return False


def _judge(sound_server, rec: Timeline, how: str) -> None:
    audio = rec.audio()
    gap = longest_silence_ms(rec.around("move", 0.5, 1.0), RATE)
    offset = rec.frames_offset_ms("move")
    print(
        f"\n{sound_server.kind}, {how}: longest silence {gap:.1f} ms, "
        f"frames gained/lost across the move {offset:+.1f} ms"
    )
    assert dominant_frequency(audio[-RATE:], RATE) == pytest.approx(440, abs=3)
    assert gap < 20
    assert abs(offset) < BLOCK_MS


def test_a_move_through_us_leaves_no_hole(sound_server, enumerator, steady_tone, second_sink):
    rec = _record_across_a_move(
        sound_server, enumerator, steady_tone.pid, lambda pid: enumerator.move_session(pid, SECOND)
    )
    _judge(sound_server, rec, "move_session")


def test_a_move_by_another_program_leaves_no_hole(
    sound_server, enumerator, steady_tone, second_sink
):
    def move(pid: int) -> None:
        (stream,) = [s for s in sound_server.sink_inputs() if s["pid"] == pid]
        sound_server.pactl("move-sink-input", str(stream["index"]), SECOND)

    rec = _record_across_a_move(sound_server, enumerator, steady_tone.pid, move)
    _judge(sound_server, rec, "pactl move-sink-input")

"""Five minutes of a take: the tracks do not drift apart.

Two players of different tones with their own click trains play while a take
of both apps and the System track records for five minutes. The issue's test:
the lag of each app track against the System track is 0 within 48 frames
(1 ms) in the first second and in the last, so it changed by under 1 ms; every
track has the same frame count, and none dropped a frame.

The lag is also measured in every 10 s of the take. On PipeWire with a loaded
machine an app's capture now and then moves by one graph cycle (256 frames)
against the System's; the take's 2 s content check moves the track back within
seconds (seen in CI: one 10 s piece of 30 at +256, recheck_shift -512). Such
a piece is allowed twice per track, by at most 1024 frames (a 21 ms cycle); a
lag that stays, or a larger one, fails.

Marked `long`: `./dev test` runs these beside the rest of the suite (they
spend their five minutes waiting for real-time audio), so they cost CI no
wall time; `pytest -m "not long"` leaves them out of a quick run.
"""

from __future__ import annotations

import json

import pytest

import pypac
from tests.engine.test_take import MAX_LAG, RATE, clicking, read_take
from tests.support.alignment import lag_frames
from tests.support.waiting import wait_for_session

SECONDS = 300
PIECE = 10 * RATE

pytestmark = [pytest.mark.long, pytest.mark.timeout(SECONDS + 180)]


def test_take_does_not_drift_over_five_minutes(enumerator, player, sound_server, tmp_path):
    a = clicking(player, 440, duration=SECONDS + 60)
    b = clicking(player, 1000, duration=SECONDS + 60)
    wait_for_session(enumerator, a.pid, timeout=30)
    wait_for_session(enumerator, b.pid, timeout=30)
    folder = tmp_path / "take"
    take = pypac.Take([a.pid, b.pid, pypac.Source.system()], folder, duration=SECONDS)
    with take:
        assert take.wait(SECONDS + 60)
    assert take.status.error is None
    manifest, tracks = read_take(folder)
    assert [len(t) for t in tracks] == [SECONDS * RATE] * 3
    assert all(t["dropped_frames"] == 0 for t in manifest["tracks"]), manifest
    system = tracks[2]
    for app, entry in zip(tracks[:2], manifest["tracks"]):
        lags = [
            lag_frames(app[i : i + PIECE], system[i : i + PIECE])
            for i in range(0, len(system) - PIECE + 1, PIECE)
        ]
        last = lag_frames(app[-RATE:], system[-RATE:])
        first = lag_frames(app[:RATE], system[:RATE])
        detail = json.dumps({"lags per 10 s": lags, "first": first, "last": last, **entry})
        assert abs(first) <= MAX_LAG and abs(last) <= MAX_LAG, detail
        assert abs(last - first) <= MAX_LAG, detail  # no drift
        moved = [lag for lag in lags if abs(lag) > MAX_LAG]
        assert len(moved) <= 2 and all(abs(lag) <= 1024 for lag in moved), detail

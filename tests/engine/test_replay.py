"""Instant replay: a ReplayBuffer keeps the last N seconds of its sources and
saves them, after the fact, as a take folder (the same layout as pypac.Take's)."""

from __future__ import annotations

import json
import time

import numpy as np
import pytest
import soundfile as sf

import pypac
from pypac.replay import replay_memory_bytes
from tests.support.spectrum import dominant_frequency, isolation_db
from tests.support.waiting import wait_for_session, wait_until

RATE = 48000
SECONDS = 1
BLOCK = RATE // 100  # one 10 ms block: the engine's unit of delivery


def read_take(folder):
    manifest = json.loads((folder / "manifest.json").read_text())
    tracks = [
        sf.read(folder / t["file"], dtype="float32", always_2d=True)[0] for t in manifest["tracks"]
    ]
    return manifest, tracks


def test_replay_saves_the_last_seconds_of_two_apps(enumerator, player, sound_server, tmp_path):
    a = player(440, name="Replay A", amplitude=0.3)
    b = player(1000, name="Replay B", amplitude=0.3)
    wait_for_session(enumerator, a.pid, timeout=30)
    wait_for_session(enumerator, b.pid, timeout=30)
    replay = pypac.ReplayBuffer([a.pid, b.pid], seconds=SECONDS, format="wav")
    assert replay.memory_bytes == replay_memory_bytes(SECONDS, 2) == SECONDS * RATE * 2 * 4 * 2
    started = time.monotonic()
    with replay:
        # Both tones heard (a loaded machine can take a while to deliver a new
        # capture's first audio: the take fills the wait with silence) ...
        wait_until(lambda: all(t.level > 0.1 for t in replay.status.tracks), timeout=30)
        heard = replay.status.frames
        # ... then N s more, and at least N + 2 s since the start.
        wait_until(
            lambda: (
                time.monotonic() - started >= SECONDS + 2
                and replay.status.frames >= heard + (SECONDS + 0.5) * RATE
            ),
            timeout=30,
        )
        folder = replay.save(tmp_path / "replay")
        only_b = replay.save(tmp_path / "replay-b", 0.5, name="Replay B")
    manifest, tracks = read_take(folder)
    assert manifest["format"] == "pypac-take/1" and manifest["end"] == "stopped"
    assert [len(t) for t in tracks] == [len(tracks[0])] * 2  # equal frame counts
    assert abs(len(tracks[0]) - SECONDS * RATE) <= BLOCK
    assert manifest["frames"] == len(tracks[0])
    assert [t["label"] for t in manifest["tracks"]] == ["Replay A", "Replay B"]
    for track, (wanted, unwanted) in zip(tracks, ((440, 1000), (1000, 440))):
        assert abs(dominant_frequency(track, RATE) - wanted) < 5
        assert isolation_db(track, RATE, wanted, unwanted) > 30  # each tone alone
        assert manifest["tracks"][0]["loudness"]["integrated_lufs"] is not None
    b_manifest, b_tracks = read_take(only_b)
    assert [t["label"] for t in b_manifest["tracks"]] == ["Replay B"]
    assert abs(len(b_tracks[0]) - RATE // 2) <= BLOCK
    assert abs(dominant_frequency(b_tracks[0], RATE) - 1000) < 5


def test_replay_ring_keeps_the_newest_frames_and_refuses_bad_input(tmp_path):
    """No server: the ring's wrap-around, fed as the take's thread feeds it."""
    replay = pypac.ReplayBuffer([pypac.Source.system()], seconds=1, format="wav")
    ramp = np.arange(2 * RATE + 123, dtype=np.float32)[:, None].repeat(2, axis=1)
    for piece in np.array_split(ramp, 7):
        replay._put([piece])
    replay._t0_ns = 0
    assert replay.buffered_seconds == 1
    folder = replay.save(tmp_path / "r", 0.5)
    _, (track,) = read_take(folder)
    np.testing.assert_array_equal(track[:, 0], ramp[-RATE // 2 :, 0])
    # A track ahead of the other (the take writes a silent source a second late):
    # only what both still hold is saved.
    two = pypac.ReplayBuffer([pypac.Source.system(), pypac.Source.app(1)], 1, format="wav")
    two._put([ramp[: RATE + 1000], ramp[:RATE]])
    two._t0_ns = 0
    _, (ahead, behind) = read_take(two.save(tmp_path / "two"))
    assert len(ahead) == len(behind) == RATE - 1000
    np.testing.assert_array_equal(ahead[:, 0], ramp[1000:RATE, 0])
    np.testing.assert_array_equal(behind[:, 0], ramp[1000:RATE, 0])
    with pytest.raises(pypac.SessionNotFoundError, match="keeps no app named 'X'"):
        replay.save(tmp_path / "x", name="X")
    with pytest.raises(pypac.InvalidArgumentError):
        pypac.ReplayBuffer([pypac.Source.system()], seconds=0)
    empty = pypac.ReplayBuffer([pypac.Source.system()], seconds=1)
    with pytest.raises(pypac.InvalidArgumentError, match="no audio yet"):
        empty.save(tmp_path / "e")

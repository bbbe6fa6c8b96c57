"""Takes: several sources recorded at once, every track on the same sample.

Two players of different tones, each with its own seeded click train, play
while a take records both apps and the System track. The System track holds
both apps' sound, so cross-correlating an app's track with it says where the
app's sound lies in each: the lag must be 0 (within 48 frames, 1 ms), in the
first and the last second alike (no drift). The five-minute drift run is
test_take_drift.py.
"""

from __future__ import annotations

import json
import time

import numpy as np
import pytest
import soundfile as sf

import pypac
from pypac.correlation import find_lag
from pypac.take_timeline import TrackTimeline
from tests.support.alignment import lag_frames
from tests.support.waiting import wait_for_session, wait_until

RATE = 48000
MAX_LAG = 48  # 1 ms


def clicking(player, freq, **kw):
    return player(freq, name=f"take {freq:g}", amplitude=0.2, clicks=8, **kw)


def read_take(folder):
    manifest = json.loads((folder / "manifest.json").read_text())
    tracks = [
        sf.read(folder / t["file"], dtype="float32", always_2d=True)[0] for t in manifest["tracks"]
    ]
    return manifest, tracks


def lags_over_time(track, reference, piece=RATE // 2):
    """The lag of each half second (for failure messages)."""
    return [
        find_lag(track[i : i + piece], reference[i : i + piece], 4800)
        for i in range(0, len(track) - piece + 1, piece)
    ]


def first_sound(track, level=0.05):
    loud = np.flatnonzero(np.abs(track).max(axis=1) > level)
    return loud[0] / RATE if len(loud) else None


def test_an_app_silent_at_the_start_is_waited_for(enumerator, player, sound_server, tmp_path):
    a = clicking(player, 440)
    wait_for_session(enumerator, a.pid, timeout=30)
    # The process is there; its sound is not, for longer than the take's own start can
    # take (a PulseAudio null sink hands a new monitor its first audio up to ~2 s late).
    late = clicking(player, 1000, start_delay=2.5)
    take = pypac.Take([a.pid, late.pid], tmp_path / "take", duration=5).start()
    assert take.wait(60)
    manifest, tracks = read_take(tmp_path / "take")
    assert [len(t) for t in tracks] == [5 * RATE] * 2
    assert manifest["tracks"][1]["first_frame_offset"] > 0
    assert first_sound(tracks[1]) is not None


def test_take_tracks_are_sample_aligned(enumerator, player, sound_server, tmp_path):
    a = clicking(player, 440)
    b = clicking(player, 1000)
    wait_for_session(enumerator, a.pid, timeout=30)
    wait_for_session(enumerator, b.pid, timeout=30)
    folder = tmp_path / "take"
    take = pypac.Take([a.pid, b.pid, pypac.Source.system()], folder, duration=7, format="wav")
    with take:
        assert take.wait(60)
    status = take.status
    assert status.end is pypac.RecordingEnd.STOPPED and status.error is None
    manifest, tracks = read_take(folder)
    assert [len(t) for t in tracks] == [7 * RATE] * 3  # the same length, exactly
    assert manifest["frames"] == 7 * RATE and manifest["sample_rate"] == RATE
    assert [t["source"]["kind"] for t in manifest["tracks"]] == ["app", "app", "system"]
    assert all(t["dropped_frames"] == 0 for t in manifest["tracks"])
    for t in manifest["tracks"]:  # EBU R128 of each track's file: tones and clicks are loud
        assert -30 < t["loudness"]["integrated_lufs"] < 0, t["loudness"]
        assert t["loudness"]["true_peak_dbtp"] > t["loudness"]["integrated_lufs"]
    system = tracks[2]
    second = slice(0, RATE)
    last = slice(len(system) - RATE, len(system))
    for app, entry in zip(tracks[:2], manifest["tracks"]):
        assert abs(lag_frames(app, system)) <= MAX_LAG, json.dumps(entry)
        first_lag = lag_frames(app[second], system[second])
        last_lag = lag_frames(app[last], system[last])
        assert abs(first_lag) <= MAX_LAG and abs(last_lag) <= MAX_LAG, (
            lags_over_time(app, system),
            json.dumps(entry),
        )
        assert abs(last_lag - first_lag) <= MAX_LAG  # no drift over the take
        assert first_sound(app) < 0.05  # playing when the take started: sound at once


def test_late_app_starts_with_silence_and_stays_aligned(enumerator, player, sound_server, tmp_path):
    a = clicking(player, 440)
    wait_for_session(enumerator, a.pid, timeout=30)
    folder = tmp_path / "take"
    # An app by name that is not there yet: it starts a second after the take.
    sources = [a.pid, pypac.Source.named("take 1000"), pypac.Source.system()]
    take = pypac.Take(sources, folder, duration=8).start()
    assert take.status.tracks[1].waiting
    wait_until(lambda: take.status.frames > 0, timeout=30)  # the take began
    time.sleep(1.0)
    clicking(player, 1000)
    assert take.wait(60)
    manifest, tracks = read_take(folder)
    assert [len(t) for t in tracks] == [8 * RATE] * 3
    # Python's start-up comes on top of the second: the sound begins after it.
    starts = first_sound(tracks[1])
    assert starts is not None and 1.0 <= starts <= 6.0, json.dumps(manifest)
    offset = manifest["tracks"][1]["first_frame_offset"] / RATE
    assert offset == pytest.approx(starts, abs=0.05)
    system = tracks[2]
    tail = slice(len(system) - 2 * RATE, len(system))
    for track, entry in zip(tracks[:2], manifest["tracks"]):
        assert abs(lag_frames(track[tail], system[tail])) <= MAX_LAG, json.dumps(entry)


def test_single_file_take_and_stop(enumerator, player, sound_server, tmp_path):
    a = clicking(player, 440)
    wait_for_session(enumerator, a.pid, timeout=30)
    folder = tmp_path / "take"
    take = pypac.Take([a.pid, pypac.Source.system()], folder, single_file=True).start()
    wait_until(lambda: take.status.frames > RATE, timeout=30)
    status = take.stop()
    manifest, _ = read_take(folder)
    audio, rate = sf.read(folder / "take.flac", dtype="float32", always_2d=True)
    assert rate == RATE and audio.shape == (status.frames, 4)
    assert manifest["file"] == "take.flac"
    assert [t["file_channels"] for t in manifest["tracks"]] == [[0, 2], [2, 4]]
    assert abs(lag_frames(audio[:, 0:2], audio[:, 2:4])) <= MAX_LAG


def test_take_refuses_bad_input(tmp_path):
    with pytest.raises(pypac.InvalidArgumentError, match="at least one source"):
        pypac.Take([], tmp_path)
    with pytest.raises(TypeError, match=r"Source\.named"):
        pypac.Take(["firefox"], tmp_path)  # type: ignore[list-item]
    with pytest.raises(pypac.InvalidArgumentError, match="at most 8 channels"):
        pypac.Take([pypac.Source.system()] * 5, tmp_path, single_file=True)
    with pytest.raises(pypac.InvalidArgumentError, match="unknown recording format"):
        pypac.Take([pypac.Source.system()], tmp_path, format="mp3")


def test_take_keeps_an_existing_take(sound_server, tmp_path):
    (tmp_path / "manifest.json").write_text("{}")
    with pytest.raises(pypac.PyPACError, match="holds one already"):
        pypac.Take([pypac.Source.system()], tmp_path).start()
    assert (tmp_path / "manifest.json").read_text() == "{}"


# ---- the timeline alone (no server) ----------------------------------------------


def timeline():
    return TrackTimeline(RATE, 1, anchor_frames=4800)


def blocks_of(start_ns, count, size=480, value=1.0):
    for i in range(count):
        yield np.full((size, 1), value, np.float32), start_ns + i * size * 10**9 // RATE


def test_timeline_pads_a_late_track_and_cuts_an_early_one():
    late, early = timeline(), timeline()
    for block, ns in blocks_of(10**9 + 10**8, 20):  # starts 100 ms after T0
        late.add(block, ns)
    for block, ns in blocks_of(10**9 - 10**7, 20):  # starts 10 ms before T0
        early.add(block, ns)
    late.start(10**9)
    early.start(10**9)
    assert late.first_offset == 4800 and early.first_offset == -480
    out = late.take()
    assert len(out) == 4800 + 20 * 480 and not out[:4800].any() and out[4800:].all()
    assert len(early.take()) == 20 * 480 - 480


def test_timeline_runs_on_the_sample_count_after_the_start():
    tl = timeline()
    rng = np.random.default_rng(0)
    t0 = 10**9
    for i, (block, ns) in enumerate(blocks_of(t0, 40)):
        tl.add(block, ns + int(rng.integers(0, 5 * 10**6)))  # read up to 5 ms late
        if i == 0:
            tl.start(t0)
    # The start is the median of the blocks' times: within their noise.
    assert tl.first_offset is not None and 0 <= tl.first_offset <= 240
    # A block read 300 ms late moves nothing: the capture's count is the clock.
    late = tl.t0_ns + (tl.position + 14400) * 10**9 // RATE
    tl.add(np.ones((480, 1), np.float32), late)
    assert tl.position == tl.first_offset + 41 * 480
    assert len(tl.take()) == tl.position


def test_timeline_cuts_a_stalled_captures_late_audio_for_the_time_it_filled():
    rng = np.random.default_rng(2)
    sound = rng.uniform(-1, 1, (2 * RATE, 1)).astype(np.float32)
    tl = timeline()
    t0 = 10**9
    tl.start(t0)
    for i in range(0, RATE, 480):  # a second on time
        tl.add(sound[i : i + 480], t0 + i * 10**9 // RATE)
    tl.fill_to(RATE + 14400, owed=True)  # then 300 ms of nothing: silence meanwhile
    for i in range(RATE, 2 * RATE, 480):  # and all of it late, in one go
        tl.add(sound[i : i + 480], None)
    track = tl.take()
    assert tl.stall_cut == 14400 and len(track) == 2 * RATE
    assert not track[RATE : RATE + 14400].any()  # the filled time stays silence
    np.testing.assert_array_equal(track[RATE + 14400 :], sound[RATE + 14400 :])  # in place


def test_timeline_refines_by_content_against_a_reference():
    rng = np.random.default_rng(1)
    sound = rng.uniform(-1, 1, (RATE, 1)).astype(np.float32)
    ref, app = timeline(), timeline()
    ref.keep_history(RATE)
    app.refine_against(ref, 1440)
    t0 = 10**9
    ref.start(t0)
    app.start(t0)
    for i in range(0, RATE, 480):  # the reference's time is right
        ref.add(sound[i : i + 480], t0 + i * 10**9 // RATE)
    for i in range(0, RATE, 480):  # the app's is 5 ms early (a PipeWire cycle)
        app.add(sound[i : i + 480], t0 + (i - 240) * 10**9 // RATE)
    assert app.content_shift == 240 and app.first_offset == 0


def test_engine_clock_is_monotonic_and_shared(sound_server):
    assert pypac.engine.monotonic_ns() <= pypac.engine.monotonic_ns()
    if hasattr(time, "CLOCK_MONOTONIC"):  # Linux: the same clock as Python's
        assert abs(pypac.engine.monotonic_ns() - time.monotonic_ns()) < 10**8


def test_captures_time_their_blocks(enumerator, player, sound_server):
    p = player(440)
    wait_for_session(enumerator, p.pid, timeout=30)
    with pypac.ProcessCapture(p.pid) as cap:
        times = []
        deadline = time.monotonic() + 20
        while len(times) < 20 and time.monotonic() < deadline:
            block, ns = cap.read_timed(timeout=1.0)
            if len(block) and ns is not None:
                times.append((ns, pypac.engine.monotonic_ns()))
    assert len(times) == 20
    # A block's first frame was heard before it was read, and not long before.
    assert all(0 <= read - ns < 2 * 10**9 for ns, read in times)


@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")
def test_a_bug_in_the_writer_still_finishes_the_files_and_says_so(
    enumerator, player, sound_server, tmp_path, monkeypatch
):
    p = clicking(player, 440)
    wait_for_session(enumerator, p.pid, timeout=30)
    real_write = pypac.Take._write
    calls = []

    def write_then_fail(self, limit):
        real_write(self, limit)
        calls.append(limit)
        if len(calls) > 100:  # a second or two in: something placed, then the bug
            raise RuntimeError("a bug")

    monkeypatch.setattr(pypac.Take, "_write", write_then_fail)
    take = pypac.Take([p.pid], tmp_path / "take", duration=30).start()
    assert take.wait(30)
    assert "internal error (RuntimeError: a bug)" in take.status.error
    manifest, (track,) = read_take(tmp_path / "take")  # a readable file, and the manifest
    assert len(track) == manifest["tracks"][0]["frames"] > 0


def test_a_microphone_track_keeps_a_constant_small_lag(enumerator, player, sound_server, tmp_path):
    """A microphone is placed by the arrival of its data, not refined by content
    (a real one does not hear the System): one that hears the System exactly (a
    remap source of the output's monitor) shows how late that leaves it, and that
    the lag does not drift. Measured: PulseAudio ~476 frames (one 10 ms block of
    the remap source), PipeWire -46 to 71 frames."""
    sink = sound_server.pactl("get-default-sink").strip()
    module = sound_server.pactl(
        "load-module",
        "module-remap-source",
        f"master={sink}.monitor",
        "source_name=pypac_hears_the_system",
        "source_properties=device.description=Hears-the-System",
    ).strip()
    try:
        p = clicking(player, 440)
        wait_for_session(enumerator, p.pid, timeout=30)
        folder = tmp_path / "take"
        sources = [pypac.Source.system(), pypac.Source.device("pypac_hears_the_system")]
        take = pypac.Take(sources, folder, duration=6, format="wav")
        assert take.start().wait(60)
    finally:
        sound_server.pactl("unload-module", module)
    _, (system, mic) = read_take(folder)
    assert len(system) == len(mic) == 6 * RATE
    lags = [
        lag_frames(mic[i : i + RATE], system[i : i + RATE]) for i in range(RATE, 6 * RATE, RATE)
    ]
    assert all(-MAX_LAG <= lag <= 960 for lag in lags), lags  # at most 1 ms early, 20 ms late
    assert max(lags) - min(lags) <= MAX_LAG, lags  # and steady

"""Process and system capture against a real server, checked by FFT."""

from __future__ import annotations

import time

import numpy as np
import pytest

import pypac
from tests.support.spectrum import band_level_db, dominant_frequency, isolation_db, rms, steady_rms
from tests.support.waiting import capture_for, capture_sound_for, wait_for_session, wait_until

RATE = 48000


def test_capture_isolates_one_process(enumerator, player):
    a = player(440)
    b = player(1000)
    wait_for_session(enumerator, a.pid)
    wait_for_session(enumerator, b.pid)
    with pypac.ProcessCapture(a.pid) as cap:
        audio = capture_for(cap, 1.0)
        assert cap.stats.dropped_frames == 0
    assert audio.dtype == np.float32 and audio.shape[1] == 2
    assert dominant_frequency(audio, RATE) == pytest.approx(440, abs=5)
    assert isolation_db(audio, RATE, 440, 1000) >= 60


def test_system_capture_hears_everyone(enumerator, player):
    a = player(440)
    b = player(1000)
    wait_for_session(enumerator, a.pid)
    wait_for_session(enumerator, b.pid)
    with pypac.SimpleLoopback() as cap:
        audio = capture_for(cap, 1.0)
    level_440 = band_level_db(audio, RATE, 440)
    level_1000 = band_level_db(audio, RATE, 1000)
    assert abs(level_440 - level_1000) < 6, (level_440, level_1000)


def test_system_capture_except_one_process(enumerator, player):
    a = player(440)
    b = player(1000, 1500)
    wait_for_session(enumerator, a.pid)
    wait_for_session(enumerator, b.pid)
    with pypac.SimpleLoopback(exclude_pid=a.pid) as cap:
        audio = capture_sound_for(cap, 1.5)[RATE // 2 :]  # after every stream joined
        assert cap.stats.dropped_frames == 0
    assert isolation_db(audio, RATE, 1000, 440) >= 60
    assert abs(band_level_db(audio, RATE, 1000) - band_level_db(audio, RATE, 1500)) < 6


def test_two_stream_process_capture_holds_both_tones(enumerator, player):
    p = player(440, 1000)
    wait_until(
        lambda: (
            enumerator.get_session(p.pid).stream_count == 2
            if any(s.process_id == p.pid for s in enumerator.enumerate_sessions())
            else None
        )
    )
    with pypac.ProcessCapture(p.pid) as cap:
        audio = capture_for(cap, 1.5)[RATE // 2 :]  # after both streams joined
    assert abs(band_level_db(audio, RATE, 440) - band_level_db(audio, RATE, 1000)) < 6


def test_stream_opened_after_start_is_captured(enumerator, player):
    p = player(440, 1000, second_stream_delay=3.0)
    wait_for_session(enumerator, p.pid)
    with pypac.ProcessCapture(p.pid) as cap:
        first = capture_for(cap, 0.5)
        wait_until(lambda: enumerator.get_session(p.pid).stream_count == 2, timeout=8)
        cap.get_buffer()  # what was rendered before the second stream opened
        later = capture_for(cap, 1.5)[RATE // 2 :]
    assert isolation_db(first, RATE, 440, 1000) >= 60  # only the first stream at first
    assert abs(band_level_db(later, RATE, 440) - band_level_db(later, RATE, 1000)) < 6


def test_capture_is_post_volume_and_post_mute(enumerator, player):
    p = player(440)
    wait_for_session(enumerator, p.pid)
    with pypac.ProcessCapture(p.pid) as cap:
        full = steady_rms(capture_sound_for(cap, 0.5), RATE)
        enumerator.set_session_volume(p.pid, 0.5)
        cap.read(timeout=0.3)
        cap.get_buffer()  # drop what was rendered before the change
        half = steady_rms(capture_for(cap, 0.5)[RATE // 4 :], RATE)
        enumerator.set_session_mute(p.pid, True)
        cap.read(timeout=0.3)
        cap.get_buffer()
        muted = capture_for(cap, 0.5)[RATE // 4 :]
    # PulseAudio's volume is cubic: 50% on the fader is 0.125x in amplitude.
    assert half / full == pytest.approx(0.125, rel=0.15)
    assert len(muted) > 0 and np.all(muted == 0.0)  # frames keep coming, all zero


def test_second_capture_of_same_pid_is_shared(enumerator, player, sound_server):
    p = player(440)
    wait_for_session(enumerator, p.pid)
    with pypac.ProcessCapture(p.pid) as first, pypac.ProcessCapture(p.pid) as second:
        outputs = [o for o in sound_server.source_outputs() if o["media_name"].startswith("PyPAC")]
        assert len(outputs) == 1, outputs  # one server-side capture for both readers
        assert (
            outputs[0]["media_name"]
            == "PyPAC capture: " + enumerator.get_session(p.pid).display_name
        )
        a = capture_for(first, 0.5)
        b = capture_for(second, 0.5)
    assert dominant_frequency(a, RATE) == pytest.approx(440, abs=5)
    assert dominant_frequency(b, RATE) == pytest.approx(440, abs=5)


def test_app_between_streams_is_silence_on_the_clock(enumerator, player):
    # The app closes its stream 1.5 s in and opens a new one 1.5 s later: the
    # capture keeps time through the gap with silence, as a recording must.
    p = player(440, gap=(1.5, 1.5))
    wait_for_session(enumerator, p.pid)
    with pypac.ProcessCapture(p.pid) as cap:
        assert cap.wait_for_frames(1, timeout=5)
        started = time.monotonic()
        cap.get_buffer()
        blocks = []
        while time.monotonic() - started < 4.5:
            blocks.append(cap.read(timeout=0.2))
        held = time.monotonic() - started
        audio = np.concatenate(blocks)
        assert cap.active  # the process lives on between its streams
    # As many frames as the clock says (the resumed stream's first data may
    # lag a little on a sink that rendered ahead: up to ~0.1 s short).
    assert held - 0.15 <= len(audio) / RATE <= held + 0.05, (len(audio) / RATE, held)
    silent = np.all(audio == 0.0, axis=1)
    longest, run = 0, 0
    for is_silent in silent:  # the longest run of exact silence: the gap
        run = run + 1 if is_silent else 0
        longest = max(longest, run)
    # The gap, plus what the server never delivers of the new stream's start
    # (PulseAudio's idle null sink renders in long blocks: ~0.5 s measured).
    assert 1.2 <= longest / RATE <= 2.5, longest / RATE
    loud = audio[~silent]
    assert dominant_frequency(loud, RATE) == pytest.approx(440, abs=5)


def test_capture_stopped_at_once_leaves_nothing_on_the_server(enumerator, player, sound_server):
    # Closed while the server is still creating its streams: they must not
    # stay open there (pipewire-pulse kept them for good).
    p = player(440)
    wait_for_session(enumerator, p.pid)
    for _ in range(4):
        pypac.ProcessCapture(p.pid).start().stop()
    wait_until(
        lambda: not [o for o in sound_server.source_outputs() if o["app_name"] == "PyPAC"],
        timeout=3,
    )


def test_player_exit_mid_capture(enumerator, player):
    p = player(440, duration=30)
    wait_for_session(enumerator, p.pid)
    cap = pypac.ProcessCapture(p.pid).start()
    assert cap.wait_for_frames(RATE // 2, timeout=5)
    p.kill()
    p.wait()
    wait_until(lambda: not cap.active, timeout=5)
    assert cap.end_reason == pypac.CaptureEndReason.PROCESS_EXITED
    rest = cap.get_buffer()  # everything captured before the exit is still there
    assert len(rest) >= RATE // 2
    assert dominant_frequency(rest, RATE) == pytest.approx(440, abs=5)
    assert len(cap.read(timeout=2.0)) == 0  # then empty at once, no hang
    cap.stop()


def test_stream_moved_to_another_sink_keeps_capturing(enumerator, player, sound_server):
    module = sound_server.pactl(
        "load-module", "module-null-sink", "sink_name=pypac_second", "rate=48000", "channels=2"
    ).strip()
    try:
        p = player(440)
        wait_for_session(enumerator, p.pid)
        with pypac.ProcessCapture(p.pid) as cap:
            capture_for(cap, 0.3)
            index = next(s["index"] for s in sound_server.sink_inputs() if int(s["pid"]) == p.pid)
            sound_server.pactl("move-sink-input", str(index), "pypac_second")
            cap.get_buffer()
            after = capture_for(cap, 1.0)
            assert cap.active
        assert dominant_frequency(after, RATE) == pytest.approx(440, abs=5)
        assert rms(after[RATE // 2 :]) > 0.1
    finally:
        sound_server.pactl("unload-module", module)


def test_read_latest_keeps_only_the_newest_frames(enumerator, player):
    p = player(440)
    wait_for_session(enumerator, p.pid)
    with pypac.ProcessCapture(p.pid) as cap:
        assert cap.wait_for_frames(9600, 10)  # 0.2 s buffered
        newest = cap.read_latest(480)
        assert newest.shape == (480, 2) and newest.dtype == np.float32
        assert cap.available < 4800  # the older frames were discarded, not kept for read()
        assert dominant_frequency(capture_for(cap, 0.5), 48000) == pytest.approx(440, abs=5)


def test_peak_is_the_newest_blocks_level(enumerator, player):
    p = player(440, amplitude=0.5)
    wait_for_session(enumerator, p.pid)
    cap = pypac.ProcessCapture(p.pid)
    assert cap.peak == 0.0  # not started
    with cap:
        capture_for(cap, 0.3)
        assert cap.peak == pytest.approx(0.5, abs=0.05)

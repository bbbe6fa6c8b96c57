"""Programs that speak PipeWire natively (pw-play, GStreamer's pipewiresink)
are apps like any other.

pipewire-pulse shows their streams without application.process.id; the
process id is on the stream's client. They must be listed with their pid
and name, obey volume and mute, be captured alone, and count in "everything
but X".
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator

import numpy as np
import pytest
import soundfile as sf

import pypac
from pypac.demo.processes import stop_processes
from tests.support.spectrum import band_level_db, dominant_frequency, isolation_db
from tests.support.waiting import capture_for, capture_sound_for, wait_for_session, wait_until

RATE = 48000

# These tests need PipeWire's own clients: only the PipeWire server has them.
pytestmark = pytest.mark.parametrize("_private_server", ["pipewire"], indirect=True)


@pytest.fixture
def pw_play(sound_server, tmp_path) -> Iterator[subprocess.Popen[bytes]]:
    """`pw-play` (pipewire-bin) looping nothing but a 1 kHz tone for 60 s."""
    t = np.arange(60 * RATE) / RATE
    tone = (0.4 * np.sin(2 * np.pi * 1000 * t)).astype(np.float32)
    path = tmp_path / "tone-1k.wav"
    sf.write(path, np.stack([tone, tone], axis=1), RATE, subtype="FLOAT")
    proc = subprocess.Popen(
        ["pw-play", "--media-role", "Music", str(path)],
        env=sound_server.env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    yield proc
    stop_processes([proc])


def _pw_play_volume(sound_server) -> list[list[int]]:
    """What pactl says of pw-play's stream (which carries no pid of its own)."""
    return [s["volume_percent"] for s in sound_server.sink_inputs() if s["app_name"] == "pw-play"]


def test_pw_play_is_listed_controlled_and_captured_alone(sound_server, enumerator, player, pw_play):
    other = player(440, name="Pulse player")
    native = wait_for_session(enumerator, pw_play.pid, timeout=10)
    wait_for_session(enumerator, other.pid)
    assert native.process_name in ("pw-play", "pw-cat")  # pw-play is pw-cat by another name
    assert native.display_name  # pw-play names itself; never empty
    assert pw_play.pid in native.process_ids

    with pypac.ProcessCapture(pw_play.pid) as cap:
        # pipewire-pulse can hand a new per-stream monitor a few blocks of the
        # whole sink's mix while it links it (seen once in many runs): judge
        # what comes after.
        audio = capture_sound_for(cap, 1.5)[RATE // 2 :]
    assert dominant_frequency(audio, RATE) == pytest.approx(1000, abs=3)
    assert isolation_db(audio, RATE, 1000, 440) >= 60

    with pypac.SimpleLoopback(exclude_pid=other.pid) as rest:
        audio = capture_sound_for(rest, 2.0)[RATE:]  # past the streams' first blocks
    assert band_level_db(audio, RATE, 1000) > -20  # the native app is in "everything but"
    assert isolation_db(audio, RATE, 1000, 440) >= 60

    enumerator.set_session_volume(pw_play.pid, 0.5)
    wait_until(lambda: _pw_play_volume(sound_server) == [[50, 50]])
    enumerator.set_session_mute(pw_play.pid, True)
    wait_until(lambda: enumerator.get_session(pw_play.pid).muted)
    with pypac.ProcessCapture(pw_play.pid) as cap:
        muted = capture_for(cap, 0.5)
    assert float(np.abs(muted).max()) == 0.0


GST_ATTEMPTS = 3


def _start_gst(sound_server, sink: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            "gst-launch-1.0",
            "-q",
            "audiotestsrc",
            "freq=1200",
            "volume=0.4",
            "!",
            "audioconvert",
            "!",
            "audioresample",
            "!",
            sink,
        ],
        env=sound_server.env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _heard_in_the_system(freq: float) -> bool:
    with pypac.SimpleLoopback() as system:
        return band_level_db(capture_for(system, 0.5), RATE, freq) > -40


@pytest.mark.parametrize("sink", ["pipewiresink", "pulsesink"])
def test_gstreamer_players_are_apps(sound_server, enumerator, player, sink):
    """GStreamer through PipeWire natively and through the pulse protocol."""
    other = player(440, name="Pulse player")
    # On a loaded machine gst-launch's pipewiresink now and then starts a stream that
    # plays only silence, to the sink itself too (measured on the System mix): a
    # player that is not heard anywhere is started again, as its user would.
    for _attempt in range(GST_ATTEMPTS):
        gst = _start_gst(sound_server, sink)
        try:
            session = wait_for_session(enumerator, gst.pid, timeout=10)
            heard = _heard_in_the_system(1200)
        except BaseException:
            stop_processes([gst])
            raise
        if heard:
            break
        stop_processes([gst])
    else:
        raise AssertionError(f"gst-launch with {sink} played silence {GST_ATTEMPTS} times")
    try:
        assert session.process_name.startswith("gst-launch")
        wait_for_session(enumerator, other.pid)
        with pypac.ProcessCapture(gst.pid) as cap:
            audio = capture_sound_for(cap, 1.5)[RATE // 2 :]
        assert dominant_frequency(audio, RATE) == pytest.approx(1200, abs=3)
        assert isolation_db(audio, RATE, 1200, 440) >= 60
        enumerator.set_session_mute(gst.pid, True)
        wait_until(lambda: enumerator.get_session(gst.pid).muted)
    finally:
        stop_processes([gst])

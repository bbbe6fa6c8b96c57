"""Capturing one device: what an output plays, and what a microphone records."""

from __future__ import annotations

import os
import subprocess

import pytest

import pypac
from pypac import DeviceKind
from pypac.demo.processes import stop_processes
from tests.conftest import MIC, MIC_FEED, SECOND_SINK
from tests.support.spectrum import dominant_frequency, isolation_db
from tests.support.waiting import capture_for, wait_for_session, wait_until

RATE = 48000


def test_an_output_device_alone(sound_server, enumerator, player, second_sink):
    there = player(440, name="On the second sink")
    here = player(660, name="On the default sink")
    wait_for_session(enumerator, there.pid)
    wait_for_session(enumerator, here.pid)
    wait_until(lambda: any(d.id == SECOND_SINK for d in enumerator.enumerate_devices()))
    enumerator.move_session(there.pid, SECOND_SINK)
    with pypac.DeviceCapture(SECOND_SINK) as cap:
        # The sink may start idle: judge the last second, past the first audio's onset.
        audio = capture_for(cap, 2.5)[-RATE:]
    assert dominant_frequency(audio, RATE) == pytest.approx(440, abs=3)
    assert isolation_db(audio, RATE, 440, 660) >= 60


def test_a_microphone(sound_server, enumerator, player, fake_mic):
    mic = wait_until(
        lambda: next(
            (d for d in enumerator.enumerate_devices(DeviceKind.INPUT) if d.id == MIC), None
        )
    )
    assert mic.description == "Fake-Mic" and mic.kind == DeviceKind.INPUT
    assert not any(
        d.id.endswith(".monitor") for d in enumerator.enumerate_devices(DeviceKind.INPUT)
    )
    voice = player(880, name="Into the mic")
    wait_for_session(enumerator, voice.pid)
    enumerator.move_session(voice.pid, MIC_FEED)
    with pypac.DeviceCapture("Fake-Mic") as cap:  # by description
        audio = capture_for(cap, 2.5)[-RATE:]
    assert dominant_frequency(audio, RATE) == pytest.approx(880, abs=3)
    enumerator.set_device_mute(mic, True)
    wait_until(lambda: enumerator.find_device(MIC).muted)


def test_an_unknown_device_is_named(sound_server, enumerator):
    with pytest.raises(pypac.DeviceNotFoundError, match="no device named 'nowhere'"):
        pypac.DeviceCapture("nowhere").start()


def test_an_app_that_records_is_listed_with_its_device(
    sound_server, enumerator, fake_mic, tmp_path
):
    wait_until(lambda: any(d.id == MIC for d in enumerator.enumerate_devices(DeviceKind.INPUT)))
    recorder = subprocess.Popen(
        ["parecord", f"--device={MIC}", "--client-name=Voice chat", str(tmp_path / "x.wav")],
        env=sound_server.env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        # (pipewire-pulse lists a new recording stream before it is linked to its source.)
        app = wait_until(
            lambda: next(
                (
                    s
                    for s in enumerator.enumerate_recording_sessions()
                    if s.process_id == recorder.pid and s.device_id
                ),
                None,
            ),
            timeout=10,
        )
        assert app.device_id == MIC and app.stream_count == 1
        # Not a playing app, and our own captures are not "apps that record".
        assert all(s.process_id != recorder.pid for s in enumerator.enumerate_sessions())
        with pypac.DeviceCapture(MIC) as cap:
            cap.read(timeout=2.0)
            pids = {s.process_id for s in enumerator.enumerate_recording_sessions()}
        assert os.getpid() not in pids
    finally:
        stop_processes([recorder])
    wait_until(
        lambda: all(s.process_id != recorder.pid for s in enumerator.enumerate_recording_sessions())
    )

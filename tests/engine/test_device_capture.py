"""Capturing one device: what an output plays, and what a microphone records."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import pypac
from pypac import DeviceKind
from tests.conftest import SECOND_SINK
from tests.support.spectrum import dominant_frequency, isolation_db
from tests.support.waiting import capture_for, wait_for_session, wait_until

RATE = 48000
MIC = "pypac_fake_mic"
MIC_FEED = "pypac_mic_feed"


@pytest.fixture
def fake_mic(sound_server) -> Iterator[str]:
    """An input device fed by whatever plays on the sink MIC_FEED (a null sink
    whose monitor a remap source presents as a microphone)."""
    feed = sound_server.pactl("load-module", "module-null-sink", f"sink_name={MIC_FEED}").strip()
    mic = sound_server.pactl(
        "load-module",
        "module-remap-source",
        f"master={MIC_FEED}.monitor",
        f"source_name={MIC}",
        "source_properties=device.description=Fake-Mic",
    ).strip()
    yield MIC
    sound_server.pactl("unload-module", mic)
    sound_server.pactl("unload-module", feed)


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

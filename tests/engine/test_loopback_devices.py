"""SimpleLoopback and output devices: it follows the default output while it
runs, and with all_devices=True it hears every output at once."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from typing import Callable

import numpy as np
import pytest
import soundfile as sf

import pypac
from pypac.demo.processes import stop_processes
from tests.conftest import SECOND_SINK as SECOND
from tests.engine.continuity import Timeline, longest_silence_ms
from tests.support.spectrum import band_level_db, dominant_frequency, isolation_db
from tests.support.waiting import capture_for, wait_for_session, wait_until

RATE = 48000
LATE = "pypac_late_sink"


def _level(audio, freq: float) -> float:
    return band_level_db(audio, RATE, freq)


@pytest.fixture
def tone(sound_server, tmp_path) -> Iterator[Callable[[float], int]]:
    """tone(freq): a process playing a steady tone (`paplay`, 200 ms of
    buffer: a loaded machine leaves no holes of its own in it)."""
    procs: list[subprocess.Popen[bytes]] = []

    def start(freq: float) -> int:
        path = tmp_path / f"{freq:g}.wav"
        t = np.arange(20 * RATE) / RATE
        sf.write(path, np.stack([0.4 * np.sin(2 * np.pi * freq * t)] * 2, axis=1), RATE)
        argv = ["paplay", "--latency-msec=200", "--client-name", f"{freq:g} Hz", str(path)]
        procs.append(subprocess.Popen(argv, env=sound_server.env))
        return procs[-1].pid

    yield start
    stop_processes(procs)


def _tone_on_each_sink(sound_server, enumerator, tone) -> None:
    """440 Hz plays on the default sink, 660 Hz on the second one, both pinned.

    The servers move a stream that plays on the default output to a new
    default, and a move to the default output unpins a stream: so each is
    moved to its sink while that sink is not the default."""
    wait_until(lambda: any(d.id == SECOND for d in enumerator.enumerate_devices()))
    first = sound_server.pactl("get-default-sink").strip()
    here, there = tone(440), tone(660)
    wait_for_session(enumerator, here)
    wait_for_session(enumerator, there)
    enumerator.move_session(there, SECOND)
    enumerator.set_default_device(SECOND)
    enumerator.move_session(here, first)
    enumerator.set_default_device(first)
    wait_until(lambda: sound_server.pactl("get-default-sink").strip() == first)
    wait_until(lambda: _sink_of(sound_server, here) == first)
    wait_until(lambda: _sink_of(sound_server, there) == SECOND)


def _sink_of(sound_server, pid: int) -> str:
    names = {
        line.split()[0]: line.split()[1]
        for line in sound_server.pactl("list", "short", "sinks").splitlines()
    }
    return next(names[str(s["sink"])] for s in sound_server.sink_inputs() if s["pid"] == pid)


def _holds(freq: float, other: float):
    return lambda audio: (
        len(audio) >= RATE // 4
        and abs(dominant_frequency(audio, RATE) - freq) < 3
        and isolation_db(audio, RATE, freq, other) >= 30
    )


def test_loopback_follows_the_default_output(sound_server, enumerator, tone, second_sink):
    first = sound_server.pactl("get-default-sink").strip()
    _tone_on_each_sink(sound_server, enumerator, tone)
    with pypac.SimpleLoopback() as cap:
        rec = Timeline(RATE)
        rec.read_until(cap, _holds(440, 660), timeout=5.0)
        rec.read(cap, 1.0)
        before = rec.audio()[-RATE:]
        switched = len(rec.audio())

        enumerator.set_default_device(SECOND)  # through us
        rec.read_until(cap, _holds(660, 440), timeout=5.0)
        rec.read(cap, 1.0)
        after = rec.audio()[-RATE:]
        gap_ours = longest_silence_ms(rec.audio()[switched - RATE // 2 :], RATE)
        back = len(rec.audio())

        sound_server.pactl("set-default-sink", first)  # by another program
        rec.read_until(cap, _holds(440, 660), timeout=5.0)
        rec.read(cap, 1.0)
        again = rec.audio()[-RATE:]
        gap_theirs = longest_silence_ms(rec.audio()[back - RATE // 2 :], RATE)
        assert cap.active, f"the capture ended: {cap.end_reason}"
    print(
        f"\n{sound_server.kind}: longest silence across a default switch: "
        f"{gap_ours:.1f} ms (set_default_device), {gap_theirs:.1f} ms (pactl)"
    )
    assert dominant_frequency(before, RATE) == pytest.approx(440, abs=3)
    assert isolation_db(before, RATE, 440, 660) >= 40
    assert dominant_frequency(after, RATE) == pytest.approx(660, abs=3)
    assert isolation_db(after, RATE, 660, 440) >= 40
    assert dominant_frequency(again, RATE) == pytest.approx(440, abs=3)
    # The new default's monitor takes over once it delivers: no hole.
    assert gap_ours < 20 and gap_theirs < 20


def test_loopback_of_all_devices(sound_server, enumerator, tone, second_sink):
    _tone_on_each_sink(sound_server, enumerator, tone)
    with pypac.SimpleLoopback(all_devices=True) as cap:
        assert "all_devices=True" in repr(cap)
        audio = capture_for(cap, 2.5)[-RATE:]
    assert _level(audio, 440) > -20 and _level(audio, 660) > -20


def test_all_devices_hears_a_device_added_later(sound_server, enumerator, player):
    here = player(440, name="On the first sink")
    wait_for_session(enumerator, here.pid)
    with pypac.SimpleLoopback(all_devices=True) as cap:
        rec = Timeline(RATE)
        rec.read(cap, 0.5)
        module = sound_server.pactl("load-module", "module-null-sink", f"sink_name={LATE}")
        try:
            wait_until(lambda: any(d.id == LATE for d in enumerator.enumerate_devices()))
            there = player(660, name="On the late sink")
            wait_for_session(enumerator, there.pid)
            enumerator.move_session(there.pid, LATE)
            both = lambda a: len(a) >= RATE // 4 and _level(a, 440) > -20 and _level(a, 660) > -20  # noqa: E731
            rec.read_until(cap, both, timeout=5.0)
            there.kill()
            there.wait()
        finally:
            sound_server.pactl("unload-module", module.strip())
        # The late device going away leaves the others recorded.
        wait_until(lambda: all(d.id != LATE for d in enumerator.enumerate_devices()))
        rec.read(cap, 0.5)
        assert cap.active, f"the capture ended: {cap.end_reason}"
        assert _level(rec.audio()[-RATE // 4 :], 440) > -20

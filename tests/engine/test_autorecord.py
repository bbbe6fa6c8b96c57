"""Auto-record rules against the real servers: an app a rule names starts
playing -> a file from its very first sound; it ends on exit, silence, or the
maximum length; other apps are left alone."""

from __future__ import annotations

import json
import queue
import statistics
import time
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from pypac.autorecord import (
    AutoRecorder,
    RecordingStarted,
    RecordingStopped,
    RecordRule,
    StopReason,
    rules_from_json,
    rules_to_json,
)
from pypac.autorecord.watcher import _RenderAheadLimit
from pypac.engine import NewAppCatch, ProcessCapture
from pypac.errors import InvalidArgumentError
from pypac.recording import RING_SECONDS
from tests.support.click_start import click_found, frames_lost, tone_is_whole
from tests.support.spectrum import dominant_frequency
from tests.support.waiting import wait_for_session, wait_until

RATE = 48000
CLICK_AMPLITUDE = 0.3
#: What PulseAudio may lose of a new stream's beginning: the median of STARTS
#: under 20 ms (the issue's goal), no start over PULSE_WORST_LOSS_MS. The
#: engine catches the new app on its own thread (NewAppCatch) with a monitor
#: opened on the stream's first event, so no Python hop and one server round
#: trip fewer stand between the stream's start and its monitor. Measured on a
#: loaded 2-core machine (two `yes` beside the other work), 27 starts: median
#: -0.4 ms, at most 10 ms lost (negative: silence before the stream's lead,
#: see EARLY_SILENCE_MS); without catching 10 ms median, up to 70 ms.
PULSE_MAX_LOSS_MS = 20.0
PULSE_WORST_LOSS_MS = 45.0
#: A monitor attached on a stream's first event hears it before its first
#: data: the server sends silence while the app fills its buffer (more when
#: the machine is loaded: measured up to 23 ms), and PulseAudio renders the
#: stream's first block by rewinding into what the sink rendered ahead (~10 ms
#: with the output capture), which reaches monitors as silence in its place
#: (the click is in it). Up to this much silence before the stream's lead
#: stands for those, not for audio the capture added.
EARLY_SILENCE_MS = 40.0
#: PipeWire, typically: measured 0-64 ms (its graph runs in 21 ms cycles;
#: median 16 ms idle, 24 ms loaded), now and then 100-130 ms on a loaded
#: machine, with or without catching; the median holds.
PIPEWIRE_MAX_LOSS_MS = 60.0
STARTS = 3
#: A take rule's start (measured 10-27 ms on both servers; PipeWire now and then ~100).
TAKE_MAX_LOSS_MS = 150.0


class Events:
    """What an AutoRecorder reported, as queues a test waits on."""

    def __init__(self) -> None:
        self.started: queue.Queue[RecordingStarted] = queue.Queue()
        self.stopped: queue.Queue[RecordingStopped] = queue.Queue()
        self.errors: list[str] = []

    def watcher(self, *rules: RecordRule) -> AutoRecorder:
        return AutoRecorder(
            rules,
            on_started=self.started.put,
            on_stopped=self.stopped.put,
            on_error=self.errors.append,
        )

    def next_stop(self, timeout: float = 15.0) -> RecordingStopped:
        return self.stopped.get(timeout=timeout)


def _audio(path: Path):
    audio, rate = sf.read(path, dtype="float32", always_2d=True)
    assert rate == RATE
    return audio


def test_click_first_player_keeps_its_first_sound(sound_server, player, tmp_path, record_property):
    """Three click-first players, one after another, each started while armed."""
    events = Events()
    losses = []
    with events.watcher(RecordRule("Click first", tmp_path)):
        for _ in range(STARTS):
            p = player(
                1000, name="Click first", style="click", duration=1.5, amplitude=CLICK_AMPLITUDE
            )
            stop = events.next_stop()
            assert p.wait(timeout=10) == 0
            assert stop.reason is StopReason.APP_EXITED and stop.process_id == p.pid
            assert events.started.get_nowait().path == stop.path
            audio = _audio(stop.path)
            # The file is whole: everything the app played is in it, without
            # a gap, and then the silence until it exited.
            assert stop.frames == len(audio)
            assert tone_is_whole(audio, CLICK_AMPLITUDE) > 0.1
            lost_ms = 1000.0 * frames_lost(audio, CLICK_AMPLITUDE) / RATE
            assert lost_ms > -EARLY_SILENCE_MS or click_found(audio, CLICK_AMPLITUDE)
            losses.append(lost_ms)
    record_property("start_lost_ms", losses)
    print(f"{sound_server.kind}: lost {', '.join(f'{x:.1f}' for x in losses)} ms of the starts")
    typical, worst = statistics.median(losses), max(losses)
    if sound_server.kind == "pulseaudio":
        assert typical < PULSE_MAX_LOSS_MS and worst <= PULSE_WORST_LOSS_MS, losses
    else:
        assert typical < PIPEWIRE_MAX_LOSS_MS, losses
    assert not events.errors


def test_a_take_rule_records_the_app_and_the_mic(sound_server, player, fake_mic, tmp_path):
    """A rule with a microphone: a take folder, the app's track from its first
    sound, the mic's track beside it, both of the same length."""
    events = Events()
    with events.watcher(RecordRule("Take rule", tmp_path, mic="Fake-Mic")):
        p = player(1000, name="Take rule", style="click", duration=1.5, amplitude=CLICK_AMPLITUDE)
        stop = events.next_stop()
    assert p.wait(timeout=10) == 0
    assert stop.reason is StopReason.APP_EXITED and stop.process_id == p.pid
    assert events.started.get_nowait().path == stop.path
    assert stop.path.is_dir() and stop.path.name.startswith("Take_rule-")
    manifest = json.loads((stop.path / "manifest.json").read_text())
    files = [stop.path / t["file"] for t in manifest["tracks"]]
    assert [t["source"]["kind"] for t in manifest["tracks"]] == ["app", "device"]
    app, mic = (_audio(f) for f in files)
    assert len(app) == len(mic) == stop.frames == manifest["frames"] > RATE
    assert dominant_frequency(app, RATE) == pytest.approx(1000, abs=3)
    assert np.max(np.abs(mic)) < 0.01  # nothing played into the microphone
    lost_ms = 1000.0 * frames_lost(app, CLICK_AMPLITUDE) / RATE
    print(f"{sound_server.kind}: the take lost {lost_ms:.1f} ms of the start")
    # A start cut at the microphone's start (a take without lead=0: PulseAudio
    # then loses the click and more) fails; the servers' own losses pass.
    assert lost_ms < TAKE_MAX_LOSS_MS
    assert not events.errors


def test_a_take_rule_without_its_mic_says_so(sound_server, player, tmp_path):
    events = Events()
    with events.watcher(RecordRule("No mic", tmp_path, mic="no such mic")):
        player(440, name="No mic", duration=1.0)
        wait_until(lambda: events.errors)
    assert "cannot record No mic" in events.errors[0] and "no such mic" in events.errors[0]
    assert not list(tmp_path.iterdir())


def test_silence_stops_and_the_next_sound_starts_a_new_file(sound_server, player, tmp_path):
    events = Events()
    rule = RecordRule("Pausing", tmp_path, silence_seconds=1.0)
    with events.watcher(rule):
        # Plays 1.5 s, closes its stream for 4 s (alive and silent), plays again.
        p = player(440, name="Pausing", duration=7.5, gap=(1.5, 4.0))
        first = events.next_stop()
        second = events.next_stop(timeout=20)
    assert first.reason is StopReason.SILENCE
    assert second.reason is StopReason.APP_EXITED and second.path != first.path
    audio = _audio(first.path)
    assert len(audio) == first.frames
    # The sound, then the rule's second of silence, and what the recorder
    # waits for after a stop (what the server reported still in flight).
    sound_end = int(np.nonzero(np.abs(audio[:, 0]) > 0.1)[0][-1])
    assert 0.85 <= (len(audio) - sound_end) / RATE <= 2.5
    for stop in (first, second):
        assert dominant_frequency(_audio(stop.path), RATE) == pytest.approx(440, abs=3)
    assert p.wait(timeout=10) == 0


def test_two_matching_apps_make_two_files_and_others_none(sound_server, player, tmp_path):
    events = Events()
    with events.watcher(RecordRule("twin", tmp_path)):  # names match case-insensitively
        a = player(440, name="Twin", duration=2.5)
        b = player(1000, name="Twin", duration=2.5)
        other = player(700, name="Not a twin", duration=2.5)
        stops = {s.process_id: s for s in (events.next_stop(), events.next_stop())}
        assert other.wait(timeout=10) == 0
    assert set(stops) == {a.pid, b.pid}
    assert stops[a.pid].path != stops[b.pid].path
    assert sorted(tmp_path.iterdir()) == sorted(s.path for s in stops.values())
    for pid, freq in ((a.pid, 440), (b.pid, 1000)):
        assert stops[pid].path.name.startswith("Twin-")
        assert dominant_frequency(_audio(stops[pid].path), RATE) == pytest.approx(freq, abs=3)
    assert events.stopped.empty()


def test_max_length_ends_the_file_and_stop_finishes_open_ones(
    sound_server, player, enumerator, tmp_path
):
    events = Events()
    watcher = events.watcher(
        RecordRule("Long", tmp_path, max_seconds=1.0), RecordRule("Longer", tmp_path, format="wav")
    )
    with watcher:
        long = player(440, name="Long")
        longer = player(1000, name="Longer")
        cut = events.next_stop()
        assert cut.reason is StopReason.MAX_LENGTH and cut.process_id == long.pid
        assert cut.frames == RATE
        wait_for_session(enumerator, longer.pid)
        wait_until(lambda: watcher.recording.get(longer.pid))
    ended = events.next_stop(timeout=1)  # stop() finished it before returning
    assert ended.reason is StopReason.STOPPED and ended.path.suffix == ".wav"
    assert len(_audio(ended.path)) == ended.frames > 0
    assert not watcher.recording


def test_rides_out_the_loss_of_the_server(sound_server, player, tmp_path):
    events = Events()
    with events.watcher(RecordRule("Survivor", tmp_path)):
        player(440, name="Survivor")
        events.started.get(timeout=10)
        sound_server.kill()
        lost = events.next_stop()
        assert lost.reason is StopReason.SERVER_LOST and lost.frames > 0
        sound_server.restart()
        again = player(1000, name="Survivor", duration=2.5)
        back = events.next_stop(timeout=30)
    assert back.process_id == again.pid and back.reason is StopReason.APP_EXITED
    assert dominant_frequency(_audio(back.path), RATE) == pytest.approx(1000, abs=3)
    assert len(_audio(lost.path)) == lost.frames  # cut short, but a whole file


def test_a_callback_that_raises_stops_the_watcher_with_files_finished(
    sound_server, player, tmp_path
):
    def boom(event: RecordingStarted) -> None:
        raise RuntimeError("the mixer's slot failed")

    errors: list[str] = []
    watcher = AutoRecorder([RecordRule("Boom", tmp_path)], on_started=boom, on_error=errors.append)
    watcher.start()
    player(440, name="Boom")
    assert watcher.wait(timeout=15)
    assert isinstance(watcher.failure, RuntimeError)
    assert errors == ["auto-record stopped watching: RuntimeError: the mixer's slot failed"]
    (path,) = tmp_path.iterdir()
    assert len(_audio(path)) > 0


# ---- rules as settings (no server) ---------------------------------------------


def test_rules_round_trip_through_json(tmp_path):
    rules = [
        RecordRule("firefox", tmp_path / "web", silence_seconds=5, max_seconds=3600),
        RecordRule("Spotify", "music", format="ogg", enabled=False),
    ]
    assert rules_from_json(rules_to_json(rules)) == rules
    assert RecordRule("x", "~/Recordings").output_dir == Path.home() / "Recordings"
    assert rules[1].to_dict() == {
        "name": "Spotify",
        "output_dir": "music",
        "format": "ogg",
        "silence_seconds": None,
        "max_seconds": None,
        "enabled": False,
        "mic": None,
    }
    take = RecordRule("obs", tmp_path, mic="")  # the default input
    assert take.records_take and rules_from_json(rules_to_json([take])) == [take]
    # A list saved before rules could record takes still loads.
    old = '[{"name": "x", "output_dir": "d", "format": "wav", "enabled": true}]'
    assert rules_from_json(old) == [RecordRule("x", "d", format="wav")]


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        ("{}", "must be a JSON list"),
        ("[1]", "must be an object"),
        ('[{"name": "x"}]', "lacks output_dir"),
        ('[{"name": "", "output_dir": "d"}]', "name of the app"),
        ('[{"name": "x", "output_dir": "d", "format": "mp3"}]', "format must be one of"),
        ('[{"name": "x", "output_dir": "d", "silence_seconds": -1}]', "positive"),
        ('[{"name": "x", "output_dir": "d", "max_seconds": "10"}]', "number of seconds"),
        ('[{"name": "x", "output_dir": "d", "colour": 1}]', "unknown rule setting"),
        ('[{"name": "x", "output_dir": "d", "mic": 1}]', "mic must be a device name"),
        ("[{", "not valid JSON"),
    ],
)
def test_bad_rule_lists_say_what_is_wrong(text, complaint):
    with pytest.raises(InvalidArgumentError, match=complaint):
        rules_from_json(text)


# ---- the engine catches new apps (NewAppCatch) ------------------------------------


def _caught_monitors(sound_server) -> list[str]:
    """PyPAC's record streams (the test opens no other capture)."""
    return [
        s["media_name"]
        for s in sound_server.source_outputs()
        if s["media_name"].startswith("PyPAC capture")
    ]


def test_a_capture_started_late_gets_the_caught_start(sound_server, player, enumerator):
    """While catching, the engine captures a new app by itself: a
    ProcessCapture started 0.7 s after the app's first sound (a very late
    hop from the event) still begins with it."""
    render_ahead = _RenderAheadLimit()
    render_ahead.hold()
    try:
        with NewAppCatch(RATE, 2, RING_SECONDS, hold_seconds=3.0):
            p = player(
                1000, name="Caught late", style="click", duration=1.5, amplitude=CLICK_AMPLITUDE
            )
            wait_for_session(enumerator, p.pid)
            time.sleep(0.7)  # the late hop itself, not a wait for a condition
            blocks = []
            with ProcessCapture(p.pid, RATE, 2, RING_SECONDS) as capture:
                while (block := capture.read(timeout=2.0)).size or capture.active:
                    blocks.append(block)
    finally:
        render_ahead.release()
    assert p.wait(timeout=10) == 0
    audio = np.concatenate(blocks)
    assert tone_is_whole(audio, CLICK_AMPLITUDE) > 1.0
    lost_ms = 1000.0 * frames_lost(audio, CLICK_AMPLITUDE) / RATE
    print(f"{sound_server.kind}: a capture started 0.7 s late lost {lost_ms:.1f} ms of the start")
    assert lost_ms > -EARLY_SILENCE_MS or click_found(audio, CLICK_AMPLITUDE)
    bound = PULSE_MAX_LOSS_MS if sound_server.kind == "pulseaudio" else PIPEWIRE_MAX_LOSS_MS
    assert lost_ms < bound


def test_a_caught_capture_nobody_takes_expires(sound_server, player, enumerator):
    """A caught app's capture that nobody takes is let go after its hold time
    (its monitor stream leaves the server) while the app plays on; stopping
    the catch lets go of the ones held at once."""
    with NewAppCatch(RATE, 2, RING_SECONDS, hold_seconds=0.5) as catch:
        p = player(440, name="Caught, not taken", duration=30)
        wait_for_session(enumerator, p.pid)
        wait_until(lambda: _caught_monitors(sound_server))
        # A loaded machine's margin beyond the hold time; drop_stale() as a watcher's loop calls it.
        wait_until(lambda: (catch.drop_stale(), not _caught_monitors(sound_server))[1], timeout=5)
        assert p.poll() is None  # let go for its time, not ended by its app
        held = player(880, name="Caught and held", duration=30)
        catch.hold_seconds = 60.0
        catch.start()  # new settings for new catches
        wait_for_session(enumerator, held.pid)
        wait_until(lambda: _caught_monitors(sound_server))
    wait_until(lambda: not _caught_monitors(sound_server))

"""Sessions against a real server: enumeration, events, volume and mute."""

from __future__ import annotations

import dataclasses
import json
from typing import Callable

import pytest

import pypac
from pypac import EventKind, SessionState
from tests.support.waiting import wait_for_session, wait_for_streams_playing, wait_until


def _pactl_sink_inputs(server, pid: int) -> list[dict]:
    return [s for s in server.sink_inputs() if int(s["pid"]) == pid]


def test_backend_name(sound_server):
    assert pypac.backend_name() == "pulseaudio"


def test_enumerate_finds_each_player(enumerator, player):
    a = player(440, name="Tone A")
    b = player(1000, name="Tone B")
    sa = wait_for_session(enumerator, a.pid)
    sb = wait_for_session(enumerator, b.pid)
    assert sa.display_name == "Tone A" and sb.display_name == "Tone B"
    assert sa.process_name.startswith("python")
    assert sa.state == SessionState.ACTIVE
    assert sa.stream_count == 1
    assert sa.process_ids == (a.pid,)
    assert 0.99 <= sa.volume <= 1.0 and not sa.muted


def test_process_with_two_streams_is_one_session(enumerator, player, sound_server):
    p = player(440, 1000, name="Two Streams")
    wait_until(lambda: len(_pactl_sink_inputs(sound_server, p.pid)) == 2)
    s = wait_until(
        lambda: next(
            (
                s
                for s in enumerator.enumerate_sessions()
                if s.process_id == p.pid and s.stream_count == 2
            ),
            None,
        )
    )
    assert [x.process_id for x in enumerator.enumerate_sessions()].count(p.pid) == 1
    assert s.display_name == "Two Streams"


def test_volume_is_what_pactl_shows(enumerator, player, sound_server):
    p = player(440, 1000)
    wait_for_streams_playing(sound_server, p.pid, 2)
    wait_for_session(enumerator, p.pid)
    assert enumerator.set_session_volume(p.pid, 0.25) is True
    # Applied to every stream of the process, and the table holds it on return.
    assert enumerator.get_session(p.pid).volume == pytest.approx(0.25, abs=1e-3)
    for si in _pactl_sink_inputs(sound_server, p.pid):
        assert si["volume_percent"] == [25, 25]


def test_mute_applies_to_all_streams(enumerator, player, sound_server):
    p = player(440, 1000)
    wait_until(lambda: len(_pactl_sink_inputs(sound_server, p.pid)) == 2)
    wait_for_session(enumerator, p.pid)
    enumerator.set_session_mute(p.pid, True)
    assert enumerator.get_session(p.pid).muted
    assert all(si["mute"] for si in _pactl_sink_inputs(sound_server, p.pid))
    enumerator.set_session_mute(p.pid, False)
    assert not any(si["mute"] for si in _pactl_sink_inputs(sound_server, p.pid))


def _next_event_for(
    en: pypac.SessionEnumerator,
    pid: int,
    kind: EventKind,
    timeout: float = 5.0,
    where: Callable[[pypac.SessionInfo], bool] = lambda s: True,
):
    def probe():
        e = en.wait_event(timeout=0.2)
        if e and e.kind == kind and e.session and e.session.process_id == pid:
            return e if where(e.session) else None
        return None

    return wait_until(probe, timeout, interval=0)


def test_events_added_changed_removed(enumerator, player, sound_server):
    p = player(440, name="Evented")
    added = _next_event_for(enumerator, p.pid, EventKind.ADDED)
    assert added.session.display_name == "Evented"
    index = _pactl_sink_inputs(sound_server, p.pid)[0]["index"]
    sound_server.pactl("set-sink-input-volume", str(index), "40%")
    # Other CHANGED events (the stream starting to play) may come first.
    changed = _next_event_for(
        enumerator, p.pid, EventKind.CHANGED, where=lambda s: abs(s.volume - 0.40) < 0.01
    )
    assert changed.session.volume == pytest.approx(0.40, abs=0.01)
    p.terminate()
    removed = _next_event_for(enumerator, p.pid, EventKind.REMOVED)
    assert removed.session.state == SessionState.EXPIRED


def test_session_json_roundtrip_fields(enumerator, player):
    p = player(440)
    s = wait_for_session(enumerator, p.pid)
    # Every field is a plain value a CLI can print as JSON (streams: dataclasses).
    json.dumps(dataclasses.asdict(s), default=int)


def test_streams_are_listed_with_their_titles(sound_server, enumerator, player):
    p = player(440, 660, name="Two titled streams")
    wait_for_session(enumerator, p.pid)
    wait_until(lambda: len(enumerator.get_session(p.pid).streams) == 2, timeout=10)
    session = enumerator.get_session(p.pid)
    assert sorted(s.title for s in session.streams) == ["440 Hz", "660 Hz"]
    default = sound_server.pactl("get-default-sink").strip()
    # (pipewire-pulse may list a new stream a moment before it links it to a sink.)
    wait_until(lambda: all(s.device_id == default for s in enumerator.get_session(p.pid).streams))
    wait_until(lambda: all(s.playing for s in enumerator.get_session(p.pid).streams))

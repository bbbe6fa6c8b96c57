"""Volume that keeps what it does not touch: balance and boost survive a slider step."""

from __future__ import annotations

import math

import pytest

import pypac
from tests.support.waiting import wait_for_session, wait_until


def _stream_of(sound_server, pid: int) -> dict:
    (stream,) = [s for s in sound_server.sink_inputs() if s["pid"] == pid]
    return stream


def test_volume_keeps_balance_and_boost(sound_server, enumerator, player):
    p = player(440, name="Unbalanced")
    wait_for_session(enumerator, p.pid)
    index = _stream_of(sound_server, p.pid)["index"]
    sound_server.pactl("set-sink-input-volume", str(index), "100%", "30%")
    wait_until(lambda: enumerator.get_session(p.pid).channel_volumes == (1.0, 0.3))

    enumerator.set_session_volume(p.pid, 0.5)
    assert _stream_of(sound_server, p.pid)["volume_percent"] == [50, 15]
    session = enumerator.get_session(p.pid)
    assert session.volume == 0.5 and session.channel_volumes == (0.5, 0.15)

    assert enumerator.max_volume == 1.5
    enumerator.set_session_volume(p.pid, 1.3)  # boost, as pavucontrol allows
    assert _stream_of(sound_server, p.pid)["volume_percent"] == [130, 39]

    enumerator.set_session_channel_volumes(p.pid, [0.2, 1.0])
    assert _stream_of(sound_server, p.pid)["volume_percent"] == [20, 100]


def test_several_streams_keep_their_relative_levels(sound_server, enumerator, player):
    p = player(440, 660, name="Two streams")
    wait_until(lambda: len([s for s in sound_server.sink_inputs() if s["pid"] == p.pid]) == 2)
    wait_for_session(enumerator, p.pid)
    first, second = [s["index"] for s in sound_server.sink_inputs() if s["pid"] == p.pid]
    sound_server.pactl("set-sink-input-volume", str(first), "80%")
    sound_server.pactl("set-sink-input-volume", str(second), "40%")
    wait_until(lambda: enumerator.get_session(p.pid).volume == 0.8)
    enumerator.set_session_volume(p.pid, 0.4)
    levels = sorted(s["volume_percent"][0] for s in sound_server.sink_inputs() if s["pid"] == p.pid)
    assert levels == [20, 40]


@pytest.mark.parametrize("bad", [1.6, -0.1, math.nan, math.inf])
def test_volume_out_of_range_is_refused(sound_server, enumerator, player, bad):
    p = player(440)
    wait_for_session(enumerator, p.pid)
    with pytest.raises(pypac.InvalidArgumentError, match=r"0\.0 to 1\.5"):
        enumerator.set_session_volume(p.pid, bad)
    with pytest.raises(pypac.InvalidArgumentError):
        enumerator.set_session_channel_volumes(p.pid, [0.5, bad])
    with pytest.raises(pypac.InvalidArgumentError, match="has 2 channels, got 3"):
        enumerator.set_session_channel_volumes(p.pid, [0.5, 0.5, 0.5])
    with pytest.raises(TypeError):
        enumerator.set_session_channel_volumes(p.pid, "0.5")  # type: ignore[arg-type]

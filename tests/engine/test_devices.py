"""Devices: listed with the right default, volume (balance kept) and mute,
choosing the default, moving an app between outputs, and events for each."""

from __future__ import annotations

import pytest

import pypac
from pypac import DeviceKind, EventKind
from tests.conftest import SECOND_SINK as SECOND
from tests.support.waiting import wait_for_session, wait_until


def _sinks_of(sound_server, pid: int) -> set[str]:
    """The names of the sinks the process's streams play on."""
    names = {
        line.split()[0]: line.split()[1]
        for line in sound_server.pactl("list", "short", "sinks").splitlines()
    }
    return {names[str(s["sink"])] for s in sound_server.sink_inputs() if s["pid"] == pid}


def test_outputs_listed_with_default_and_events(sound_server, enumerator, second_sink):
    second = wait_until(
        lambda: next((d for d in enumerator.enumerate_devices() if d.id == SECOND), None)
    )
    assert second.kind == DeviceKind.OUTPUT and second.description == "Second"
    assert not second.is_default
    default = enumerator.default_device(DeviceKind.OUTPUT)
    assert default is not None and default.id == sound_server.pactl("get-default-sink").strip()
    assert sum(d.is_default for d in enumerator.enumerate_devices(DeviceKind.OUTPUT)) == 1
    assert all(d.kind == DeviceKind.OUTPUT for d in enumerator.enumerate_devices(DeviceKind.OUTPUT))
    assert enumerator.find_device("second").id == SECOND  # by description, any case

    enumerator.set_default_device(SECOND)
    wait_until(lambda: sound_server.pactl("get-default-sink").strip() == SECOND)
    wait_until(lambda: enumerator.default_device().id == SECOND)
    changed = wait_until(
        lambda: (
            (e := enumerator.wait_event(0.2))
            and e.kind == EventKind.DEVICE_CHANGED
            and e.device.id == SECOND
            and e.device.is_default
            and e
        ),
        interval=0,
    )
    assert changed.device.description == "Second"


def test_device_volume_keeps_balance_and_mute(sound_server, enumerator, second_sink):
    wait_until(lambda: any(d.id == SECOND for d in enumerator.enumerate_devices()))
    sound_server.pactl("set-sink-volume", SECOND, "100%", "40%")
    wait_until(lambda: enumerator.find_device(SECOND).channel_volumes == (1.0, 0.4))
    enumerator.set_device_volume(SECOND, 0.5)
    assert "50%" in sound_server.pactl("get-sink-volume", SECOND)
    assert "20%" in sound_server.pactl("get-sink-volume", SECOND)
    wait_until(lambda: enumerator.find_device(SECOND).channel_volumes == (0.5, 0.2))
    enumerator.set_device_mute(SECOND, True)
    assert sound_server.pactl("get-sink-mute", SECOND).strip() == "Mute: yes"
    wait_until(lambda: enumerator.find_device(SECOND).muted)


def test_move_an_app_and_its_later_streams(sound_server, enumerator, player, second_sink):
    p = player(440, 660, name="Routed", second_stream_delay=2.0)
    session = wait_for_session(enumerator, p.pid)
    assert session.device_id == sound_server.pactl("get-default-sink").strip()
    enumerator.move_session(p.pid, SECOND)
    # pipewire-pulse acknowledges a move a moment before it lists the stream there.
    # (On a loaded machine the second stream may already be there: it goes along.)
    wait_until(lambda: _sinks_of(sound_server, p.pid) == {SECOND})
    wait_until(lambda: enumerator.get_session(p.pid).device_id == SECOND)
    # The app's second stream opens later: it follows the choice.
    wait_until(lambda: len([s for s in sound_server.sink_inputs() if s["pid"] == p.pid]) == 2)
    wait_until(lambda: _sinks_of(sound_server, p.pid) == {SECOND})


def test_unknown_and_ambiguous_devices_are_named(sound_server, enumerator, player):
    p = player(440)
    wait_for_session(enumerator, p.pid)
    with pytest.raises(pypac.DeviceNotFoundError, match="no device named 'nope'; there are"):
        enumerator.set_device_volume("nope", 0.5)
    with pytest.raises(pypac.DeviceNotFoundError, match="no device named"):
        enumerator.move_session(p.pid, "nope")
    with pytest.raises(pypac.InvalidArgumentError, match=r"0\.0 to 1\.5"):
        enumerator.set_device_volume(wait_until(enumerator.default_device), float("nan"))

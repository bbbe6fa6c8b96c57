"""The mixer model applies a report, then tells its views, in a fixed order."""

from __future__ import annotations

from pypac.engine import SessionInfo, SessionState
from pypac.mixer.mixer_model import MixerModel


def info(pid: int, state: SessionState = SessionState.ACTIVE) -> SessionInfo:
    return SessionInfo(pid, "bin", f"App {pid}", "", state, 1.0, False, 0.0, 1, (pid,))


def test_the_table_changes_before_the_views_hear_of_it(qapp):
    model = MixerModel()
    heard: list[tuple[str, object]] = []
    model.changed.connect(lambda c: heard.append(("changed", (c.added, c.updated, c.removed))))
    model.sessionUpdated.connect(lambda i: heard.append(("updated", i.process_id in model.table)))
    model.sessionRemoved.connect(lambda pid: heard.append(("removed", pid)))
    model._updated(info(7))
    model._removed(7)
    assert heard == [
        ("changed", ([7], [], [])),
        ("updated", True),  # the table already holds it
        ("changed", ([], [7], [])),
        ("removed", 7),
    ]
    assert model.live_sessions() == []  # exited: nothing to act on
    model.expire()  # (too early: it lingers)
    assert 7 in model.table
    model.drop(7)
    assert heard[-1] == ("changed", ([], [], [7]))


def test_server_state_and_limit(qapp):
    model = MixerModel()
    seen: list[object] = []
    model.serverConnected.connect(lambda: seen.append("up"))
    model.serverLost.connect(seen.append)
    model.maxVolumeChanged.connect(seen.append)
    model._connected("")
    model._connected("")  # said once
    model._max_volume(1.5)
    model._max_volume(1.5)
    model._updated(info(3))
    model._lost("gone")
    assert seen == ["up", 1.5, "gone"]
    assert not model.server_up and model.live_sessions() == []


def test_devices_and_recording_apps_go_through_the_model(qapp):
    from pypac.engine import DeviceInfo, DeviceKind

    model = MixerModel()
    seen: list[object] = []
    model.devicesChanged.connect(lambda: seen.append(model.devices.default().id))
    model.recordingChanged.connect(lambda: seen.append(dict(model.devices.recording)))
    out = DeviceInfo("speakers", "Speakers", DeviceKind.OUTPUT, 1.0, (1.0, 1.0), False, True, True)
    model._devices([out])
    model._recording({3: "mic"})
    assert seen == ["speakers", {3: "mic"}]

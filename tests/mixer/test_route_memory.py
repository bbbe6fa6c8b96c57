"""The Qt-free device logic: remembered routes, the device table, stream titles."""

from __future__ import annotations

from pypac.engine import DeviceInfo, DeviceKind, SessionInfo, SessionState, StreamInfo
from pypac.mixer.device_table import DeviceTable, recording_map
from pypac.mixer.route_memory import RouteMemory
from pypac.mixer.strip import stream_title


def info(pid: int, device: str = "speakers", name: str = "App", **kw: object) -> SessionInfo:
    kw.setdefault("process_ids", (pid,))
    return SessionInfo(
        pid,
        "bin",
        name,
        "",
        SessionState.ACTIVE,
        1.0,
        False,
        0.0,
        1,
        device_id=device,
        **kw,
    )


def device(dev_id: str, kind: DeviceKind = DeviceKind.OUTPUT, default: bool = False) -> DeviceInfo:
    return DeviceInfo(dev_id, dev_id.title(), kind, 1.0, (1.0, 1.0), False, default, False)


OUTPUTS = {"speakers", "headphones"}


def test_a_chosen_device_comes_back_with_the_app():
    saved: list[dict[str, str]] = []
    memory = RouteMemory(on_change=saved.append)
    assert memory.reset([info(1)], OUTPUTS) == []  # the first listing is taken as it is
    memory.chosen(info(1), "headphones")
    assert len(saved) == 1 and list(saved[0].values()) == ["headphones"]
    memory.removed(1)
    assert memory.observe(info(2, device=""), OUTPUTS) is None  # not linked yet: wait
    assert memory.observe(info(2), OUTPUTS) == "headphones"
    assert memory.observe(info(2), OUTPUTS) is None  # once: the user may move it again
    assert memory.observe(info(3, name="Other"), OUTPUTS) is None  # another app


def test_a_device_that_is_gone_is_not_asked_for():
    memory = RouteMemory({"x": "headphones"}, identity=lambda i: "x")
    memory.reset([], OUTPUTS)
    assert memory.observe(info(5), {"speakers"}) is None
    assert memory.observe(info(6, device="headphones"), OUTPUTS) is None  # already there


def test_after_the_server_came_back_every_app_is_placed_again():
    memory = RouteMemory({"x": "headphones"}, identity=lambda i: "x")
    memory.reset([info(1)], OUTPUTS)
    memory.server_lost()
    assert memory.reset([info(1)], OUTPUTS) == [(1, "headphones")]


def test_the_device_table_knows_defaults_and_who_uses_the_microphone():
    table = DeviceTable(
        [
            device("speakers", default=True),
            device("headphones"),
            device("mic", DeviceKind.INPUT, default=True),
        ]
    )
    assert table.default().id == "speakers"
    assert table.default(DeviceKind.INPUT).id == "mic"
    assert [d.id for d in table.outputs()] == ["speakers", "headphones"]
    recorder = info(7, device="mic", process_ids=(7, 8))
    table.recording = recording_map(
        [recorder, info(9, device="speakers.monitor"), info(4, device="")]
    )
    assert table.recording == {7: "mic", 8: "mic", 9: "speakers.monitor"}
    assert table.records_microphone(info(8))  # a child process records for the app
    assert not table.records_microphone(info(9))  # an output's monitor is no microphone
    assert not table.records_microphone(info(4))


def test_stream_titles():
    def streams(*titles: tuple[str, bool]) -> tuple[StreamInfo, ...]:
        return tuple(StreamInfo(i, t, p, "speakers") for i, (t, p) in enumerate(titles))

    assert stream_title(info(1)) == ""
    assert stream_title(info(1, streams=streams(("App", True)))) == ""  # only its name again
    assert stream_title(info(1, streams=streams(("Song", True)))) == "Song"
    two = streams(("Paused tab", False), ("Video", True))
    assert stream_title(info(1, streams=two)) == "Video +1"

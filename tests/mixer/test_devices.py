"""Devices in the window (issue 11), against both real servers: the master strip
is the default output (its name, volume, mute, and a menu to switch it), each
app strip routes its app and the choice comes back with the app, apps using
the microphone are marked, and nothing moves when a device choice appears."""

from __future__ import annotations

import subprocess
from typing import Any

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QWidget

from pypac.demo.processes import stop_processes
from pypac.mixer.device_table import MIC_KEY
from pypac.mixer.settings import APP_OUTPUTS
from tests.support.strips import sink_of, stream_of, wait_strip


def _y(widget: QWidget, window: QWidget) -> int:
    return widget.mapTo(window, QPoint(0, 0)).y()


def _choose(combo: Any, device_id: str) -> None:
    """What a user's pick in the box does (activated: the user's choice only)."""
    index = combo.findData(device_id)
    assert index >= 0, [combo.itemData(i) for i in range(combo.count())]
    combo.setCurrentIndex(index)
    combo.activated.emit(index)


def test_an_app_is_routed_from_its_strip_and_comes_back_there(
    qtbot, mixer, player, sound_server, second_sink
):
    p = player(440, name="Routed app")
    strip = wait_strip(qtbot, mixer, p.pid)
    qtbot.waitUntil(strip.route.isVisible, timeout=5000)  # two outputs: a choice
    second = sink_of(sound_server, second_sink)
    assert strip.route.findData(second_sink) >= 0
    assert strip.route.itemText(strip.route.findData(second_sink)) == "Second"
    _choose(strip.route, second_sink)
    qtbot.waitUntil(lambda: stream_of(sound_server, p.pid)["sink"] == second["index"], timeout=5000)
    qtbot.waitUntil(lambda: strip.route.device_id == second_sink, timeout=5000)
    assert second_sink in mixer.settings.value(APP_OUTPUTS).values()

    # The app restarts (on the default device, as a new stream): it goes back.
    p.terminate()
    p.wait(5)
    sound_server.pactl("set-default-sink", _other_sink(sound_server, second_sink))
    again = player(440, name="Routed app")
    strip = wait_strip(qtbot, mixer, again.pid)
    qtbot.waitUntil(
        lambda: (stream_of(sound_server, again.pid) or {}).get("sink") == second["index"],
        timeout=8000,
    )
    qtbot.waitUntil(lambda: strip.route.device_id == second_sink, timeout=5000)


def _other_sink(sound_server: Any, not_this: str) -> str:
    rows = sound_server.pactl("list", "short", "sinks").splitlines()
    return next(r.split()[1] for r in rows if not_this not in r)


def test_the_master_strip_is_the_default_output(qtbot, mixer, sound_server, second_sink):
    master = mixer.system_strip
    first = sink_of(sound_server)
    qtbot.waitUntil(lambda: master.name == first["description"], timeout=5000)
    assert master.slider.isVisible() and master.mute_button.isVisible()

    # Its menu switches the default output.
    qtbot.waitUntil(lambda: len(mixer.model.devices.outputs()) == 2, timeout=5000)
    master.fill_device_menu()
    action = next(a for a in master.device_menu.actions() if a.data() == second_sink)
    assert not action.isChecked()
    action.trigger()
    qtbot.waitUntil(
        lambda: sound_server.pactl("get-default-sink").strip() == second_sink, timeout=5000
    )
    qtbot.waitUntil(lambda: master.name == "Second", timeout=5000)
    master.fill_device_menu()
    assert next(a for a in master.device_menu.actions() if a.data() == second_sink).isChecked()

    # Its slider is the device's volume, and a step keeps the device's balance.
    sound_server.pactl("set-sink-volume", second_sink, "100%", "50%")
    qtbot.waitUntil(lambda: master.channel_volumes == (1.0, 0.5), timeout=5000)
    master.slider.setFocus()
    qtbot.keyClick(master.slider, Qt.Key.Key_Down)
    qtbot.waitUntil(
        lambda: sink_of(sound_server, second_sink)["volume_percent"] in ([95, 47], [95, 48]),
        timeout=5000,
    )
    assert sink_of(sound_server, first["name"])["volume_percent"][0] == 100  # not the other

    # Its mute mutes the device.
    qtbot.mouseClick(master.mute_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: sink_of(sound_server, second_sink)["mute"], timeout=5000)
    # (the window hears of it through the server's event, a moment later on a busy machine)
    qtbot.waitUntil(lambda: master.mute_button.text() == "Muted", timeout=5000)
    qtbot.mouseClick(master.mute_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not sink_of(sound_server, second_sink)["mute"], timeout=5000)


def test_an_app_using_the_microphone_is_marked(qtbot, mixer, player, sound_server, fake_mic):
    # One process that records from the microphone and plays.
    both = subprocess.Popen(
        [
            "gst-launch-1.0",
            "-q",
            "pulsesrc",
            f"device={fake_mic}",
            "!",
            "fakesink",
            "audiotestsrc",
            "wave=sine",
            "freq=500",
            "volume=0.3",
            "!",
            "pulsesink",
        ],
        env=sound_server.env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    plain = player(440, name="Only plays")
    try:
        strip = wait_strip(qtbot, mixer, both.pid, timeout=10000)
        other = wait_strip(qtbot, mixer, plain.pid)
        qtbot.waitUntil(strip.mic_mark.isVisible, timeout=8000)
        assert strip.mic_mark.text() == "Mic" and "microphone" in strip.mic_mark.toolTip()
        assert not other.mic_mark.isVisible()
        # The master strip's microphone row follows the default input device.
        sound_server.pactl("set-default-source", fake_mic)
        master = mixer.system_strip
        qtbot.waitUntil(lambda: master.title_label.fullText() == "Mic: Fake-Mic", timeout=5000)
        assert master.mic_slider.isVisible() and master.mic_button.isEnabled()
        # The mixer listens to the microphone for its meter only while an app uses it.
        qtbot.waitUntil(lambda: MIC_KEY in mixer._view_keys, timeout=5000)
    finally:
        stop_processes([both])
    qtbot.waitUntil(lambda: not strip.mic_mark.isVisible(), timeout=8000)
    qtbot.waitUntil(lambda: MIC_KEY not in mixer._view_keys, timeout=5000)


def test_a_device_choice_appearing_moves_no_control(qtbot, mixer, player, sound_server):
    a, b = player(440, name="First"), player(550, name="Second app")
    strips = [wait_strip(qtbot, mixer, p.pid) for p in (a, b)]
    qtbot.waitUntil(lambda: mixer.model.devices.outputs() != [], timeout=5000)
    qtbot.wait(100)
    every = [mixer.system_strip, *strips]
    assert all(s.title_label.fullText() for s in strips)  # "440 Hz": the stream's title
    assert not any(s.route.isVisible() for s in strips)  # one output: no choice shown
    controls = [w for s in every for w in (s.slider, s.mute_button, s.record_button)]
    places = [_y(w, mixer) for w in controls]
    assert len({_y(s.record_button, mixer) for s in every}) == 1
    assert len({_y(s.slider, mixer) for s in every}) == 1  # the master's too
    module = sound_server.pactl(
        "load-module", "module-null-sink", "sink_name=pypac_appearing", "sink_properties=x=1"
    ).strip()
    try:
        qtbot.waitUntil(lambda: all(s.route.isVisible() for s in strips), timeout=5000)
        qtbot.wait(100)
        assert [_y(w, mixer) for w in controls] == places
        # A strip without a title, and one with the Mic mark: still nothing moves.
        strips[0].title_label.setFullText("")
        strips[1].mic_mark.show()
        qtbot.wait(100)
        assert [_y(w, mixer) for w in controls] == places
        assert strips[1].route.width() == strips[0].route.width()
    finally:
        sound_server.pactl("unload-module", module)
    qtbot.waitUntil(lambda: not any(s.route.isVisible() for s in strips), timeout=5000)
    assert [_y(w, mixer) for w in controls] == places

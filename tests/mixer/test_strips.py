"""Strips against a real server: they come and go with apps, and their controls work."""

from __future__ import annotations

import time

from PySide6.QtCore import Qt

from tests.support.strips import stream_of, wait_captures, wait_strip


def test_strip_appears_for_new_player_and_goes_when_it_exits(qtbot, mixer, player):
    assert mixer.empty_label.isVisible()
    t0 = time.monotonic()
    p = player(440, name="Strip test")
    strip = wait_strip(qtbot, mixer, p.pid)
    assert strip.name == "Strip test"
    assert strip.pid_label.text() == f"PID {p.pid}"
    assert time.monotonic() - t0 < 3.0  # includes the player's own start-up
    assert not mixer.empty_label.isVisible()

    p.terminate()
    qtbot.waitUntil(lambda: p.pid not in mixer.strips, timeout=5000)
    assert mixer.empty_label.isVisible()


def test_slider_changes_the_volume_the_server_reports(qtbot, mixer, player, sound_server):
    p = player(440)
    strip = wait_strip(qtbot, mixer, p.pid)
    strip.slider.setValue(40)
    qtbot.waitUntil(lambda: stream_of(sound_server, p.pid)["volume_percent"] == [40, 40])
    assert strip.percent.text() == "40%"

    strip.slider.setFocus()
    qtbot.keyClick(strip.slider, Qt.Key.Key_Down)  # one step: 5%
    qtbot.waitUntil(lambda: stream_of(sound_server, p.pid)["volume_percent"] == [35, 35])
    qtbot.wait(300)
    assert strip.slider.value() == 35  # no echo of the older 40% pulled it back


def test_mute_button_and_m_key_mute(qtbot, mixer, player, sound_server):
    p = player(440)
    strip = wait_strip(qtbot, mixer, p.pid)
    qtbot.mouseClick(strip.mute_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: stream_of(sound_server, p.pid)["mute"] is True)
    strip.slider.setFocus()
    qtbot.keyClick(strip.slider, Qt.Key.Key_M)
    qtbot.waitUntil(lambda: stream_of(sound_server, p.pid)["mute"] is False)
    assert not strip.mute_button.isChecked()


def test_external_change_moves_slider_and_mute(qtbot, mixer, player, sound_server):
    p = player(440)
    strip = wait_strip(qtbot, mixer, p.pid)
    index = str(stream_of(sound_server, p.pid)["index"])
    t0 = time.monotonic()
    sound_server.pactl("set-sink-input-volume", index, "30%")
    qtbot.waitUntil(lambda: strip.slider.value() == 30, timeout=1000)
    assert time.monotonic() - t0 < 1.0
    assert strip.percent.text() == "30%"
    sound_server.pactl("set-sink-input-mute", index, "1")
    qtbot.waitUntil(lambda: strip.mute_button.isChecked(), timeout=1000)
    # Applying the server's state must not send it back as a new request.
    qtbot.wait(300)
    assert stream_of(sound_server, p.pid)["volume_percent"] == [30, 30]


def test_waveform_gets_audio_of_a_playing_app_only(qtbot, mixer, player):
    loud = player(440, name="Loud")
    silent = player(1000, name="Silent", amplitude=0.0)
    loud_strip = wait_strip(qtbot, mixer, loud.pid)
    silent_strip = wait_strip(qtbot, mixer, silent.pid)
    qtbot.waitUntil(lambda: loud_strip.buffer.loudest() > 0.3, timeout=5000)
    qtbot.waitUntil(lambda: silent_strip.buffer.frames > 48000, timeout=5000)  # it is captured...
    assert silent_strip.buffer.loudest() == 0.0  # ...and is silence
    paints = mixer.probe.waveform_paints
    qtbot.wait(500)
    assert mixer.probe.waveform_paints - paints >= 10  # redrawn from the display timer
    assert loud_strip.meter.ballistics.level_db > -12
    assert mixer.system_strip.buffer.loudest() > 0.3  # the System strip hears everyone


def test_waveforms_come_by_signal_and_are_drawn_with_pyqtgraph(qtbot, mixer, player):
    import pyqtgraph as pg

    from pypac.mixer.levels import Envelope

    strip = wait_strip(qtbot, mixer, player(440, name="Drawn").pid)
    with qtbot.waitSignal(mixer.link.worker.viewData, timeout=3000) as got:
        pass
    data = got.args[0]
    assert all(isinstance(env, Envelope) for env in data.values())
    assert all(env.samples is None for env in data.values())  # raw audio only for a scope
    qtbot.waitUntil(lambda: strip.waveform._curve is not None, timeout=3000)
    curve = strip.waveform._curve
    assert isinstance(curve, pg.PlotCurveItem) and curve.opts["connect"] == "pairs"
    draws = strip.waveform.draws
    qtbot.waitUntil(lambda: strip.waveform.draws - draws >= 10, timeout=2000)
    qtbot.waitUntil(lambda: float(abs(curve.getData()[1]).max()) > 0.3, timeout=3000)
    x, _ = curve.getData()
    assert len(x) == 2 * min(strip.waveform.width(), strip.buffer.window)  # one pair per pixel


def _captures(sound_server, name: str) -> int:
    """Capture streams on the server of the app (or "system") called `name`.

    Counted by name: other tests' windows may still be closing theirs."""
    return sum(o["media_name"] == f"PyPAC capture: {name}" for o in sound_server.source_outputs())


def test_hidden_window_stops_view_captures(qtbot, mixer, player, sound_server):
    p = player(440, name="Hide me")
    wait_strip(qtbot, mixer, p.pid)
    wait_captures(qtbot, sound_server, lambda _: _captures(sound_server, "Hide me") == 1)
    systems = _captures(sound_server, "system")
    assert systems >= 1
    mixer.hide()
    wait_captures(qtbot, sound_server, lambda _: _captures(sound_server, "Hide me") == 0)
    wait_captures(qtbot, sound_server, lambda _: _captures(sound_server, "system") == systems - 1)
    frames = mixer.probe.frames
    qtbot.wait(200)
    assert mixer.probe.frames == frames  # nothing drawn while hidden
    mixer.show()
    wait_captures(qtbot, sound_server, lambda _: _captures(sound_server, "Hide me") == 1)
    qtbot.waitUntil(lambda: mixer.probe.frames > frames, timeout=3000)


def test_only_visible_strips_are_captured(qtbot, mixer, player, sound_server):
    procs = [player(300 + 100 * i, name=f"Visible {i}") for i in range(4)]
    for p in procs:
        wait_strip(qtbot, mixer, p.pid)
    mixer.resize(360, 500)  # room for about two strips
    bar = mixer.scroll_area.horizontalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 300, timeout=3000)

    def captured_as_drawn() -> bool:
        drawn = {mixer.strips[k].name for k in mixer._view_keys if k > 0}
        captured = {f"Visible {i}" for i in range(4) if _captures(sound_server, f"Visible {i}")}
        return drawn == captured and 0 < mixer.drawn_strip_count < 5

    # The server drops the other strips' capture streams (pipewire-pulse takes a moment).
    try:
        qtbot.waitUntil(captured_as_drawn, timeout=6000)
    except qtbot.TimeoutError:
        outputs = [o["media_name"] for o in sound_server.source_outputs()]
        raise AssertionError(f"drawn {list(mixer._view_keys)}, server {outputs}") from None
    row = mixer._row_keys()  # strips stand in the order their apps appeared
    first, last = row[0], row[-1]

    def scrolled_to_the_end() -> bool:
        bar.setValue(bar.maximum())  # (the range may still grow as the layout settles)
        return last in mixer._view_keys and first not in mixer._view_keys

    # The System strip is pinned: it stays in view (and captured) while the apps scroll.
    qtbot.waitUntil(scrolled_to_the_end)
    assert 0 in mixer._view_keys
    qtbot.waitUntil(captured_as_drawn, timeout=6000)

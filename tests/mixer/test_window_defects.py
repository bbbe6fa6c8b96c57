"""The window's usability defects (issue 11), each against a real server: controls
keep their place, small windows, boost and balance, stable order, names, keys."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import QSlider, QWidget

from pypac.mixer.session_model import StripPhase
from pypac.mixer.strip import ChannelStrip
from tests.support.screenshots import keep_screenshot
from tests.support.strips import stream_of, wait_strip


def _y(widget: QWidget, window: QWidget) -> int:
    return widget.mapTo(window, QPoint(0, 0)).y()


def test_buttons_keep_their_place_through_record_mute_and_stop(qtbot, mixer, player, tmp_path):
    a, b = player(440, name="Left"), player(660, name="Right")
    strip, other = wait_strip(qtbot, mixer, a.pid), wait_strip(qtbot, mixer, b.pid)
    qtbot.wait(100)
    places = {w: _y(w, mixer) for w in (strip.mute_button, strip.record_button)}
    row = {_y(s.record_button, mixer) for s in (strip, other, mixer.system_strip)}
    assert len(row) == 1  # every strip's buttons on one line

    def unchanged() -> bool:
        return all(_y(w, mixer) == y for w, y in places.items()) and row == {
            _y(s.record_button, mixer) for s in (strip, other, mixer.system_strip)
        }

    qtbot.mouseClick(strip.record_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: strip.record_panel.status is not None, timeout=5000)
    qtbot.wait(300)
    assert unchanged()
    qtbot.mouseClick(strip.mute_button, Qt.MouseButton.LeftButton)  # adds a warning
    qtbot.waitUntil(lambda: strip.record_panel.warning.isVisible())
    assert unchanged()
    keep_screenshot(mixer.grab().toImage(), tmp_path, "recording-muted.png")
    assert strip.mute_button.text() != "Mute"  # muted says so in words, not only colour
    # The same spot again stops the recording (it used to land on the timer).
    qtbot.mouseClick(strip.record_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: any("saved" in m for m in mixer.messages), timeout=5000)
    assert not strip.recording
    assert unchanged()
    assert strip.record_panel.open_button.isVisible()
    keep_screenshot(mixer.grab().toImage(), tmp_path, "recording-saved.png")


def test_a_small_window_shows_every_strips_buttons(qtbot, mixer, player):
    procs = [player(300 + 100 * i, name=f"Small {i}") for i in range(5)]
    strips = [wait_strip(qtbot, mixer, p.pid) for p in procs]
    mixer.resize(480, 320)
    qtbot.waitUntil(lambda: mixer.size().height() == 320)
    qtbot.wait(100)
    port = mixer.scroll_area.viewport()
    for strip in [mixer.system_strip, *strips]:
        if strip is not mixer.system_strip:
            mixer.scroll_area.ensureWidgetVisible(strip, 0, 0)
            qtbot.wait(20)
        for button in (strip.mute_button, strip.record_button):
            if not button.isVisibleTo(strip):
                continue
            rect = QRect(button.mapTo(mixer, QPoint(0, 0)), button.size())
            assert mixer.centralWidget().geometry().contains(rect), (strip.name, rect)
            if strip is not mixer.system_strip:
                inside = QRect(button.mapTo(port, QPoint(0, 0)), button.size())
                assert port.rect().contains(inside), (strip.name, inside)
    # Every strip's buttons on one line, scroll bar or not; the System strip stays
    # put while the apps scroll.
    assert len({_y(s.record_button, mixer) for s in [mixer.system_strip, *strips]}) == 1
    x = mixer.system_strip.mapTo(mixer, QPoint(0, 0)).x()
    bar = mixer.scroll_area.horizontalScrollBar()
    bar.setValue(bar.maximum())
    assert mixer.system_strip.mapTo(mixer, QPoint(0, 0)).x() == x


def test_the_wheel_scrolls_the_row_outside_sliders(qtbot, mixer, player):
    procs = [player(300 + 100 * i, name=f"Wheel {i}") for i in range(5)]
    strips = [wait_strip(qtbot, mixer, p.pid) for p in procs]
    mixer.resize(480, 400)
    bar = mixer.scroll_area.horizontalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 0)
    bar.setValue(0)
    from PySide6.QtCore import QPointF
    from PySide6.QtGui import QWheelEvent
    from PySide6.QtWidgets import QApplication

    label = strips[0].name_label
    for modifiers in (Qt.KeyboardModifier.NoModifier, Qt.KeyboardModifier.ShiftModifier):
        before = bar.value()
        pos = QPointF(5, 5)
        event = QWheelEvent(
            pos,
            QPointF(label.mapToGlobal(pos.toPoint())),
            QPoint(0, 0),
            QPoint(0, -120),
            Qt.MouseButton.NoButton,
            modifiers,
            Qt.ScrollPhase.NoScrollPhase,
            False,
        )
        # The header takes no wheel: Qt passes a real (spontaneous) turn on to the
        # row's viewport, which a sent event does not; send it there ourselves.
        QApplication.sendEvent(label, event)
        assert not event.isAccepted()
        QApplication.sendEvent(mixer.scroll_area.viewport(), event)
        assert bar.value() > before


def test_boost_and_balance_survive_a_slider_step(qtbot, mixer, player, sound_server):
    p = player(440)
    strip = wait_strip(qtbot, mixer, p.pid)
    index = str(stream_of(sound_server, p.pid)["index"])
    assert strip.slider.maximum() == 150
    sound_server.pactl("set-sink-input-volume", index, "150%")
    qtbot.waitUntil(lambda: strip.slider.value() == 150, timeout=3000)
    strip.slider.setFocus()
    qtbot.keyClick(strip.slider, Qt.Key.Key_Down)
    qtbot.waitUntil(lambda: stream_of(sound_server, p.pid)["volume_percent"] == [145, 145])

    sound_server.pactl("set-sink-input-volume", index, "100%", "30%")
    qtbot.waitUntil(lambda: strip.channel_volumes and strip.channel_volumes[1] < 0.35)
    assert "L 100" in strip.percent.fullText() and "R 30" in strip.percent.fullText()
    qtbot.keyClick(strip.slider, Qt.Key.Key_Down)
    qtbot.waitUntil(lambda: stream_of(sound_server, p.pid)["volume_percent"][0] == 95)
    right = stream_of(sound_server, p.pid)["volume_percent"][1]
    assert 27 <= right <= 30  # the balance kept, not both at 95%

    popup = strip.open_balance()  # the context menu's Balance…
    popup.slider.setValue(0)  # centre
    qtbot.waitUntil(lambda: stream_of(sound_server, p.pid)["volume_percent"] == [95, 95])
    popup.close()


def test_home_goes_to_full_volume_not_silence(qtbot, mixer, player, sound_server):
    p = player(440)
    strip = wait_strip(qtbot, mixer, p.pid)
    strip.slider.setValue(40)
    strip.slider.setFocus()
    qtbot.keyClick(strip.slider, Qt.Key.Key_Home)
    assert strip.slider.value() == 100
    qtbot.keyClick(strip.slider, Qt.Key.Key_End)
    assert strip.slider.value() == 100
    qtbot.waitUntil(lambda: stream_of(sound_server, p.pid)["volume_percent"] == [100, 100])


def _row_names(mixer) -> list[str]:
    return [mixer.strips[k].name for k in mixer._row_keys()]


def test_order_is_stable_across_an_app_restart(qtbot, mixer, player):
    procs = {n: player(300 + 100 * i, name=n) for i, n in enumerate(("One", "Two", "Three"))}
    for p in procs.values():
        wait_strip(qtbot, mixer, p.pid)
    first = _row_names(mixer)  # the order the server announced them in
    assert sorted(first) == ["One", "Three", "Two"]
    old = procs["Two"]
    old.terminate()
    qtbot.waitUntil(lambda: mixer.strips[old.pid].phase is StripPhase.EXITED, timeout=5000)
    assert not mixer.strips[old.pid].record_button.isEnabled()  # nothing to record
    again = player(700, name="Two")
    wait_strip(qtbot, mixer, again.pid)
    assert _row_names(mixer) == first  # its old place, at once
    qtbot.wait(1800)
    assert _row_names(mixer) == first


def test_a_strip_does_not_go_while_a_button_is_held(qtbot, mixer, player, monkeypatch):
    a, b = player(440, name="Stays"), player(550, name="Goes")
    wait_strip(qtbot, mixer, a.pid)
    wait_strip(qtbot, mixer, b.pid)
    from PySide6.QtWidgets import QApplication

    monkeypatch.setattr(QApplication, "mouseButtons", lambda: Qt.MouseButton.LeftButton)
    b.terminate()
    qtbot.waitUntil(lambda: mixer.strips[b.pid].phase is StripPhase.EXITED, timeout=5000)
    qtbot.wait(2000)  # longer than an exited strip lingers
    assert b.pid in mixer.strips
    monkeypatch.undo()
    qtbot.waitUntil(lambda: b.pid not in mixer.strips, timeout=3000)


def test_long_names_are_elided_with_the_bold_font(qtbot, mixer, player):
    p = player(440, name="Tone Generator Deluxe Edition")
    strip = wait_strip(qtbot, mixer, p.pid)
    label = strip.name_label
    qtbot.waitUntil(lambda: label.text().endswith("…"))
    assert label.font().weight() >= QFont.Weight.DemiBold
    assert QFontMetrics(label.font()).horizontalAdvance(label.text()) <= label.width()
    assert label.toolTip() == "Tone Generator Deluxe Edition"


def test_tab_stops_only_on_strips(qtbot, mixer, player):
    p = player(440)
    wait_strip(qtbot, mixer, p.pid)
    mixer.activateWindow()
    mixer.system_strip.setFocus()
    seen = []
    for _ in range(4):
        mixer.focusNextChild()
        w = mixer.focusWidget()
        seen.append(type(w).__name__)
        assert isinstance(w, (QSlider, ChannelStrip)) or w.objectName() == "", seen
        assert not w.inherits("QAbstractScrollArea"), seen


def test_the_strip_opens_a_finished_recording(qtbot, mixer, player):
    p = player(440, name="Opened")
    strip = wait_strip(qtbot, mixer, p.pid)
    opened: list[Path] = []
    strip.record_panel.opener = lambda path: opened.append(path) or True
    finished: list[Path] = []
    mixer.recordingFinished.connect(finished.append)
    qtbot.mouseClick(strip.record_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: strip.record_panel.status is not None, timeout=5000)
    qtbot.wait(300)
    qtbot.mouseClick(strip.record_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(finished), timeout=5000)
    qtbot.mouseClick(strip.record_panel.open_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(strip.record_panel.folder_button, Qt.MouseButton.LeftButton)
    assert opened == [finished[0], finished[0].parent]
    assert str(finished[0]) in mixer.messages[-1]  # the whole path, in the status bar


def test_quit_asks_while_recording(qtbot, mixer, player):
    from pypac.mixer.quit_guard import confirm_quit

    quits: list[bool] = []
    assert confirm_quit(mixer, 0, lambda: quits.append(True)) is None
    assert quits == [True]
    box = confirm_quit(mixer, 1, lambda: quits.append(True))
    assert box is not None and box.isVisible() and "1 recording is running" in box.text()
    box.button(box.StandardButton.Cancel).click()
    assert quits == [True]
    box = confirm_quit(mixer, 2, lambda: quits.append(True))
    next(b for b in box.buttons() if "quit" in b.text()).click()
    assert quits == [True, True]

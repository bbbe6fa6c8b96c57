"""Recording from a strip: the file holds the app's tone and nothing of another app."""

from __future__ import annotations

import time

import pytest
import soundfile as sf
from PySide6.QtCore import Qt

from pypac.mixer.settings import RECORDING_FOLDER
from tests.support.spectrum import dominant_frequency, isolation_db
from tests.support.strips import wait_strip

RATE = 48000


def _click(qtbot, button):
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def test_record_a_tone_from_the_strip(qtbot, mixer, player, tmp_path):
    a = player(440, name="Tone A")
    b = player(1000, name="Tone B")
    strip = wait_strip(qtbot, mixer, a.pid)
    wait_strip(qtbot, mixer, b.pid)
    # Press when the app is audibly playing: a stream that just appeared reaches
    # captures only after a while (engine start-up, not the mixer's).
    qtbot.waitUntil(lambda: strip.buffer.loudest() > 0.3, timeout=5000)

    _click(qtbot, strip.record_button)
    qtbot.waitUntil(lambda: strip.record_panel.status is not None, timeout=5000)
    started = time.monotonic()
    assert strip.property("recording") is True
    qtbot.waitUntil(lambda: time.monotonic() - started >= 3.0, timeout=5000)
    assert strip.record_panel.info.fullText().startswith("● REC 00:0")
    assert strip.record_panel.level.value() > 0  # the recording's level is live
    _click(qtbot, strip.record_button)
    held = time.monotonic() - started
    qtbot.waitUntil(lambda: any("saved" in m for m in mixer.messages), timeout=5000)

    files = list((tmp_path / "recordings").glob("Tone_A-*.flac"))
    assert len(files) == 1, files
    audio, rate = sf.read(files[0], dtype="float32")
    assert rate == RATE and audio.shape[1] == 2
    # Roughly the time the button was held: the capture opens a little after the press.
    assert held - 0.5 <= len(audio) / RATE <= held + 0.3, (len(audio) / RATE, held)
    assert dominant_frequency(audio, RATE) == pytest.approx(440, abs=5)
    assert isolation_db(audio, RATE, 440, 1000) >= 60
    assert "dropped" not in mixer.messages[-1]  # the message names dropped frames when any
    assert strip.record_panel.info.fullText().startswith("Saved 00:0")
    assert not strip.recording and strip.property("recording") is False


def test_recording_a_muted_app_warns(qtbot, mixer, player):
    p = player(440)
    strip = wait_strip(qtbot, mixer, p.pid)
    _click(qtbot, strip.record_button)
    qtbot.waitUntil(lambda: strip.record_panel.status is not None, timeout=5000)
    assert not strip.record_panel.warning.isVisible()
    _click(qtbot, strip.mute_button)
    qtbot.waitUntil(lambda: strip.record_panel.warning.isVisible())
    assert "Muted" in strip.record_panel.warning.fullText()
    _click(qtbot, strip.mute_button)
    strip.slider.setValue(10)
    qtbot.waitUntil(lambda: "quiet" in strip.record_panel.warning.fullText())
    _click(qtbot, strip.record_button)
    qtbot.waitUntil(lambda: not strip.record_panel.warning.isVisible(), timeout=5000)


def test_app_exit_mid_recording_finalizes_and_tells(qtbot, mixer, player, tmp_path):
    p = player(440, name="Leaver")
    strip = wait_strip(qtbot, mixer, p.pid)
    _click(qtbot, strip.record_button)
    qtbot.waitUntil(
        lambda: (strip.record_panel.status or 0) and strip.record_panel.status.seconds > 1
    )
    p.terminate()
    qtbot.waitUntil(lambda: any("Leaver exited" in m for m in mixer.messages), timeout=5000)
    (path,) = (tmp_path / "recordings").glob("Leaver-*.flac")
    info = sf.info(path)
    assert info.frames >= RATE  # everything up to the exit
    assert strip.record_panel.info.fullText().startswith("App exited")
    qtbot.waitUntil(lambda: p.pid not in mixer.strips, timeout=5000)  # then the strip goes


def test_unwritable_folder_is_reported_and_the_mixer_goes_on(qtbot, mixer, player, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    mixer.settings.set_value(RECORDING_FOLDER, str(blocker / "sub"))
    p = player(440)
    strip = wait_strip(qtbot, mixer, p.pid)
    _click(qtbot, strip.record_button)
    qtbot.waitUntil(lambda: any("Cannot record" in m for m in mixer.messages), timeout=5000)
    assert not strip.recording
    assert strip.record_panel.info.fullText().startswith("Could not start")
    strip.slider.setValue(50)  # still a working mixer
    qtbot.waitUntil(lambda: strip.volume == 0.5)

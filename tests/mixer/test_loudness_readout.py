"""The strips' loudness readout: a click on a meter switches every strip between peak and
short-term LUFS (measured by the worker from a real tone through the private server, played
by paplay: tests/support/steady_tone.py), and a strip's "Saved" line names the recording's
integrated loudness."""

from __future__ import annotations

import re

import pytest
from PySide6.QtCore import Qt

from tests.support.steady_tone import steady_tone
from tests.support.strips import wait_strip


def _click(qtbot, widget):
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def test_meter_click_switches_every_strip_to_lufs_and_back(qtbot, mixer, sound_server, tmp_path):
    with steady_tone(sound_server, tmp_path) as a:
        strip = wait_strip(qtbot, mixer, a.pid)
        assert not strip.lufs_readout and strip.percent.fullText() == "100%"
        master = mixer.system_strip.percent.fullText()  # the output device's volume
        assert re.fullmatch(r"\d+%.*", master), master

        _click(qtbot, strip.meter)
        assert all(s.lufs_readout for s in mixer.strips.values())
        # Short-term loudness is the last 3 s: it reads the tone once 3 s of it were measured.
        qtbot.waitUntil(
            lambda: strip.buffer.lufs is not None and abs(strip.buffer.lufs + 20) < 0.5,
            timeout=15000,
        )
        qtbot.waitUntil(lambda: strip.percent.fullText() == "100% · -20 LUFS", timeout=2000)
        assert re.fullmatch(
            rf"{re.escape(master)} · (-\d+|-∞|…) LUFS", mixer.system_strip.percent.fullText()
        )

        _click(qtbot, mixer.system_strip.meter)  # any meter switches all back
        assert not any(s.lufs_readout for s in mixer.strips.values())
        assert strip.percent.fullText() == "100%"
        assert mixer.system_strip.percent.fullText() == master


def test_saved_line_names_the_integrated_loudness(qtbot, mixer, sound_server, tmp_path):
    with steady_tone(sound_server, tmp_path) as a:
        strip = wait_strip(qtbot, mixer, a.pid)
        qtbot.waitUntil(lambda: strip.buffer.loudest() > 0.05, timeout=5000)
        _click(qtbot, strip.record_button)
        qtbot.waitUntil(lambda: strip.record_panel.status is not None, timeout=5000)
        qtbot.waitUntil(lambda: strip.record_panel.status.seconds >= 2.0, timeout=10000)
        _click(qtbot, strip.record_button)
        qtbot.waitUntil(
            lambda: strip.record_panel.info.fullText().startswith("Saved"), timeout=5000
        )
    found = re.search(r" · (-\d+\.\d) LUFS$", strip.record_panel.info.fullText())
    assert found, strip.record_panel.info.fullText()
    assert float(found[1]) == pytest.approx(-20.0, abs=0.5)

"""The scope of one app: opened from its strip, fed raw samples only while open."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt

from tests.support.strips import wait_strip


def test_scope_shows_an_apps_spectrum_and_costs_nothing_closed(qtbot, mixer, player):
    strip = wait_strip(qtbot, mixer, player(1000, name="Scoped").pid)
    assert mixer.link.worker._sampled == set()  # no raw samples while no scope is open
    qtbot.waitUntil(lambda: strip.waveform._view is not None, timeout=3000)
    viewport = strip.waveform._view.viewport()
    qtbot.mouseDClick(viewport, Qt.MouseButton.LeftButton, pos=QPoint(10, 10))
    qtbot.mouseRelease(
        viewport, Qt.MouseButton.LeftButton, pos=QPoint(10, 10)
    )  # QTest leaves it down
    qtbot.waitUntil(lambda: strip.key in mixer.scopes, timeout=2000)
    scope = mixer.scopes[strip.key]
    qtbot.waitUntil(lambda: scope.blocks > 20, timeout=5000)
    qtbot.waitUntil(lambda: scope.spectrum_peak_hz() > 0, timeout=2000)
    assert scope.spectrum_peak_hz() == pytest.approx(1000, rel=0.05)
    assert scope.wave_plot.getViewBox().state["mouseEnabled"] == [True, True]  # zoom, pan
    scope.close()
    qtbot.waitUntil(lambda: mixer.link.worker._sampled == set(), timeout=2000)
    assert not mixer.scopes

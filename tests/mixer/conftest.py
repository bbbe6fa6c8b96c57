"""Fixtures of the mixer tests: a real MixerWindow (offscreen) on the private server,
and a check that no test leaves a QThread running."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pypac.mixer.main_window import MixerWindow
from pypac.mixer.settings import RECORDING_FOLDER, MixerSettings
from pypac.mixer.theme import apply_theme
from tests.support.qt_threads import _dangling_qthreads  # noqa: F401 - an autouse fixture


@pytest.fixture
def mixer(qtbot: Any, qapp: Any, sound_server: Any, tmp_path: Path) -> Iterator[MixerWindow]:
    """The mixer window, shown offscreen and connected to the private server;
    recordings go to tmp_path/recordings."""
    settings = MixerSettings()
    settings.set_value(RECORDING_FOLDER, str(tmp_path / "recordings"))
    window = MixerWindow(apply_theme(qapp, "dark"), settings)
    qtbot.addWidget(window, before_close_func=lambda w: w.shutdown())
    window.show()
    qtbot.waitUntil(lambda: window.server_up, timeout=10000)
    yield window
    window.shutdown()

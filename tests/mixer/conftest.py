"""Fixtures of the mixer tests: a real MixerWindow (offscreen) on the private server,
and a check that no test leaves a QThread running."""

from __future__ import annotations

import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from weakref import WeakKeyDictionary

import pytest
from PySide6.QtCore import QThread

from pypac.mixer.main_window import MixerWindow
from pypac.mixer.settings import RECORDING_FOLDER, MixerSettings
from pypac.mixer.strip import ChannelStrip
from pypac.mixer.theme import apply_theme


@pytest.fixture(autouse=True)
def _dangling_qthreads(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Fail a test that leaves a QThread running (napari's `_dangling_qthreads`).

    A running thread outliving its test keeps calling into objects the next
    test no longer expects and crashes far from the cause; this names where
    the thread was started instead.
    """
    started: WeakKeyDictionary[QThread, str] = WeakKeyDictionary()
    real_start = QThread.start

    def start(self: QThread, *args: Any) -> None:
        started[self] = "".join(traceback.format_stack(limit=6)[:-1])
        real_start(self, *args)

    monkeypatch.setattr(QThread, "start", start)
    yield
    running = []
    for thread, where in list(started.items()):
        try:
            if thread.isRunning():
                running.append(f"{thread.objectName() or thread!r} started at:\n{where}")
        except RuntimeError:  # the C++ object is already gone: not running
            continue
    if running:
        raise RuntimeError("QThread(s) left running by this test:\n" + "\n".join(running))


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


def wait_strip(qtbot: Any, window: MixerWindow, pid: int, timeout: int = 5000) -> ChannelStrip:
    """The strip of `pid` once its app plays (PipeWire first lists a new stream
    corked at volume 0, then playing at its real volume)."""
    from pypac.mixer.session_model import StripPhase

    def playing() -> bool:
        strip = window.strips.get(pid)
        return strip is not None and strip.phase is StripPhase.PLAYING and strip.volume > 0

    qtbot.waitUntil(playing, timeout=timeout)
    return window.strips[pid]


def stream_of(sound_server: Any, pid: int) -> dict[str, Any] | None:
    return next((s for s in sound_server.sink_inputs() if s["pid"] == pid), None)


def wait_captures(qtbot: Any, sound_server: Any, check: Any, timeout: int = 6000) -> None:
    """Wait until `check(number of capture streams on the server)`; on timeout,
    fail naming the streams (pipewire-pulse drops closed ones after a moment)."""
    try:
        qtbot.waitUntil(lambda: check(len(sound_server.source_outputs())), timeout=timeout)
    except qtbot.TimeoutError:
        outputs = [o["media_name"] for o in sound_server.source_outputs()]
        raise AssertionError(f"capture streams on the server: {outputs}") from None

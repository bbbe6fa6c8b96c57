"""The Qt-free parts: view envelopes, meter ballistics, the session table, settings."""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pytest

from pypac.engine import SessionInfo, SessionState
from pypac.mixer import levels
from pypac.mixer.session_model import (
    LINGER_SECONDS,
    SessionTable,
    StripPhase,
    recording_warning,
)
from pypac.mixer.settings import RECORDING_FOLDER, RECORDING_FORMAT, MixerSettings


def _info(pid: int, state: SessionState = SessionState.ACTIVE, volume: float = 1.0) -> SessionInfo:
    return SessionInfo(pid, "python3", f"App {pid}", "", state, volume, False, 0.0, 1)


def test_wave_buffer_keeps_the_newest_envelope():
    buf = levels.WaveBuffer(seconds=0.1, sample_rate=48000)  # 20 buckets shown
    assert buf.window == 20 and buf.buckets == 20 + levels.MARGIN_BUCKETS
    ramp = np.linspace(-1, 1, 4800 + 240 * levels.MARGIN_BUCKETS, dtype=np.float32)
    buf.push(np.stack([ramp, ramp], axis=1))
    lo, hi, position = buf.window_at(buf._pushed_at + 1.0)  # caught up: the newest buckets
    assert len(lo) == buf.window and position == buf._total
    assert lo[0] > -1 and hi[-1] == pytest.approx(1)
    assert np.all(hi >= lo)
    assert buf.loudest() == pytest.approx(1)
    assert buf.take_peak() == pytest.approx(1) and buf.take_peak() == 0.0
    total = buf._total
    buf.push(np.zeros((100, 2), np.float32))  # less than a bucket: carried, nothing new
    assert buf._total == total


def test_view_window_slides_with_wall_time_between_pushes():
    buf = levels.WaveBuffer(seconds=0.1, sample_rate=48000)
    buf.push(np.zeros((240 * buf.buckets, 2), np.float32))
    pushed = buf._pushed_at
    lo, _, at_push = buf.window_at(pushed)
    assert len(lo) == buf.window
    # Right after a push the view lags; as time passes it catches up to the newest.
    later = buf.window_at(pushed + 0.03)[2]
    newest = buf.window_at(pushed + 1.0)[2]
    assert at_push < later < newest == buf._total


def test_peak_hold_holds_then_falls():
    b = levels.PeakBallistics(fall_db_per_s=20, hold_s=1.0)
    b.update(1.0, now=0.0, dt=0.016)
    assert b.level_db == pytest.approx(0) and b.hold_db == pytest.approx(0)
    b.update(0.0, now=0.5, dt=0.5)
    assert b.level_db == pytest.approx(-10) and b.hold_db == pytest.approx(0)
    b.update(0.0, now=1.5, dt=1.0)
    assert b.hold_db < 0


def test_session_table_greys_out_then_drops_exited_apps():
    t = SessionTable()
    assert t.update(_info(7)).added == [7]
    assert t.update(_info(7, SessionState.INACTIVE)).updated == [7]
    assert t.entries[7].phase is StripPhase.PAUSED
    t.mark_gone(7, now=100.0)
    assert t.entries[7].phase is StripPhase.EXITED and t.live_count() == 0
    assert t.expire(now=100.0 + LINGER_SECONDS / 2).removed == []
    t.set_recording(7, True)
    assert t.expire(now=200.0).removed == []  # a recording strip stays until it ended
    t.set_recording(7, False)
    assert t.expire(now=200.0).removed == [7]


def test_reset_greys_out_sessions_that_are_gone():
    t = SessionTable()
    t.update(_info(1))
    t.update(_info(2))
    t.reset([_info(2), _info(3)], now=5.0)
    assert t.entries[1].phase is StripPhase.EXITED
    assert t.entries[3].phase is StripPhase.PLAYING


def test_recording_warning():
    assert recording_warning(False, 1.0) is None
    assert "Muted" in recording_warning(True, 1.0)
    assert "10%" in recording_warning(False, 0.1)


def test_recording_paths(tmp_path):
    s = MixerSettings()
    assert s.recording_format == "flac"
    assert s.recording_folder.name == "PyPAC"
    s.set_value(RECORDING_FOLDER, str(tmp_path))
    s.set_value(RECORDING_FORMAT, "WAV")
    when = datetime(2024, 5, 6, 7, 8, 9)
    first = s.new_recording_path("Video call / HD", when)
    assert first == tmp_path / "Video_call_HD-20240506-070809.wav"
    assert s.new_recording_path("Video call / HD", when).name.endswith("-2.wav")
    with pytest.raises(ValueError):
        s.set_value(RECORDING_FORMAT, "mp3")
    with pytest.raises(KeyError):
        s.value("no/such/key")

"""Recording from the command line and from Python: nothing lost, always a valid file."""

from __future__ import annotations

import resource
import signal
import time
from pathlib import Path

import pytest
import soundfile as sf

import pypac
from tests.support.record_cli import start_record, wait_recording
from tests.support.spectrum import dominant_frequency, isolation_db
from tests.support.waiting import wait_for_session

from .test_cli import pypac_cli

RATE = 48000


@pytest.mark.parametrize("fmt", ["flac", "wav", "ogg"])
def test_record_duration_holds_the_tone_only(enumerator, player, sound_server, tmp_path, fmt):
    a = player(440, name="Recorded")
    b = player(1000, name="Other")
    wait_for_session(enumerator, a.pid)
    wait_for_session(enumerator, b.pid)
    path = tmp_path / f"out.{fmt}"
    out = pypac_cli(sound_server, "record", "--pid", str(a.pid), "-o", str(path), "--duration", "3")
    assert out.returncode == 0, out.stderr
    assert "0 dropped" in out.stdout
    audio, rate = sf.read(path, dtype="float32", always_2d=True)
    assert rate == RATE and audio.shape == (3 * RATE, 2)
    assert dominant_frequency(audio, RATE) == pytest.approx(440, abs=3)
    assert isolation_db(audio, RATE, 440, 1000) >= 60


def test_record_by_name_and_sigint_keeps_everything(enumerator, player, sound_server, tmp_path):
    p = player(440, name="Stopped by Ctrl+C")
    wait_for_session(enumerator, p.pid)
    path = tmp_path / "ctrl-c.flac"
    proc = start_record(sound_server, "--name", "Stopped by Ctrl+C", "-o", str(path))
    started = wait_recording(proc)
    time.sleep(3.0)
    proc.send_signal(signal.SIGINT)
    held = time.monotonic() - started
    stdout, stderr = proc.communicate(timeout=15)
    assert proc.returncode == 0, stderr
    assert "stopped" in stdout and "0 dropped" in stdout
    info = sf.info(path)
    # Every frame rendered up to the Ctrl+C is in the file: none lost (at most
    # one 10 ms period short). The file starts with the first audio the server
    # delivered, and the server may have rendered some of it before the
    # "Recording" line: a backlog arrives right after the first block when
    # the sink had rendered ahead (measured: up to ~60 ms on PipeWire, ~110 ms
    # on PulseAudio's null sink). So the file may be that much longer.
    assert -0.01 <= info.frames / RATE - held <= 0.25, (info.frames / RATE, held)
    audio, _ = sf.read(path, dtype="float32", always_2d=True)
    assert dominant_frequency(audio, RATE) == pytest.approx(440, abs=3)


def test_player_killed_mid_recording(enumerator, player, sound_server, tmp_path):
    p = player(440, name="Killed")
    wait_for_session(enumerator, p.pid)
    path = tmp_path / "killed.flac"
    proc = start_record(sound_server, "--pid", str(p.pid), "-o", str(path))
    started = wait_recording(proc)
    time.sleep(2.0)
    p.kill()
    held = time.monotonic() - started
    stdout, stderr = proc.communicate(timeout=15)
    assert proc.returncode == 0, stderr
    assert "the application exited" in stdout
    audio, _ = sf.read(path, dtype="float32", always_2d=True)
    # Up to the kill, give or take what was in flight when the stream died
    # (and the first delivery's backlog, as above).
    assert -0.03 <= len(audio) / RATE - held <= 0.25, (len(audio) / RATE, held)
    assert dominant_frequency(audio, RATE) == pytest.approx(440, abs=3)


def _limit_file_size() -> None:
    resource.setrlimit(resource.RLIMIT_FSIZE, (400_000, 400_000))


def test_full_disk_ends_with_clear_error_and_readable_file(
    enumerator, player, sound_server, tmp_path
):
    p = player(440, name="Too long")
    wait_for_session(enumerator, p.pid)
    path = tmp_path / "full.wav"  # float WAV: 384 kB/s, the limit hits after ~1 s
    proc = start_record(
        sound_server,
        "--pid",
        str(p.pid),
        "-o",
        str(path),
        "--duration",
        "10",
        preexec_fn=_limit_file_size,
    )
    stdout, stderr = proc.communicate(timeout=30)
    assert proc.returncode == 1, (stdout, stderr)
    assert f"writing {path} failed" in stderr
    assert "free some space or choose another folder" in stderr
    audio, rate = sf.read(path, dtype="float32", always_2d=True)
    assert rate == RATE and 0.5 * RATE < len(audio) < 1.1 * RATE
    assert dominant_frequency(audio, RATE) == pytest.approx(440, abs=3)


def test_unwritable_folder_is_a_clear_error(enumerator, player, sound_server, tmp_path):
    p = player(440)
    wait_for_session(enumerator, p.pid)
    target = tmp_path / "file-not-folder"
    target.write_text("")
    out = pypac_cli(sound_server, "record", "--pid", str(p.pid), "-o", str(target / "x.flac"))
    assert out.returncode == 1
    assert "x.flac" in out.stderr and "pypac:" in out.stderr


def test_python_record_and_recorder(enumerator, player, sound_server, tmp_path):
    p = player(440, name="From Python")
    wait_for_session(enumerator, p.pid)
    status = pypac.record("From Python", tmp_path / "a.flac", duration=1.0)
    assert status.end == pypac.RecordingEnd.STOPPED
    assert status.frames_written == RATE and status.dropped_frames == 0
    assert sf.info(tmp_path / "a.flac").frames == RATE

    with pypac.Recorder(p.pid, tmp_path / "b.ogg") as rec:
        time.sleep(1.0)
    assert rec.status.error is None and rec.status.frames_written > 0.8 * RATE
    assert Path(tmp_path / "b.ogg").stat().st_size == rec.status.bytes_written

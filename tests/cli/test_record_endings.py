"""Every way a recording can end leaves a file that soundfile AND sox read,
holding the tone, as long as what was captured.

Graceful endings (signals, `timeout`, a Python script that exits) are exact:
the file holds the frames the recorder reported. Abrupt ones (SIGKILL) lose
at most about the last second. A full disk ends with the OS's reason.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

import pypac
from tests.support.record_cli import start_record, wait_recording
from tests.support.spectrum import dominant_frequency
from tests.support.waiting import wait_for_session, wait_until

RATE = 48000
FORMATS = ["flac", "wav", "ogg"]


@pytest.fixture
def tone(enumerator, player) -> int:
    p = player(440, name="Ending tone", amplitude=0.3)
    wait_for_session(enumerator, p.pid)
    return p.pid


def _record(sound_server, pid: int, path: Path, *extra: str, prefix: tuple[str, ...] = ()):
    return start_record(sound_server, "--pid", str(pid), "-o", str(path), *extra, prefix=prefix)


def _reported_frames(stdout: str) -> int:
    match = re.search(r"(\d+) frames", stdout)
    assert match, stdout
    return int(match.group(1))


def _sox_frames(path: Path) -> int:
    """What sox decodes (a second, independent decoder): frames of audio."""
    out = subprocess.run(
        ["sox", str(path), "-n", "stat"], capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0, out.stderr
    samples = re.search(r"Samples read:\s+(\d+)", out.stderr)
    assert samples, out.stderr
    return int(samples.group(1)) // 2


def _check_file(path: Path) -> int:
    """The file reads whole with soundfile and sox, holds the 440 Hz tone;
    returns its length in frames."""
    audio, rate = sf.read(path, dtype="float32", always_2d=True)
    assert rate == RATE and audio.shape[1] == 2
    assert dominant_frequency(audio, RATE) == pytest.approx(440, abs=3)
    assert np.isfinite(audio).all()
    # Vorbis decoders may differ by the codec's priming/padding: a few ms.
    assert abs(_sox_frames(path) - len(audio)) <= (2048 if path.suffix == ".ogg" else 0)
    return len(audio)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("ending", ["SIGTERM", "SIGHUP", "SIGINT"])
def test_signal_finishes_the_file(sound_server, tone, tmp_path, fmt, ending):
    path = tmp_path / f"signal.{fmt}"
    proc = _record(sound_server, tone, path)
    wait_recording(proc)
    time.sleep(1.5)
    proc.send_signal(getattr(signal, ending))
    stdout, stderr = proc.communicate(timeout=20)
    assert proc.returncode == 0, stderr
    assert "stopped" in stdout, stdout
    frames = _check_file(path)
    assert frames == _reported_frames(stdout)
    assert frames > RATE
    assert not Path(str(path) + ".recovery.flac").exists()


@pytest.mark.parametrize("fmt", FORMATS)
def test_timeout_command_finishes_the_file(sound_server, tone, tmp_path, fmt):
    path = tmp_path / f"timeout.{fmt}"
    proc = _record(sound_server, tone, path, prefix=("timeout", "3"))
    stdout, stderr = proc.communicate(timeout=30)
    assert proc.returncode == 124, stderr  # timeout's own code: it had to stop us
    assert "stopped" in stdout, (stdout, stderr)
    frames = _check_file(path)
    assert frames == _reported_frames(stdout)
    assert frames > RATE // 2


@pytest.mark.parametrize("fmt", FORMATS)
def test_sigkill_keeps_all_but_the_last_second(sound_server, tone, tmp_path, fmt):
    path = tmp_path / f"killed.{fmt}"
    proc = _record(sound_server, tone, path)
    started = wait_recording(proc)
    time.sleep(3.5)
    proc.kill()
    held = time.monotonic() - started
    proc.communicate(timeout=10)
    readable = path
    if fmt == "ogg":
        # OGG pages reach the disk only when full; the recovery copy has it
        # all, and `pypac recover` makes the OGG file from it.
        copy = Path(str(path) + ".recovery.flac")
        assert held - 1.3 <= _check_file(copy) / RATE <= held + 0.3
        out = subprocess.run(
            [sys.executable, "-m", "pypac", "recover", str(path)],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert out.returncode == 0, out.stderr
        assert not copy.exists()
    seconds = _check_file(readable) / RATE
    assert held - 1.3 <= seconds <= held + 0.3, (seconds, held)


@contextlib.contextmanager
def _tmpfs(where: Path, size: str) -> Iterator[Path]:
    where.mkdir()
    out = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)],
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, f"the full-disk test mounts a tmpfs (needs root): {out.stderr}"
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


@pytest.mark.parametrize(("fmt", "size"), [("wav", "512k"), ("flac", "160k"), ("ogg", "160k")])
def test_full_disk_says_so_and_keeps_a_readable_file(sound_server, tone, tmp_path, fmt, size):
    with _tmpfs(tmp_path / "small", size) as disk:
        path = disk / f"full.{fmt}"
        proc = _record(sound_server, tone, path, "--duration", "30")
        stdout, stderr = proc.communicate(timeout=60)
        assert proc.returncode == 1, (stdout, stderr)
        assert "No space left on device" in stderr, stderr
        if fmt == "ogg":
            assert "recovery.flac" in stderr, stderr
            _check_file(Path(str(path) + ".recovery.flac"))
        else:
            assert _check_file(path) > RATE // 4


@pytest.mark.parametrize("fmt", FORMATS)
def test_python_exit_with_a_running_recorder(sound_server, tone, tmp_path, fmt):
    path = tmp_path / f"script.{fmt}"
    script = textwrap.dedent(
        f"""
        import time, pypac
        rec = pypac.Recorder({tone}, {str(path)!r}).start()
        while rec.status.frames_written < {RATE}:
            time.sleep(0.05)
        print("exiting", flush=True)
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", script],
        env=sound_server.env,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert out.returncode == 0, out.stderr
    assert "leaked" not in out.stderr, out.stderr
    assert _check_file(path) >= RATE
    assert not Path(str(path) + ".recovery.flac").exists()


def test_server_lost_mid_recording_exits_5(sound_server, enumerator, tone, tmp_path):
    path = tmp_path / "lost.flac"
    proc = _record(sound_server, tone, path)
    wait_recording(proc)
    time.sleep(1.0)
    sound_server.kill()
    stdout, stderr = proc.communicate(timeout=20)
    assert proc.returncode == 5, (stdout, stderr)
    assert "cut short" in stderr and "sound server went away" in stderr
    assert _check_file(path) > RATE // 2
    # Leave the server as the next test expects it: back, and this process's
    # shared engine reconnected to it.
    wait_until(lambda: not enumerator.connected, timeout=5)
    sound_server.restart()
    wait_until(lambda: enumerator.connected, timeout=15)


def test_existing_file_is_kept_unless_forced(sound_server, tone, tmp_path):
    path = tmp_path / "keep.flac"
    path.write_bytes(b"precious")
    proc = _record(sound_server, tone, path, "--duration", "0.5")
    _, stderr = proc.communicate(timeout=20)
    assert proc.returncode == 1 and "already exists" in stderr and "--force" in stderr
    assert path.read_bytes() == b"precious"
    proc = _record(sound_server, tone, path, "--duration", "0.5", "--force")
    _, stderr = proc.communicate(timeout=20)
    assert proc.returncode == 0, stderr
    assert sf.info(path).frames == RATE // 2


def test_stop_before_start_then_start_records(sound_server, tone, tmp_path):
    rec = pypac.Recorder(tone, tmp_path / "late.flac", duration=0.5)
    rec.stop()
    rec.start()
    assert rec.wait(10)
    assert rec.status.frames_written == RATE // 2
    assert sf.info(tmp_path / "late.flac").frames == RATE // 2


def test_python_duration_inf_means_until_stopped(sound_server, tone, tmp_path):
    with pypac.Recorder(tone, tmp_path / "inf.wav", duration=float("inf")) as rec:
        wait_until(lambda: rec.status.frames_written > RATE // 2, timeout=10)
    assert rec.status.error is None and rec.status.end is pypac.RecordingEnd.STOPPED
    with pytest.raises(pypac.InvalidArgumentError, match="shorter than one sample"):
        pypac.Recorder(tone, tmp_path / "tiny.wav", duration=1e-9)
    for bad in (float("nan"), -1.0, 0.0):
        with pytest.raises(pypac.InvalidArgumentError):
            pypac.Recorder(tone, tmp_path / "bad.wav", duration=bad)
    assert not os.path.exists(tmp_path / "tiny.wav")

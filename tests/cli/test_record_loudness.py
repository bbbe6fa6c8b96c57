"""Recordings report their loudness (EBU R128): a 997 Hz tone at -20 dBFS, played through a
real server at 100 % volume (the demo tone player, and paplay where a glitch-free stream is
needed: tests/support/steady_tone.py), recorded with `pypac record` and with `Recorder`,
reads -20 LUFS, as pyloudnorm reads the written file."""

from __future__ import annotations

import re

import numpy as np
import pyloudnorm
import pytest
import soundfile as sf
from scipy.signal import resample_poly

import pypac
from tests.support.steady_tone import steady_tone
from tests.support.waiting import wait_for_session

from .test_cli import pypac_cli

RATE = 48000
MINUS_20_DBFS = 10 ** (-20 / 20)


def reference_lufs(path) -> float:
    audio, rate = sf.read(path, dtype="float64", always_2d=True)
    return pyloudnorm.Meter(rate).integrated_loudness(audio)


def reference_true_peak_db(path) -> float:
    """The file's peak after 4x oversampling (BS.1770's true peak, by another filter). A
    recording starts on whatever sample the tone was at: starting near a crest is a step
    from silence, and the reconstructed waveform overshoots it by up to about 1 dB. That is
    in the file, so a correct meter reports it too."""
    audio, _ = sf.read(path, dtype="float64", always_2d=True)
    padded = np.concatenate([np.zeros((64, audio.shape[1])), audio, np.zeros((64, audio.shape[1]))])
    return float(20 * np.log10(np.abs(resample_poly(padded, 4, 1, axis=0)).max()))


def test_record_summary_reports_integrated_lufs_and_true_peak(
    enumerator, player, sound_server, tmp_path
):
    p = player(997, name="Loudness tone", amplitude=MINUS_20_DBFS)
    wait_for_session(enumerator, p.pid)
    path = tmp_path / "tone.flac"
    out = pypac_cli(sound_server, "record", "--pid", str(p.pid), "-o", str(path), "--duration", "3")
    assert out.returncode == 0, out.stderr
    found = re.search(r"(-?\d+\.\d) LUFS integrated, (-?\d+\.\d) dBTP true peak", out.stdout)
    assert found, out.stdout
    lufs, true_peak = float(found[1]), float(found[2])
    # what the file holds, to the printed decimal (whatever the machine's load did to it)
    assert lufs == pytest.approx(reference_lufs(path), abs=0.1)
    audio, _ = sf.read(path, dtype="float32", always_2d=True)
    assert true_peak >= 20 * np.log10(np.max(np.abs(audio))) - 0.1


def test_recorder_reads_the_tone_at_minus_20_lufs(enumerator, sound_server, tmp_path):
    with steady_tone(sound_server, tmp_path) as p:
        wait_for_session(enumerator, p.pid)
        path = tmp_path / "tone.wav"
        with pypac.Recorder(p.pid, path, duration=3.0) as rec:
            rec.wait()
    status = rec.status
    assert status.integrated_lufs == pytest.approx(reference_lufs(path), abs=0.1)
    assert status.integrated_lufs == pytest.approx(-20.0, abs=0.5)
    audio, _ = sf.read(path, dtype="float32", always_2d=True)
    sample_peak_db = 20 * np.log10(np.max(np.abs(audio)))
    assert status.true_peak_dbtp >= sample_peak_db - 0.01  # true peak is never below the samples
    assert status.true_peak_dbtp == pytest.approx(reference_true_peak_db(path), abs=0.2)
    assert -20.1 <= status.true_peak_dbtp <= -18.8  # the tone, or its first step's overshoot


def test_record_cli_reads_the_tone_at_minus_20_lufs(enumerator, sound_server, tmp_path):
    with steady_tone(sound_server, tmp_path) as p:
        wait_for_session(enumerator, p.pid)
        path = tmp_path / "tone.flac"
        out = pypac_cli(
            sound_server, "record", "--pid", str(p.pid), "-o", str(path), "--duration", "3"
        )
    assert out.returncode == 0, out.stderr
    found = re.search(r"(-?\d+\.\d) LUFS integrated", out.stdout)
    assert found, out.stdout
    assert float(found[1]) == pytest.approx(reference_lufs(path), abs=0.1)
    assert float(found[1]) == pytest.approx(-20.0, abs=0.5)

"""The loudness meter (EBU R128 / ITU-R BS.1770 via libebur128) on known signals: the
reference figures of EBU Tech 3341 and pyloudnorm's reading of the same samples."""

from __future__ import annotations

import math
import threading

import numpy as np
import pyloudnorm
import pytest

import pypac
from pypac.loudness import format_lufs, loudness_summary

RATE = 48000


def sine(freq: float, dbfs: float, seconds: float, channels: int = 2, rate: int = RATE):
    """A sine whose peak is `dbfs`, the same on every channel, float32 (frames, channels)."""
    t = np.arange(round(seconds * rate)) / rate
    mono = (10 ** (dbfs / 20) * np.sin(2 * np.pi * freq * t)).astype(np.float32)
    return np.repeat(mono[:, None], channels, axis=1)


def measure(audio: np.ndarray, rate: int = RATE, block: int = 480) -> pypac.LoudnessMeter:
    """Fed in 10 ms blocks, as the recorder and the mixer feed it."""
    meter = pypac.LoudnessMeter(rate, audio.shape[1])
    for at in range(0, len(audio), block):
        meter.add(audio[at : at + block])
    return meter


def test_997_hz_at_minus_20_dbfs_reads_minus_20_lufs():
    audio = sine(997, -20.0, 10.0)
    meter = measure(audio)
    assert meter.integrated_lufs == pytest.approx(-20.0, abs=0.1)
    assert meter.short_term_lufs == pytest.approx(-20.0, abs=0.1)
    assert meter.momentary_lufs == pytest.approx(-20.0, abs=0.1)
    assert meter.true_peak_dbtp == pytest.approx(-20.0, abs=0.1)
    reference = pyloudnorm.Meter(RATE).integrated_loudness(audio.astype(np.float64))
    assert meter.integrated_lufs == pytest.approx(reference, abs=0.1)


@pytest.mark.parametrize("dbfs", [-23.0, -33.0])  # EBU Tech 3341 cases 1 and 2
def test_tech_3341_cases_1_and_2(dbfs):
    audio = sine(1000, dbfs, 20.0)
    meter = measure(audio)
    assert meter.integrated_lufs == pytest.approx(dbfs, abs=0.1)
    assert meter.integrated_lufs == pytest.approx(
        pyloudnorm.Meter(RATE).integrated_loudness(audio.astype(np.float64)), abs=0.1
    )


def test_other_rates_and_mono_agree_with_pyloudnorm():
    for rate, channels in ((44100, 2), (96000, 2), (48000, 1)):
        audio = sine(440, -12.0, 5.0, channels, rate) * np.linspace(0.2, 1.0, round(5.0 * rate))[
            :, None
        ].astype(np.float32)
        meter = measure(audio, rate, rate // 100)
        reference = pyloudnorm.Meter(rate).integrated_loudness(audio.astype(np.float64))
        assert meter.integrated_lufs == pytest.approx(reference, abs=0.1), (rate, channels)


def test_nothing_to_measure_reads_minus_infinity_until_audio_and_after_reset():
    meter = pypac.LoudnessMeter(RATE, 2)
    values = ("momentary_lufs", "short_term_lufs", "integrated_lufs", "true_peak_dbtp")
    assert all(getattr(meter, v) == -math.inf for v in values)
    meter.add(np.zeros((RATE, 2), np.float32))  # silence: below the absolute gate
    assert all(getattr(meter, v) == -math.inf for v in values)
    meter.add(sine(997, -20.0, 1.0))
    # the gating blocks that straddle the silence and the tone read a little lower
    assert meter.integrated_lufs == pytest.approx(-20.0, abs=1.0)
    meter.reset()
    assert all(getattr(meter, v) == -math.inf for v in values)
    assert (meter.sample_rate, meter.channels) == (RATE, 2)


def test_bad_input_is_a_clear_error():
    with pytest.raises(pypac.InvalidArgumentError, match="sample_rate 100 is out of range"):
        pypac.LoudnessMeter(100, 2)
    with pytest.raises(pypac.InvalidArgumentError, match="channels 0 is out of range"):
        pypac.LoudnessMeter(RATE, 0)
    meter = pypac.LoudnessMeter(RATE, 2)
    with pytest.raises(pypac.InvalidArgumentError, match="frames have 1 channels, the meter 2"):
        meter.add(np.zeros((10, 1), np.float32))
    with pytest.raises(TypeError):
        meter.add(np.zeros(10, np.float32))  # one dimension: not frames of channels
    meter.add(sine(997, -20.0, 3.0).astype(np.float64)[::1])  # other dtypes are converted
    assert meter.integrated_lufs == pytest.approx(-20.0, abs=0.1)


def test_a_live_readout_meter_measures_short_term_only():
    audio = sine(997, -20.0, 5.0)
    light = pypac.LoudnessMeter(RATE, 2, integrated=False, true_peak=False)
    light.add(audio)
    assert light.short_term_lufs == pytest.approx(measure(audio).short_term_lufs, abs=1e-9)
    with pytest.raises(pypac.InvalidArgumentError, match="integrated=False"):
        _ = light.integrated_lufs
    with pytest.raises(pypac.InvalidArgumentError, match="true_peak=False"):
        _ = light.true_peak_dbtp


def test_add_releases_the_gil_and_reads_are_safe_meanwhile():
    meter = pypac.LoudnessMeter(RATE, 2)
    audio = sine(997, -20.0, 30.0)
    feeding = threading.Thread(target=meter.add, args=(audio,))
    feeding.start()
    reads = 0
    while feeding.is_alive():  # another thread reads while add() runs
        _ = meter.short_term_lufs, meter.integrated_lufs
        reads += 1
    feeding.join()
    assert reads > 0
    assert meter.integrated_lufs == pytest.approx(-20.0, abs=0.1)


def test_summary_text():
    assert loudness_summary(-20.04, -19.93) == "-20.0 LUFS integrated, -19.9 dBTP true peak"
    assert loudness_summary(-math.inf, -math.inf) == "-inf LUFS integrated, -inf dBTP true peak"
    assert format_lufs(-18.4, 0) == "-18 LUFS"

"""Bad input is refused before it reaches the server; messages say what to do."""

from __future__ import annotations

import math
import os
import subprocess
import sys

import pytest

import pypac
from tests.support.waiting import wait_for_session


@pytest.mark.parametrize("volume", [math.nan, -0.01, 1.51, math.inf])
def test_volume_out_of_range_is_value_error(enumerator, player, volume):
    p = player(440)
    wait_for_session(enumerator, p.pid)
    # PulseAudio and PipeWire boost up to 150% (max_volume); past it is an error.
    with pytest.raises(ValueError, match=r"0\.0 to 1\.5"):
        enumerator.set_session_volume(p.pid, volume)
    assert enumerator.get_session(p.pid).volume == pytest.approx(1.0, abs=1e-3)


@pytest.mark.parametrize("volume", ["0.5", None, True, [0.5]])
def test_volume_of_wrong_type_is_type_error(enumerator, volume):
    with pytest.raises(TypeError):
        enumerator.set_session_volume(1, volume)


@pytest.mark.parametrize("pid", ["123", 1.5, None, True])
def test_pid_of_wrong_type_is_type_error(enumerator, pid):
    with pytest.raises(TypeError):
        enumerator.set_session_mute(pid, True)
    with pytest.raises(TypeError):
        pypac.ProcessCapture(pid)


def test_mute_needs_a_bool(enumerator):
    with pytest.raises(TypeError):
        enumerator.set_session_mute(1, "yes")


def test_unknown_pid_is_session_not_found(enumerator):
    pid = 2**22 + 12345  # above any default pid_max
    for call in (
        lambda: enumerator.set_session_volume(pid, 0.5),
        lambda: enumerator.set_session_mute(pid, True),
        lambda: enumerator.get_session(pid),
        lambda: pypac.ProcessCapture(pid).start(),
    ):
        with pytest.raises(pypac.SessionNotFoundError, match=str(pid)) as info:
            call()
        assert isinstance(info.value, LookupError)


@pytest.mark.parametrize(
    "kwargs", [{"sample_rate": 1000}, {"channels": 0}, {"channels": 9}, {"ring_seconds": 0.01}]
)
def test_bad_capture_format(kwargs):
    with pytest.raises(ValueError):
        pypac.ProcessCapture(1, **kwargs)


def test_read_before_start_says_so():
    with pytest.raises(RuntimeError, match="start"):
        pypac.ProcessCapture(1).read()


def test_no_server_names_the_address(tmp_path):
    # A fresh process, so the shared engine of this one stays untouched.
    address = f"unix:{tmp_path}/nothing/native"
    code = (
        "import pypac, sys\n"
        "try:\n"
        "    pypac.SessionEnumerator(connect_timeout=3)\n"
        "except pypac.ServerUnavailableError as e:\n"
        "    print(type(e).__mro__[2].__name__, e); sys.exit(0)\n"
        "sys.exit(1)\n"
    )
    env = dict(os.environ, PULSE_SERVER=address)
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=30
    )
    assert out.returncode == 0, out.stderr
    assert "ConnectionError" in out.stdout
    assert address in out.stdout
    assert "pa_context_connect()" in out.stdout
    assert "Start PulseAudio or PipeWire" in out.stdout

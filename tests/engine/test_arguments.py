"""Numbers mean what they say: waits of inf or 1e300 wait, NaN is refused, numpy numbers
and bools are taken, strings are not, and a pid too large for the engine is a clear error."""

from __future__ import annotations

import math
import os
import subprocess
import sys
import threading
import time

import numpy as np
import pytest

import pypac
from pypac import arguments
from pypac.errors import InvalidArgumentError
from tests.support.waiting import wait_for_session


def drain(en: pypac.SessionEnumerator) -> None:
    while en.wait_event(0.2) is not None:
        pass


@pytest.mark.parametrize("timeout", [math.inf, 1e10, 1e300, None])
def test_a_long_wait_for_an_event_waits_until_closed(enumerator, timeout):
    drain(enumerator)
    returned: list[float] = []

    def wait() -> None:
        enumerator.wait_event(timeout)
        returned.append(time.monotonic())

    waiter = threading.Thread(target=wait)
    waiter.start()
    time.sleep(0.5)
    assert not returned, f"wait_event({timeout}) returned at once"
    closed = time.monotonic()
    enumerator.close()  # wakes it
    waiter.join(5)
    assert returned and returned[0] >= closed


@pytest.mark.parametrize("timeout", [0, 0.0, -1, -math.inf])
def test_no_wait_for_zero_and_negative(enumerator, timeout):
    drain(enumerator)
    start = time.monotonic()
    assert enumerator.wait_event(timeout) is None
    assert time.monotonic() - start < 0.1


def test_nan_is_not_a_time(enumerator, player):
    with pytest.raises(pypac.InvalidArgumentError, match=r"timeout .*got nan"):
        enumerator.wait_event(math.nan)
    with pytest.raises(pypac.InvalidArgumentError, match=r"connect_timeout .*got nan"):
        pypac.SessionEnumerator(connect_timeout=math.nan)
    p = player(440)
    wait_for_session(enumerator, p.pid)
    with pypac.ProcessCapture(p.pid) as cap:
        for wait in (lambda: cap.read(timeout=math.nan), lambda: cap.wait_for_frames(10, math.nan)):
            with pytest.raises(pypac.InvalidArgumentError, match="nan"):
                wait()


def test_captures_wait_as_long_as_asked(enumerator, player):
    p = player(440)
    wait_for_session(enumerator, p.pid)
    with pypac.ProcessCapture(p.pid) as cap:
        assert len(cap.read(timeout=math.inf)) > 0
        assert cap.wait_for_frames(4800, 1e300)
        assert len(cap.read(timeout=-1)) >= 0


@pytest.mark.parametrize("timeout", ["inf", "1e300"])
def test_connect_timeout_inf_waits_for_the_attempt_not_zero_seconds(tmp_path, timeout):
    """No server: the error is the server's answer ("no such file"), not "no answer within
    inf s" after 0.00 s."""
    code = (
        "import pypac, sys\n"
        "try:\n"
        f"    pypac.SessionEnumerator(connect_timeout=float('{timeout}'))\n"
        "except pypac.ServerUnavailableError as e:\n"
        "    print(e); sys.exit(0)\n"
        "sys.exit(1)\n"
    )
    env = {**os.environ, "PULSE_SERVER": f"unix:{tmp_path}/nothing/native"}
    run = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60
    )
    assert run.returncode == 0, run.stderr
    assert "no answer within" not in run.stdout, run.stdout
    assert str(tmp_path) in run.stdout


def test_numpy_bools_and_numbers_are_taken(enumerator, player, sound_server):
    p = player(440)
    wait_for_session(enumerator, p.pid)
    pid = np.int64(p.pid)
    assert enumerator.set_session_mute(pid, np.True_)
    assert enumerator.get_session(p.pid).muted
    assert enumerator.set_session_mute(p.pid, np.False_)
    assert enumerator.set_session_volume(np.int32(p.pid), np.float32(0.5))
    assert enumerator.get_session(p.pid).volume == pytest.approx(0.5, abs=0.01)
    cap = pypac.ProcessCapture(pid, sample_rate=np.int64(48000), ring_seconds=np.float64(2))
    with cap:
        assert len(cap.read(timeout=np.float32(5))) > 0
        assert len(cap.read(timeout=2, max_frames=np.uint16(100))) <= 100


@pytest.mark.parametrize(
    "call",
    [
        lambda: pypac.ProcessCapture(1, ring_seconds="4"),
        lambda: pypac.ProcessCapture(1, sample_rate="48000"),
        lambda: pypac.SimpleLoopback(channels=2.0),
        lambda: pypac.SessionEnumerator(connect_timeout="1"),
    ],
)
def test_strings_are_not_numbers(call):
    with pytest.raises(TypeError, match="must be"):
        call()


def test_strings_are_not_timeouts(enumerator, player):
    with pytest.raises(TypeError, match="timeout must be a number of seconds, got str"):
        enumerator.wait_event("1")
    p = player(440)
    wait_for_session(enumerator, p.pid)
    with pypac.ProcessCapture(p.pid) as cap, pytest.raises(TypeError, match="got str"):
        cap.read(timeout="1")


@pytest.mark.parametrize("pid", [2**63, 2**64 + 5, np.uint64(2**63)])
def test_a_pid_too_large_for_the_engine_is_a_clear_error(enumerator, pid):
    for call in (
        lambda: enumerator.get_session(pid),
        lambda: enumerator.set_session_mute(pid, True),
        lambda: enumerator.set_session_volume(pid, 0.5),
        lambda: pypac.ProcessCapture(pid),
        lambda: pypac.SimpleLoopback(exclude_pid=pid),
    ):
        with pytest.raises(pypac.InvalidArgumentError, match=r"process id must be 1\.\.2\*\*63-1"):
            call()


def test_the_largest_pid_reaches_the_engine(enumerator):
    with pytest.raises(pypac.SessionNotFoundError):
        enumerator.get_session(2**63 - 1)


def test_one_limit_for_ring_seconds():
    """Python and the engine share the limits (they had drifted: 0.5 in Python, 0.1 in C++)."""
    assert pypac._engine.MIN_RING_SECONDS == 0.5
    with pytest.raises(pypac.InvalidArgumentError, match=r"ring_seconds must be 0\.5\.\.600"):
        pypac.ProcessCapture(1, ring_seconds=0.2)


@pytest.mark.parametrize("name", ["", None, 5, b"firefox"])
def test_a_session_name_is_a_non_empty_str(enumerator, name):
    with pytest.raises(TypeError, match="name must be a non-empty str"):
        enumerator.find_sessions(name)


def test_a_time_limit_is_positive_seconds_or_none():
    assert arguments.time_limit("duration", None) is None
    assert arguments.time_limit("duration", float("inf")) is None
    assert arguments.time_limit("duration", np.float32(2.5)) == 2.5
    for bad in (0, -1, float("nan"), float("-inf")):
        with pytest.raises(InvalidArgumentError, match="duration must be a positive number"):
            arguments.time_limit("duration", bad)
    with pytest.raises(TypeError, match="duration must be a number of seconds, got str"):
        arguments.time_limit("duration", "5")

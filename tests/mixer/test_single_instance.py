"""One mixer per user session: a second launch shows the first window and exits."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from pypac.mixer.single_instance import InstanceServer, ask_running_to_raise


def test_a_second_launch_raises_the_first(qtbot, qapp, tmp_path):
    name = str(tmp_path / "mixer.socket")
    raised: list[bool] = []
    assert not ask_running_to_raise(name)  # nobody there yet
    server = InstanceServer(name, lambda: raised.append(True))
    assert server.listening
    assert ask_running_to_raise(name)
    qtbot.waitUntil(lambda: raised == [True])
    server.server.close()


@pytest.mark.timeout(60)
def test_a_second_pypac_mixer_exits_at_once(qtbot, sound_server, tmp_path):
    env = {
        **sound_server.env,
        "QT_QPA_PLATFORM": "offscreen",
        "PYPAC_MIXER_INSTANCE": str(tmp_path / "mixer.socket"),
        "PYPAC_MIXER_SETTINGS": str(tmp_path / "mixer.ini"),
    }
    argv = [sys.executable, "-m", "pypac.mixer.app"]
    first = subprocess.Popen(argv, env=env, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 20
        while not (tmp_path / "mixer.socket").exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert (tmp_path / "mixer.socket").exists()
        t0 = time.monotonic()
        second = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=20)
        assert second.returncode == 0, second.stderr
        assert "already running" in second.stderr
        assert time.monotonic() - t0 < 5
        assert first.poll() is None  # the first goes on
        # --new-instance starts another regardless (what tests and scripts use).
        third = subprocess.run(
            [*argv, "--new-instance", "--quit-after", "0.5"],
            env=env,
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert third.returncode == 0 and "already running" not in third.stderr
    finally:
        first.terminate()
        first.wait(10)
    # A killed mixer's socket does not keep the next one from listening.
    killed = subprocess.Popen(argv, env=env)
    deadline = time.monotonic() + 20
    while not (tmp_path / "mixer.socket").exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    killed.kill()
    killed.wait()
    again = subprocess.Popen(argv, env=env, stderr=subprocess.PIPE, text=True)
    try:
        time.sleep(3)
        assert again.poll() is None
    finally:
        again.terminate()
        again.wait(10)

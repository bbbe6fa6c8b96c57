"""`pypac-mixer` ended by a signal exits 0 and cleanly: no traceback, and no
nanobind report of objects alive past the interpreter's end (a pending
--quit-after timer used to keep the window alive through its callable)."""

from __future__ import annotations

import signal
import subprocess
import sys
import time

import pytest


@pytest.mark.timeout(90)
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_before_quit_after_ends_the_mixer_cleanly(sound_server, player, tmp_path, sig):
    player(440, name="Exit tone")
    env = {
        **sound_server.env,
        "QT_QPA_PLATFORM": "offscreen",
        "PYPAC_MIXER_SETTINGS": str(tmp_path / "mixer.ini"),
    }
    mixer = subprocess.Popen(
        [sys.executable, "-m", "pypac.mixer.app", "--quit-after", "60"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    time.sleep(4)  # running: strips made, captures open
    mixer.send_signal(sig)
    said, _ = mixer.communicate(timeout=30)
    assert mixer.returncode == 0, said
    assert "leaked" not in said and "Traceback" not in said, said

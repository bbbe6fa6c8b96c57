"""Demo mode's own processes and files: the private server and the players die with
the mixer however it ends, a killed mixer's folder is removed by the next demo, and
a server (or pactl) that does not answer ends demo mode with a clear message."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pypac.demo.folders import OWNER_FILE, make_demo_folder, remove_stale_demo_folders
from pypac.demo.pulse_server import PulseServer, ServerError

# A mixer in demo mode, as far as its helpers can tell: it starts the demo, says
# which processes it started, and waits to be killed.
DEMO_OWNER = """
import json, time
from pypac.mixer.demo import DemoSession
demo = DemoSession(2).start()
print(json.dumps({"pids": demo.helper_pids, "folder": demo.folder}), flush=True)
time.sleep(600)
"""


def alive(pid: int) -> bool:
    """Running (a zombie nobody reaped yet counts as gone)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")


@pytest.fixture
def hanging_pactl(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A `pactl` first on PATH that never answers."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    pactl = bin_dir / "pactl"
    pactl.write_text("#!/bin/sh\nexec sleep 600\n")
    pactl.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    return pactl


def test_a_killed_demo_takes_its_server_and_players_along_and_its_folder_goes_next_time():
    owner = subprocess.Popen([sys.executable, "-c", DEMO_OWNER], stdout=subprocess.PIPE, text=True)
    try:
        line = owner.stdout.readline() if owner.stdout else ""
        assert line, f"the demo did not start (exit {owner.poll()})"
        started = json.loads(line)
        pids, folder = started["pids"], Path(started["folder"])
        assert len(pids) == 3 and all(alive(pid) for pid in pids)  # the server, two players
        assert folder.is_dir()
    finally:
        owner.send_signal(signal.SIGKILL)  # no clean-up code runs
        owner.wait()
        if owner.stdout:
            owner.stdout.close()

    deadline = time.monotonic() + 5
    while any(alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    left = [pid for pid in pids if alive(pid)]
    for pid in left:  # never leave them running, even when the test fails
        os.kill(pid, signal.SIGKILL)
    assert not left, f"still running 5 s after the mixer was killed: {left}"

    assert folder.is_dir()  # nobody removed it; the next demo does
    assert folder in remove_stale_demo_folders(folder.parent)
    assert not folder.exists()


def test_folders_of_running_owners_and_of_no_known_owner_stay(tmp_path: Path):
    own = make_demo_folder()
    try:
        unknown = Path(str(own) + "-unknown")
        unknown.mkdir()
        (tmp_path / "pypac-demo-other").mkdir()
        assert own not in remove_stale_demo_folders(own.parent)
        assert unknown not in remove_stale_demo_folders(own.parent)
        assert own.is_dir() and unknown.is_dir()
        assert (own / OWNER_FILE).read_text() == str(os.getpid())
    finally:
        for folder in (own, unknown):
            (folder / OWNER_FILE).unlink(missing_ok=True)
            folder.rmdir()


@pytest.mark.timeout(60)
def test_a_hanging_pactl_does_not_hang_the_readiness_check(tmp_path: Path, hanging_pactl: Path):
    server = PulseServer(tmp_path / "server")
    started = time.monotonic()
    with pytest.raises(ServerError, match="pactl gave no answer within 5 s"):
        server.start(timeout=2)
    assert time.monotonic() - started < 15
    assert not server.running  # the server it started is stopped again


@pytest.mark.timeout(90)
def test_demo_mode_says_what_went_wrong_when_its_server_never_answers(hanging_pactl: Path):
    run = subprocess.run(
        [sys.executable, "-m", "pypac.mixer.app", "--demo", "--quit-after", "1"],
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        capture_output=True,
        text=True,
        timeout=80,
    )
    assert run.returncode == 1, run.stderr
    assert "demo mode could not start its sound server" in run.stderr
    assert "did not answer within 15 s (pactl gave no answer within 5 s)" in run.stderr
    assert "Traceback" not in run.stderr

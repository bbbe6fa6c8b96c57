"""One app = one process tree, by the rule of apps/process_tree.hpp.

A browser plays from a helper process its main process started and marked
(Chromium: `--type=...`): the app is keyed by the main process, and either
pid controls and captures it. Programs that merely start one another (Python
started from Python) stay separate apps.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator

import pytest

import pypac
from pypac.demo.processes import stop_processes
from tests.support.spectrum import dominant_frequency
from tests.support.waiting import capture_for, wait_for_session, wait_until

RATE = 48000


def _tone_player_code(freq: float, name: str) -> str:
    return (
        "import sys, runpy; "
        f"sys.argv = ['tone_player', '--freq', '{freq}', '--name', '{name}', '--duration', '60']; "
        "runpy.run_module('pypac.demo.tone_player', run_name='__main__')"
    )


def _spawn_tree(sound_server, child_argv: list[str], parent_plays: float | None):
    """A parent Python process that starts `child_argv` and prints its pid;
    the parent itself plays `parent_plays` Hz, or nothing."""
    parent_code = (
        "import subprocess, sys, threading\n"
        f"child = subprocess.Popen({child_argv!r})\n"
        "print(child.pid, flush=True)\n"
    )
    if parent_plays is not None:
        parent_code += _tone_player_code(parent_plays, "Parent player").replace("; ", "\n") + "\n"
    parent_code += "child.wait()\n"
    parent = subprocess.Popen(
        [sys.executable, "-c", parent_code],
        env=sound_server.env,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert parent.stdout is not None
    child_pid = int(parent.stdout.readline())
    return parent, child_pid


@pytest.fixture
def trees() -> Iterator[list[subprocess.Popen[str]]]:
    started: list[subprocess.Popen[str]] = []
    yield started
    for p in started:
        if p.poll() is None:
            p.terminate()
    stop_processes(started)


def test_a_marked_helper_is_its_parents_app(sound_server, enumerator, trees):
    # The child plays, marked the way Chromium marks its audio service.
    child = [
        sys.executable,
        "-c",
        _tone_player_code(660, "Browser audio service"),
        "--type=utility",
        "--utility-sub-type=audio.mojom.AudioService",
    ]
    parent, child_pid = _spawn_tree(sound_server, child, parent_plays=None)
    trees.append(parent)
    session = wait_for_session(enumerator, parent.pid, timeout=10)
    assert session.process_ids[0] == parent.pid and child_pid in session.process_ids
    assert not any(s.process_id == child_pid for s in enumerator.enumerate_sessions())
    assert enumerator.get_session(child_pid).process_id == parent.pid

    enumerator.set_session_volume(child_pid, 0.5)  # either pid controls the app
    wait_until(lambda: enumerator.get_session(parent.pid).volume == pytest.approx(0.5, abs=0.01))
    enumerator.set_session_volume(parent.pid, 1.0)
    for pid in (parent.pid, child_pid):
        with pypac.ProcessCapture(pid) as cap:
            audio = capture_for(cap, 0.5)
        assert dominant_frequency(audio, RATE) == pytest.approx(660, abs=3)


def test_python_started_from_python_stays_two_apps(sound_server, enumerator, trees):
    child = [sys.executable, "-c", _tone_player_code(880, "Child player")]
    parent, child_pid = _spawn_tree(sound_server, child, parent_plays=440)
    trees.append(parent)
    wait_for_session(enumerator, parent.pid, timeout=10)
    wait_for_session(enumerator, child_pid, timeout=10)
    assert enumerator.get_session(child_pid).process_ids == (child_pid,)
    with pypac.ProcessCapture(child_pid) as cap:
        audio = capture_for(cap, 0.5)
    assert dominant_frequency(audio, RATE) == pytest.approx(880, abs=3)

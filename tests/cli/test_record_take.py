"""`pypac record` with several sources: a take in a folder, from the command line."""

from __future__ import annotations

import json
import re
import signal

import pytest
import soundfile as sf

from pypac.correlation import find_lag
from tests.support.record_cli import start_record
from tests.support.waiting import wait_for_session, wait_until

from .test_cli import pypac_cli

RATE = 48000


def test_record_take_of_two_apps_and_the_system(enumerator, player, sound_server, tmp_path):
    a = player(440, name="Take A", amplitude=0.2, clicks=8)
    b = player(1000, name="Take B", amplitude=0.2, clicks=8)
    wait_for_session(enumerator, a.pid, timeout=30)
    wait_for_session(enumerator, b.pid, timeout=30)
    folder = tmp_path / "take"
    out = pypac_cli(
        sound_server,
        "record",
        "--pid",
        str(a.pid),
        "--name",
        "Take B",
        "--system",
        "--output-dir",
        str(folder),
        "--duration",
        "5",
        "--format",
        "wav",
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    manifest = json.loads((folder / "manifest.json").read_text())
    files = [t["file"] for t in manifest["tracks"]]
    assert files == ["01-take-a.wav", "02-take-b.wav", "03-system.wav"]
    # The summary lists every track with its frames, dropped frames and loudness.
    for f in files:
        line = rf"{5 * RATE} frames, 0 dropped, -\d+\.\d LUFS integrated, .* dBTP true peak -> {f}"
        assert re.search(line, out.stdout), out.stdout
    tracks = [sf.read(folder / f, dtype="float32", always_2d=True)[0] for f in files]
    assert [len(t) for t in tracks] == [5 * RATE] * 3
    for app in tracks[:2]:
        lag, clarity = find_lag(app, tracks[2], 4800)
        # (what the take knew of its tracks, to tell a late reference from a misplaced app)
        assert clarity > 4 and abs(lag) <= 48, (lag, clarity, manifest["tracks"])


def test_sigterm_ends_a_take_with_whole_files(enumerator, player, sound_server, tmp_path):
    a = player(440, name="Take stopped", amplitude=0.2, clicks=8)
    wait_for_session(enumerator, a.pid, timeout=30)
    folder = tmp_path / "take"
    proc = start_record(sound_server, "--pid", str(a.pid), "--system", "--output-dir", str(folder))
    assert proc.stdout is not None
    line = proc.stdout.readline()
    assert line.startswith("Recording a take"), (line, proc.stderr.read() if proc.stderr else "")
    manifest_path = folder / "manifest.json"

    def written() -> int:
        try:
            return int(json.loads(manifest_path.read_text())["frames"])
        except (OSError, ValueError, KeyError):
            return 0

    wait_until(lambda: written() > RATE, timeout=60)
    proc.send_signal(signal.SIGTERM)
    stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 0, stderr
    assert "stopped:" in stdout
    manifest = json.loads(manifest_path.read_text())
    assert manifest["end"] == "stopped"
    lengths = {len(sf.read(folder / t["file"], dtype="float32")[0]) for t in manifest["tracks"]}
    assert lengths == {manifest["frames"]}


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("--pid", "1", "--system", "-o", "{tmp}/x.flac"), "2 sources make a take"),
        (("--mic", "-o", "{tmp}/x.flac"), "--mic records as a take"),
        (("--system", "-o", "{tmp}/x.flac", "--single-file"), "--single-file is for takes"),
        (("--system",), "say where to record"),
        (("--output-dir", "{tmp}/t"), "name what to record"),
        (("--system", "--system", "--output-dir", "{tmp}/t"), "--system is given twice"),
        (("--system", "--output-dir", "{tmp}/t", "--duration", "-1"), "positive number"),
        (
            (
                *("--system", "--system-except", "1", "--output-dir", "{tmp}/t"),
                *("--single-file", "--pid", "1", "--pid", "2", "--name", "x"),
            ),
            "at most 8 channels",
        ),
    ],
)
def test_bad_take_usage_exits_2(sound_server, tmp_path, args, says):
    argv = [a.replace("{tmp}", str(tmp_path)) for a in args]
    out = pypac_cli(sound_server, "record", *argv)
    assert out.returncode == 2, out.stderr
    assert says in out.stderr, out.stderr
    assert not list(tmp_path.iterdir())


def test_take_of_a_missing_process_exits_3(sound_server, tmp_path):
    out = pypac_cli(
        sound_server, "record", "--pid", str(2**22 + 777), "--system", "--output-dir", str(tmp_path)
    )
    assert out.returncode == 3, out.stderr
    assert "does not exist" in out.stderr

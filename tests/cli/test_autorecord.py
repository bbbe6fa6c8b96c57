"""`pypac autorecord` as a user runs it: armed until Ctrl+C, a file per app
that plays, every file whole when it stops."""

from __future__ import annotations

import re
import resource
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
import soundfile as sf

from pypac.cli.exits import EXIT_ERROR, EXIT_NO_APP, EXIT_NO_SERVER, EXIT_OK, EXIT_USAGE
from tests.support.spectrum import dominant_frequency
from tests.support.waiting import wait_until

from .test_cli import pypac_cli

RATE = 48000
LINE = re.compile(r"^(started|stopped): (.+) \(pid (\d+)\)(.*) -> (.+)$")


class AutoRecordRun:
    """`pypac autorecord ARGS` in the background; its output lines as they come."""

    def __init__(self, server, *args: str, **popen: Any) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "pypac", "autorecord", *args],
            env=server.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            **popen,
        )
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.append(line.rstrip("\n"))

    def wait_line(self, start: str, count: int = 1, timeout: float = 15.0) -> list[str]:
        def found() -> list[str]:
            hits = [line for line in self.lines if line.startswith(start)]
            return hits if len(hits) >= count else []

        return wait_until(found, timeout=timeout)

    def stop(self, sig: int = signal.SIGINT) -> tuple[int, str]:
        self.proc.send_signal(sig)
        assert self.proc.stderr is not None
        stderr = self.proc.stderr.read()
        code = self.proc.wait(timeout=20)
        self._reader.join(5)
        return code, stderr


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_ctrl_c_finishes_every_open_file(sound_server, player, tmp_path, sig):
    run = AutoRecordRun(
        sound_server, "--name", "Alpha", "--name", "beta", "--output-dir", str(tmp_path)
    )
    run.wait_line("Armed: recording Alpha, beta")
    short = player(440, name="Alpha", duration=2.0)
    endless = player(1000, name="Beta")
    other = player(700, name="Gamma", duration=2.5)
    run.wait_line("stopped: Alpha")
    run.wait_line("started: Beta")
    assert other.wait(timeout=10) == 0
    code, stderr = run.stop(sig)
    assert code == EXIT_OK, stderr
    starts = [LINE.match(line) for line in run.wait_line("started:", 2)]
    stops = {m.group(3): m for m in (LINE.match(line) for line in run.wait_line("stopped:", 2))}
    assert {int(m.group(3)) for m in starts if m} == {short.pid, endless.pid}
    assert "(the app exited)" in stops[str(short.pid)].group(4)
    assert "(stopped)" in stops[str(endless.pid)].group(4)
    files = sorted(tmp_path.iterdir())
    assert files == sorted(Path(m.group(5)) for m in stops.values())
    for pid, freq in ((short.pid, 440), (endless.pid, 1000)):
        audio, rate = sf.read(stops[str(pid)].group(5), dtype="float32", always_2d=True)
        assert rate == RATE and len(audio) >= RATE // 20
        assert dominant_frequency(audio, RATE) == pytest.approx(freq, abs=3)
        frames = int(re.search(r"(\d+) frames", stops[str(pid)].group(4)).group(1))
        assert frames == len(audio)


def test_silence_and_max_duration_from_the_command_line(sound_server, player, tmp_path):
    run = AutoRecordRun(
        sound_server,
        *("--name", "Quiet", "--name", "Capped", "-d", str(tmp_path)),
        *("--silence", "1", "--max-duration", "3", "--format", "wav"),
    )
    run.wait_line("Armed:")
    player(440, name="Quiet", duration=6.0, gap=(0.5, 5.0))  # silent (alive) after 0.5 s
    player(1000, name="Capped")
    run.wait_line("stopped: Quiet")
    run.wait_line("stopped: Capped")
    code, stderr = run.stop()
    assert code == EXIT_OK, stderr
    quiet = next(line for line in run.lines if line.startswith("stopped: Quiet"))
    capped = next(line for line in run.lines if line.startswith("stopped: Capped"))
    assert "(silence)" in quiet and "(maximum length reached)" in capped
    assert "3.00 s, 144000 frames" in capped and capped.endswith(".wav")


def test_mic_records_a_take_of_each_app(sound_server, player, fake_mic, tmp_path):
    sound_server.pactl("set-default-source", fake_mic)  # --mic alone: the default input
    wait_until(lambda: sound_server.pactl("get-default-source").strip() == fake_mic)
    run = AutoRecordRun(sound_server, "--name", "Caller", "--mic", "-d", str(tmp_path))
    run.wait_line(f"Armed: recording Caller with the microphone {fake_mic} into")
    p = player(440, name="Caller", duration=1.5)
    (line,) = run.wait_line("stopped: Caller")
    assert p.wait(timeout=10) == 0
    code, stderr = run.stop()
    assert code == EXIT_OK, stderr
    match = LINE.match(line)
    assert match is not None and "(the app exited)" in match.group(4)
    folder = Path(match.group(5))
    assert folder.is_dir() and folder.parent == tmp_path
    tracks = [sf.read(f, dtype="float32", always_2d=True)[0] for f in sorted(folder.glob("*.flac"))]
    assert len(tracks) == 2 and len(tracks[0]) == len(tracks[1]) > RATE
    assert dominant_frequency(tracks[0], RATE) == pytest.approx(440, abs=3)


def _limit_file_size() -> None:
    # A file-size limit is a full disk to the writer: the write fails with EFBIG.
    resource.setrlimit(resource.RLIMIT_FSIZE, (400_000, 400_000))


def test_a_full_disk_fails_that_file_and_the_watch_goes_on(sound_server, player, tmp_path):
    run = AutoRecordRun(
        sound_server,
        *("--name", "Filler", "--name", "Next", "-d", str(tmp_path), "--format", "wav"),
        preexec_fn=_limit_file_size,  # float WAV: 384 kB/s, the limit hits after ~1 s
    )
    run.wait_line("Armed:")
    player(440, name="Filler")
    run.wait_line("stopped: Filler")
    nxt = player(1000, name="Next", duration=0.5)
    run.wait_line("stopped: Next")
    assert nxt.wait(timeout=10) == 0
    code, stderr = run.stop()
    assert code == EXIT_ERROR, stderr
    assert "free some space or choose another folder" in stderr
    filler = next(line for line in run.lines if line.startswith("stopped: Filler"))
    assert "(write failed)" in filler
    for line in run.wait_line("stopped:", 2):  # each file readable up to its end or error
        match = LINE.match(line)
        assert match is not None
        assert len(sf.read(match.group(5), always_2d=True)[0]) > 0


@pytest.mark.parametrize(
    ("args", "complaint"),
    [
        (["--output-dir", "{tmp}"], "--name"),
        (["--name", "x"], "--output-dir"),
        (["--name", " ", "-d", "{tmp}"], "name is empty"),
        (["--name", "x", "-d", "{tmp}", "--silence", "0"], "positive number of seconds"),
        (["--name", "x", "-d", "{tmp}", "--max-duration", "soon"], "not a number of seconds"),
        (["--name", "x", "-d", "{tmp}", "--format", "mp3"], "invalid choice"),
        (["--name", "x", "-d", "{tmp}/file.txt"], "is a file, not a folder"),
    ],
)
def test_bad_input_is_a_usage_error(tmp_path, args, complaint):
    (tmp_path / "file.txt").write_text("not a folder")
    argv = [a.replace("{tmp}", str(tmp_path)) for a in args]
    out = pypac_cli(None, "autorecord", *argv)
    assert out.returncode == EXIT_USAGE
    assert complaint in out.stderr


def test_a_missing_microphone_exits_3(sound_server, tmp_path):
    out = pypac_cli(sound_server, "autorecord", "--name", "x", "-d", str(tmp_path), "--mic", "nope")
    assert out.returncode == EXIT_NO_APP
    assert "no device named 'nope'" in out.stderr


def test_no_server_exits_4(tmp_path, monkeypatch):
    monkeypatch.setenv("PULSE_SERVER", f"unix:{tmp_path}/nothing-here")
    out = pypac_cli(None, "autorecord", "--name", "x", "-d", str(tmp_path / "out"))
    assert out.returncode == EXIT_NO_SERVER
    assert "cannot reach the sound server" in out.stderr

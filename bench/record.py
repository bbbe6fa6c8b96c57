"""Recording benchmark: 8 simultaneous FLAC recordings with the mixer open.

On a private PulseAudio server, N players (paplay, 440 Hz) play while the
mixer window runs offscreen against the same server (its strips capture every
app for their waveforms and meters). For --seconds:

1. ours:      N `pypac.Recorder`s in this process write FLAC (24-bit);
2. reference: N `parecord --monitor-stream=I --file-format=flac` processes
              (PulseAudio's own recorder, libsndfile too) write the same.

Printed: dropped frames (goal 0), frames written against the clock, CPU % of
one core (ours: this whole process; parecord: all N processes) and their
ratio, the mixer's CPU % beside each run, and write throughput (MB/s, and the
files' size per minute of audio).

    python bench/record.py [--seconds 60] [--count 8] [--no-mixer]
"""

from __future__ import annotations

import argparse
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import soundfile as sf

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests.support: the servers

from tests.support.sound_servers import PrivateServer

import pypac
from capture import cpu_seconds, make_tone, start_players
from pypac.demo.processes import stop_processes

RATE = 48000


def start_mixer(server: PrivateServer) -> subprocess.Popen[bytes]:
    env = server.env
    env["QT_QPA_PLATFORM"] = "offscreen"
    env["PYPAC_MIXER_SETTINGS"] = str(server.root / "mixer.ini")  # not the user's settings
    return subprocess.Popen(
        [sys.executable, "-m", "pypac.mixer.app", "--new-instance"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def run_ours(pids: list[int], folder: Path, seconds: float) -> dict[str, float]:
    recorders = [pypac.Recorder(pid, folder / f"ours-{pid}.flac").start() for pid in pids]
    deadline = time.monotonic() + 10
    while any(r.status.waiting_for_audio for r in recorders) and time.monotonic() < deadline:
        time.sleep(0.01)
    frames0 = [r.status.frames_written for r in recorders]
    cpu0, t0 = cpu_seconds(), time.monotonic()
    time.sleep(seconds)
    wall = time.monotonic() - t0
    cpu = cpu_seconds() - cpu0
    kept_up = min(r.status.frames_written - f0 for r, f0 in zip(recorders, frames0))
    statuses = [r.stop() for r in recorders]
    errors = [s.error for s in statuses if s.error]
    if errors:
        raise SystemExit(f"recording failed: {errors[0]}")
    frames = sum(s.frames_written for s in statuses)
    size = sum(s.bytes_written for s in statuses)
    audio_s = frames / RATE
    return {
        "cpu": 100 * cpu / wall,
        "dropped": sum(s.dropped_frames for s in statuses),
        "clock_ratio": kept_up / RATE / wall,  # the slowest file kept up with the clock
        "mb_per_s": size / 1e6 / wall,
        "mb_per_min_audio": size / 1e6 / audio_s * 60,
    }


def run_parecord(server: PrivateServer, folder: Path, seconds: float) -> dict[str, float]:
    procs = [
        subprocess.Popen(
            [
                "parecord",
                f"--monitor-stream={s['index']}",
                "--file-format=flac",
                "--format=s24le",
                f"--rate={RATE}",
                "--channels=2",
                str(folder / f"parecord-{s['index']}.flac"),
            ],
            env=server.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for s in server.sink_inputs()
    ]
    time.sleep(2.0)  # past the first-data delay, as ours waits for audio
    cpu0 = sum(cpu_seconds(p.pid) for p in procs)
    t0 = time.monotonic()
    time.sleep(seconds)
    wall = time.monotonic() - t0
    cpu = sum(cpu_seconds(p.pid) for p in procs) - cpu0
    for p in procs:
        p.send_signal(signal.SIGINT)  # parecord finalizes its file on SIGINT, not on SIGTERM
    for p in procs:
        p.wait()
    # (parecord's FLAC files do not record their length: go by the clock.)
    size = sum(f.stat().st_size for f in folder.glob("parecord-*.flac"))
    return {
        "cpu": 100 * cpu / wall,
        "mb_per_s": size / 1e6 / (wall + 2.0),
        "mb_per_min_audio": size / 1e6 / (wall + 2.0) * 60 / len(procs) * len(procs),
    }


def run_encode_only(count: int, folder: Path, seconds: float) -> dict[str, float]:
    """The floor: libsndfile encoding the same amount of audio to FLAC, in 50 ms
    blocks, with no capture at all. CPU % of one core per second of audio."""
    t = np.arange(RATE) / RATE
    tone = np.repeat((0.3 * np.sin(2 * np.pi * 440 * t))[:, None], 2, axis=1).astype(np.float32)
    block = RATE // 20
    cpu0 = cpu_seconds()
    for i in range(count):
        with sf.SoundFile(
            folder / f"encode-{i}.flac", "w", RATE, 2, format="FLAC", subtype="PCM_24"
        ) as f:
            for _ in range(int(seconds * 20)):
                start = (_ * block) % RATE
                f.write(tone[start : start + block])
    return {"cpu": 100 * (cpu_seconds() - cpu0) / seconds}


def mixer_cpu(mixer: subprocess.Popen[bytes] | None, run: object) -> tuple[object, float]:
    if mixer is None:
        return run(), float("nan")  # type: ignore[operator]
    c0, t0 = cpu_seconds(mixer.pid), time.monotonic()
    result = run()  # type: ignore[operator]
    return result, 100 * (cpu_seconds(mixer.pid) - c0) / (time.monotonic() - t0)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--count", type=int, default=8)
    ap.add_argument("--no-mixer", action="store_true", help="without the mixer window")
    args = ap.parse_args()

    with tempfile.TemporaryDirectory(prefix="pypac-bench-record-") as tmp:
        root = Path(tmp)
        server = PrivateServer("pulseaudio", root / "server").start()
        server.activate()
        pypac.engine.reset_engine()
        tone = root / "tone.wav"
        make_tone(tone, 2 * args.seconds + 40)
        out = root / "out"
        out.mkdir()
        players = start_players(server, tone, args.count)
        mixer = None if args.no_mixer else start_mixer(server)
        try:
            time.sleep(3.0)  # the mixer is up and capturing every strip
            pids = [p.pid for p in players]
            ours, mixer_ours = mixer_cpu(mixer, lambda: run_ours(pids, out, args.seconds))
            theirs, mixer_theirs = mixer_cpu(mixer, lambda: run_parecord(server, out, args.seconds))
        finally:
            stop_processes([*players, *([mixer] if mixer is not None else [])])
            server.stop()

        floor = run_encode_only(args.count, out, args.seconds)

    assert isinstance(ours, dict) and isinstance(theirs, dict)
    print(
        f"\nRecording benchmark: {args.count} x FLAC 24-bit 48 kHz stereo, {args.seconds:g} s, "
        f"private PulseAudio, mixer {'closed' if args.no_mixer else 'open (offscreen)'}"
    )
    print(
        f"{'':<10} | {'CPU %':>6} | {'mixer CPU %':>11} | {'dropped':>7} | "
        f"{'audio/clock':>11} | {'MB/s':>6} | {'MB per audio-min':>16}"
    )
    print(
        f"{'PyPAC':<10} | {ours['cpu']:>6.1f} | {mixer_ours:>11.1f} | {ours['dropped']:>7} | "
        f"{ours['clock_ratio']:>11.4f} | {ours['mb_per_s']:>6.3f} | "
        f"{ours['mb_per_min_audio']:>16.2f}"
    )
    print(
        f"{'parecord':<10} | {theirs['cpu']:>6.1f} | {mixer_theirs:>11.1f} | {'-':>7} | "
        f"{'-':>11} | {theirs['mb_per_s']:>6.3f} | {theirs['mb_per_min_audio']:>16.2f}"
    )
    print(f"{'encode':<10} | {floor['cpu']:>6.1f} |  (libsndfile FLAC encoding alone, no capture)")
    print(
        f"CPU ratio PyPAC / encode-only: {ours['cpu'] / floor['cpu']:.2f} "
        "(capture + threads + Python on top of the encoding itself)"
    )
    print(
        "parecord is PulseAudio's recorder for comparison; it writes FLAC with other settings "
        f"({theirs['mb_per_min_audio'] / ours['mb_per_min_audio']:.0f}x our file size), "
        "so its CPU is not the same work."
    )
    print("goal: 0 dropped frames")
    return 0


if __name__ == "__main__":
    sys.exit(main())

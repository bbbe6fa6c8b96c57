"""Take benchmark: 8 apps + the System mix + a virtual microphone, sample-aligned.

On each private server (PulseAudio, and PipeWire through pipewire-pulse), 8
players (paplay, each a different tone with its own seeded click train) play
and a virtual microphone (a second null sink's monitor, fed by one more
player) records. For --seconds:

1. ours:      one `pypac.Take` of the 8 apps, the System track and the mic;
2. reference: 9 independent `pypac.Recorder`s (the 8 apps and the system) in
              the same process, the way one recorded before takes (no
              alignment, no mic).

Printed per server: CPU % of one core of this process for each (and their
ratio), dropped frames (goal 0), bytes per second written, and for every app
track its lag against the System track (cross-correlation, frames; goal 0
within 48 = 1 ms) in the first and the last 2 s (their difference is the
drift over the take). The loudness meter's cost per stream is printed where
this build has one (`pypac._engine.LoudnessMeter`).

    python bench/take.py [--seconds 60] [--servers pulseaudio,pipewire]

`--seconds 300` is the five-minute drift check. Prints a table, asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import soundfile as sf

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests.support: the servers

from tests.support.sound_servers import KINDS, PrivateServer

import pypac
from pypac.correlation import find_lag
from pypac.demo.processes import stop_processes
from pypac.demo.tone_player import CHANNELS, RATE, ClickTrain, tone_block

APPS = 8
MIC_SINK = "bench_mic_sink"


def make_clicking_tone(path: Path, freq: float, seconds: float) -> None:
    """A WAV of a tone plus a click train seeded by the tone (paplay plays it)."""
    frames = int(seconds * RATE)
    audio = tone_block(freq, 0, frames, 0.1)
    ClickTrain(8, round(freq), 0.5).add_to(audio, 0)
    sf.write(path, audio, RATE, subtype="PCM_16")


def start_players(server: PrivateServer, files: list[Path], sink: str | None = None):
    env = dict(server.env)
    if sink:
        env["PULSE_SINK"] = sink
    return [
        subprocess.Popen(
            ["paplay", "--client-name", f"bench take {i}", str(f)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for i, f in enumerate(files)
    ]


def wait_playing(pids: list[int]) -> None:
    en = pypac.SessionEnumerator()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        active = {
            s.process_id for s in en.enumerate_sessions() if s.state == pypac.SessionState.ACTIVE
        }
        if set(pids) <= active:
            en.close()
            return
        time.sleep(0.05)
    raise SystemExit(f"players did not start: {set(pids) - active}")


def add_virtual_mic(server: PrivateServer) -> str:
    """A device fed by its own player, recorded like a microphone: a null
    sink's monitor (a remapped source would become PipeWire's default input,
    and its monitor the System track's). The default output stays what it was
    (PipeWire makes a new sink the default)."""
    default = server.pactl("get-default-sink").strip()
    server.pactl("load-module", "module-null-sink", f"sink_name={MIC_SINK}")
    server.pactl("set-default-sink", default)
    return MIC_SINK


def folder_bytes(folder: Path) -> int:
    return sum(f.stat().st_size for f in folder.iterdir() if f.suffix != ".json")


def run_take(sources, folder: Path, seconds: float) -> dict[str, object]:
    cpu0, wall0 = time.process_time(), time.monotonic()
    take = pypac.Take(sources, folder, duration=seconds)
    take.start()
    take.wait()
    cpu, wall = time.process_time() - cpu0, time.monotonic() - wall0
    manifest = json.loads((folder / "manifest.json").read_text())
    tracks = [sf.read(folder / t["file"], dtype="float32")[0] for t in manifest["tracks"]]
    system = next(a for a, t in zip(tracks, manifest["tracks"]) if t["source"]["kind"] == "system")
    span = 2 * RATE
    lags = []
    for audio, entry in zip(tracks, manifest["tracks"]):
        if entry["source"]["kind"] != "app":
            continue
        first = find_lag(audio[:span], system[:span], 4800)
        last = find_lag(audio[-span:], system[-span:], 4800)
        lags.append((first, last))
    return {
        "cpu": 100 * cpu / wall,
        "dropped": sum(t["dropped_frames"] for t in manifest["tracks"]),
        "bps": folder_bytes(folder) / manifest["seconds"],
        "lags": lags,
        "frames": {t["frames"] for t in manifest["tracks"]},
        "tracks": len(tracks),
    }


def run_recorders(pids: list[int], folder: Path, seconds: float) -> dict[str, float]:
    folder.mkdir()
    cpu0, wall0 = time.process_time(), time.monotonic()
    recs = [pypac.Recorder(p, folder / f"{p}.flac", duration=seconds) for p in pids]
    recs.append(pypac.Recorder(None, folder / "system.flac", duration=seconds))
    for r in recs:
        r.start()
    for r in recs:
        r.wait()
    cpu, wall = time.process_time() - cpu0, time.monotonic() - wall0
    return {
        "cpu": 100 * cpu / wall,
        "dropped": sum(r.status.dropped_frames for r in recs),
        "bps": folder_bytes(folder) / seconds,
    }


def loudness_cost() -> str:
    meter_class = getattr(pypac._engine, "LoudnessMeter", None)
    if meter_class is None:
        return "n/a (no LoudnessMeter in this build)"
    try:
        meter = meter_class(RATE, CHANNELS)
        block = np.random.default_rng(0).uniform(-0.5, 0.5, (RATE // 10, CHANNELS))
        block = block.astype(np.float32)
        t0 = time.process_time()
        for _ in range(600):  # 60 s of audio
            meter.add(block)
        cost = time.process_time() - t0
    except Exception as exc:  # its API is another branch's: report, do not fail
        return f"n/a ({type(exc).__name__}: {exc})"
    return f"{100 * cost / 60:.3f} % of a core per stream"


def run(kind: str, seconds: float, workdir: Path) -> dict[str, object]:
    server = PrivateServer(kind, workdir / kind).start()
    server.activate()
    pypac.engine.reset_engine()
    players: list[subprocess.Popen[bytes]] = []
    try:
        tones = []
        for i in range(APPS + 1):
            path = workdir / f"tone{i}.wav"
            if not path.exists():
                make_clicking_tone(path, 300 + 97 * i, 2 * seconds + 60)
            tones.append(path)
        mic = add_virtual_mic(server)
        players = start_players(server, tones[:APPS])
        players += start_players(server, tones[APPS:], sink=MIC_SINK)
        pids = [p.pid for p in players[:APPS]]
        wait_playing([p.pid for p in players])
        time.sleep(1.0)
        sources = [pypac.Source.app(p) for p in pids]
        sources += [pypac.Source.system(), pypac.Source.device(mic)]
        take = run_take(sources, workdir / f"{kind}-take", seconds)
        ref = run_recorders(pids, workdir / f"{kind}-recorders", seconds)
        return {"take": take, "ref": ref}
    finally:
        stop_processes(players)
        pypac.engine.reset_engine()
        server.stop()
        server.deactivate()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--servers", default=",".join(KINDS))
    args = ap.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="pypac-bench-take-") as tmp:
        for kind in args.servers.split(","):
            rows.append((kind, run(kind, args.seconds, Path(tmp))))
    print(f"\ntake of {APPS} apps + System + a virtual mic, {args.seconds:g} s (FLAC)")
    head = (
        f"{'server':<11} {'tracks':>6} {'CPU %':>6} {'ref CPU %':>9} {'ratio':>6} "
        f"{'dropped':>7} {'ref dropped':>11} {'kB/s':>7} {'equal length':>12}"
    )
    print(head)
    print("-" * len(head))
    for kind, r in rows:
        t, ref = r["take"], r["ref"]
        assert isinstance(t, dict) and isinstance(ref, dict)
        ratio = t["cpu"] / ref["cpu"] if ref["cpu"] else float("inf")
        print(
            f"{kind:<11} {t['tracks']:>6} {t['cpu']:>6.1f} {ref['cpu']:>9.1f} {ratio:>5.2f}x "
            f"{t['dropped']:>7} {ref['dropped']:>11} {t['bps'] / 1000:>7.0f} "
            f"{'yes' if len(t['frames']) == 1 else 'NO ' + str(t['frames']):>12}"
        )
    print(
        "\nlag of each app track against the System track, frames (clarity): first 2 s / last 2 s"
    )
    for kind, r in rows:
        t = r["take"]
        assert isinstance(t, dict)
        cells = [
            f"{a[0]:+d}/{b[0]:+d}" + ("" if min(a[1], b[1]) > 8 else "?") for a, b in t["lags"]
        ]
        worst = max(max(abs(a[0]), abs(b[0])) for a, b in t["lags"])
        drift = max(abs(b[0] - a[0]) for a, b in t["lags"])
        print(f"{kind:<11} {'  '.join(cells)}   worst {worst}, drift {drift}")
    print(f"\nloudness meter: {loudness_cost()}")
    print("goals: 0 dropped, every lag within 48 frames (1 ms), drift under 48 frames")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Capture benchmark: PyPAC's engine against one `parec` process per stream.

For N = 1, 8, 32 players on a private PulseAudio server, capture each player's
own stream for --seconds, first with N `pypac.ProcessCapture`s in this process
(one engine thread + one Python reader thread), then with N
`parec --monitor-stream` processes doing the same work, and print:

* CPU % of one core per stream, ours and parec's, and their ratio (goal <= 0.8);
* the sound server's CPU % in each run (the same work for both, as a check);
* dropped frames (goal 0);
* latency, median and p99 (goal p99 < 20 ms): for each block `read` returns,
  the server-side delay of the capture stream (pa_stream_get_latency: a frame
  rendered by the sink until it reaches us) plus the time its oldest frame
  waited in our ring, sampled just before the read.

    python bench/capture.py [--seconds 10] [--counts 1,8,32] [--server pulseaudio|pipewire]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import soundfile as sf

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests.support: the servers

from tests.support.sound_servers import PrivateServer

import pypac
from pypac.demo.processes import stop_processes

RATE = 48000
WARM_UP_S = 4.0  # PulseAudio's null sink takes ~3.5 s to drop to a 10 ms latency


def _schedstat_seconds(path: Path) -> float:
    return int(path.read_text().split()[0]) / 1e9  # ns on a CPU, exact (not clock ticks)


def cpu_seconds(pid: int | str = "self") -> float:
    """CPU time of every thread of a process."""
    return sum(_schedstat_seconds(t / "schedstat") for t in Path(f"/proc/{pid}/task").iterdir())


def thread_cpu_seconds(name: str) -> float:
    """CPU time of this process's threads called `name` (the engine's libpulse thread)."""
    total = 0.0
    for t in Path("/proc/self/task").iterdir():
        if (t / "comm").read_text().strip() == name:
            total += _schedstat_seconds(t / "schedstat")
    return total


def make_tone(path: Path, seconds: float) -> None:
    t = np.arange(int(seconds * RATE)) / RATE
    mono = 0.3 * np.sin(2 * np.pi * 440 * t)
    sf.write(path, np.repeat(mono[:, None], 2, axis=1).astype(np.float32), RATE, subtype="FLOAT")


def start_players(server: PrivateServer, tone: Path, n: int) -> list[subprocess.Popen[bytes]]:
    players = [
        subprocess.Popen(
            ["paplay", "--client-name", f"bench player {i}", str(tone)],
            env=server.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for i in range(n)
    ]
    en = pypac.SessionEnumerator()
    deadline = time.monotonic() + 30  # 32 players starting at once on 2 cores take a while
    pids = {p.pid for p in players}
    while time.monotonic() < deadline:
        sessions = {s.process_id: s for s in en.enumerate_sessions()}
        active = {pid for pid, s in sessions.items() if s.state == pypac.SessionState.ACTIVE}
        if pids <= active:
            break
        time.sleep(0.05)
    else:
        missing = {
            p.pid: (sessions[p.pid].state.name if p.pid in sessions else "no session", p.poll())
            for p in players
            if p.pid not in active
        }
        raise SystemExit(f"only {len(pids & active)} of {n} players came up; {missing}")
    en.close()
    return players


def run_engine(pids: list[int], seconds: float, server_pid: int) -> dict[str, float]:
    caps = [pypac.ProcessCapture(pid).start() for pid in pids]
    time.sleep(WARM_UP_S)
    for c in caps:
        c.get_buffer()
    latencies: list[float] = []
    frames = 0
    stop = threading.Event()

    def reader() -> None:
        # Wake when the first capture has data (every ~10 ms), then drain all.
        nonlocal frames
        while not stop.is_set():
            caps[0].wait_for_frames(1, 0.05)
            for c in caps:
                if c.available:
                    latencies.append(c.stats.latency_ms)
                    frames += len(c.get_buffer())

    engine0 = thread_cpu_seconds("pypac-pulse")
    server_cpu0, cpu0, t0 = cpu_seconds(server_pid), cpu_seconds(), time.monotonic()
    thread = threading.Thread(target=reader)
    thread.start()
    time.sleep(seconds)
    stop.set()
    thread.join()
    wall = time.monotonic() - t0
    cpu, server_cpu = cpu_seconds() - cpu0, cpu_seconds(server_pid) - server_cpu0
    engine_cpu = thread_cpu_seconds("pypac-pulse") - engine0
    dropped = sum(c.stats.dropped_frames for c in caps)
    for c in caps:
        c.stop()
    lat = np.array(latencies) if latencies else np.zeros(1)
    return {
        "engine_per_stream": 100 * engine_cpu / wall / len(pids),
        "process_per_stream": 100 * cpu / wall / len(pids),
        "server_cpu": 100 * server_cpu / wall,
        "dropped": dropped,
        "frames": frames,
        "expected_frames": wall * RATE * len(pids),
        "lat_median": float(np.median(lat)),
        "lat_p99": float(np.percentile(lat, 99)),
    }


def run_parec(server: PrivateServer, seconds: float, server_pid: int) -> dict[str, float]:
    inputs = [s["index"] for s in server.sink_inputs()]
    procs = [
        subprocess.Popen(
            [
                "parec",
                f"--monitor-stream={index}",
                "--format=float32le",
                f"--rate={RATE}",
                "--channels=2",
                "--latency-msec=10",
            ],
            env=server.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for index in inputs
    ]
    time.sleep(WARM_UP_S)  # the same warm-up as the engine run
    cpu0 = sum(cpu_seconds(p.pid) for p in procs)
    server_cpu0, t0 = cpu_seconds(server_pid), time.monotonic()
    time.sleep(seconds)
    wall = time.monotonic() - t0
    cpu = sum(cpu_seconds(p.pid) for p in procs) - cpu0
    server_cpu = cpu_seconds(server_pid) - server_cpu0
    stop_processes(procs)
    return {"cpu_per_stream": 100 * cpu / wall / len(procs), "server_cpu": 100 * server_cpu / wall}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--counts", default="1,8,32")
    ap.add_argument("--server", choices=("pulseaudio", "pipewire"), default="pulseaudio")
    args = ap.parse_args()
    counts = [int(c) for c in args.counts.split(",")]

    with tempfile.TemporaryDirectory(prefix="pypac-bench-") as tmp:
        server = PrivateServer(args.server, Path(tmp) / "server").start()
        server.activate()
        pypac.engine.reset_engine()
        server_pid = server.pids[-1]  # pulseaudio, or pipewire-pulse
        tone = Path(tmp) / "tone.wav"
        make_tone(tone, 3 * args.seconds + 30)
        rows = []
        try:
            for n in counts:
                players = start_players(server, tone, n)
                try:
                    ours = run_engine([p.pid for p in players], args.seconds, server_pid)
                    theirs = run_parec(server, args.seconds, server_pid)
                finally:
                    stop_processes(players)
                rows.append((n, ours, theirs))
                print(f"  N={n} done", file=sys.stderr)
        finally:
            server.stop()

    print(f"\nCapture benchmark, {args.server}, {args.seconds:g} s per run, 48 kHz stereo float32")
    print("CPU: % of one core per captured stream. engine = the libpulse thread that receives,")
    print("mixes and rings the audio (parec's whole job); process = that + the Python reader.")
    print(
        f"{'N':>3} | {'engine':>7} {'process':>7} {'parec':>7} {'ratio':>6} "
        f"{'ratio(process)':>14} | "
        f"{'server % ours/parec':>19} | {'dropped':>7} {'got/expected':>12} | "
        f"{'lat p50':>7} {'lat p99':>7}"
    )
    for n, o, t in rows:
        parec = t["cpu_per_stream"] or float("nan")
        print(
            f"{n:>3} | {o['engine_per_stream']:>7.3f} {o['process_per_stream']:>7.3f} "
            f"{parec:>7.3f} {o['engine_per_stream'] / parec:>6.2f} "
            f"{o['process_per_stream'] / parec:>14.2f} | "
            f"{o['server_cpu']:>9.1f}/{t['server_cpu']:<9.1f} | {o['dropped']:>7} "
            f"{o['frames'] / o['expected_frames']:>12.3f} | "
            f"{o['lat_median']:>5.1f}ms {o['lat_p99']:>5.1f}ms"
        )
    print("goal: ratio <= 0.8, 0 dropped, p99 latency < 20 ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())

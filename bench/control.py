"""Control-path benchmark: listing, setting volume, and a capture's first audio.

On each private server (PulseAudio, and PipeWire through pipewire-pulse) with
32 playing apps (`paplay`) and 4 output devices (null sinks), this prints:

* `enumerate_sessions()` and `enumerate_devices()`: median and p99 over 1,000
  calls (goal: under 1 ms), next to the same for `pactl list short sink-inputs`
  (a process per call: the reference of what a CLI tool pays);
* `set_session_volume()` round trip (the call returns once the server applied
  it and the table holds it): median and p99 over 200 calls (goal: under 5 ms),
  beside what the same change costs `pactl` beyond a bare `pactl list` (the
  server's own work, which no client can avoid);
* `ProcessCapture` open to its first non-empty block: median over 10 opens
  (goal: under 50 ms on pipewire-pulse; PulseAudio's null sink start-up is
  shown on its own row, as it is the server's, not ours), beside `parec
  --monitor-stream` recording the same stream (the reference a client gets).

    python bench/control.py [--apps 32] [--devices 4]

Prints a table, asserts nothing.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import soundfile as sf

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests.support: the servers

from tests.support.sound_servers import KINDS, PrivateServer

import pypac
from pypac.demo.processes import stop_processes


def timed(call, n: int) -> list[float]:
    """Milliseconds per call, n calls."""
    out = []
    for _ in range(n):
        t0 = time.perf_counter()
        call()
        out.append((time.perf_counter() - t0) * 1000)
    return out


def p99(values: list[float]) -> float:
    return float(np.percentile(values, 99))


def start_players(server: PrivateServer, tone: Path, n: int) -> list[subprocess.Popen[bytes]]:
    return [
        subprocess.Popen(
            ["paplay", "--client-name", f"bench app {i}", str(tone)],
            env=server.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for i in range(n)
    ]


def first_block_ms(pid: int) -> float:
    t0 = time.perf_counter()
    with pypac.ProcessCapture(pid) as cap:
        while True:
            block = cap.read(timeout=5.0)
            if len(block) == 0 and not cap.active:
                return float("nan")
            if len(block) and np.any(block):
                return (time.perf_counter() - t0) * 1000


def parec_first_block_ms(server: PrivateServer, pid: int) -> float:
    """The reference: `parec` recording the same stream's monitor, from its start to its
    first non-zero bytes (its process start included, a few ms)."""
    index = next(s["index"] for s in server.sink_inputs() if s["pid"] == pid)
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        ["parec", f"--monitor-stream={index}", "--format=float32le", "--latency-msec=10"],
        env=server.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert proc.stdout is not None
        while chunk := proc.stdout.read1(4096):
            if any(chunk):
                return (time.perf_counter() - t0) * 1000
            if time.perf_counter() - t0 > 5:
                break
        return float("nan")
    finally:
        proc.kill()
        proc.wait()


def run(kind: str, apps: int, devices: int, workdir: Path) -> dict[str, float]:
    tone = workdir / "tone.wav"
    t = np.arange(120 * 48000) / 48000
    sf.write(tone, np.stack([0.3 * np.sin(2 * np.pi * 440 * t)] * 2, axis=1), 48000)
    server = PrivateServer(kind, workdir / kind).start()
    server.activate()
    pypac.engine.reset_engine()
    players: list[subprocess.Popen[bytes]] = []
    try:
        for i in range(devices - 1):
            server.pactl("load-module", "module-null-sink", f"sink_name=bench_sink_{i}")
        players = start_players(server, tone, apps)
        en = pypac.SessionEnumerator()
        deadline = time.monotonic() + 30
        while len(en.enumerate_sessions()) < apps and time.monotonic() < deadline:
            time.sleep(0.1)
        got = len(en.enumerate_sessions())
        time.sleep(1.0)  # let the players settle before timing
        sessions = timed(en.enumerate_sessions, 1000)
        listing = timed(en.enumerate_devices, 1000)
        pactl = timed(
            lambda: subprocess.run(
                ["pactl", "list", "short", "sink-inputs"], env=server.env, capture_output=True
            ),
            50,
        )
        pid = en.enumerate_sessions()[0].process_id
        levels = iter([0.5, 0.6] * 200)
        volume = timed(lambda: en.set_session_volume(pid, next(levels)), 200)
        # The same change by pactl: its process start and connection are what `pactl list`
        # costs, so the difference is the server's own work for a volume change (PulseAudio
        # re-renders what it had mixed ahead of every stream of the sink).
        index = next(s["index"] for s in server.sink_inputs() if s["pid"] == pid)
        pactl_set = timed(
            lambda: subprocess.run(
                ["pactl", "set-sink-input-volume", str(index), f"{next(levels):.0%}"],
                env=server.env,
                capture_output=True,
            ),
            50,
        )
        first = [first_block_ms(players[i % len(players)].pid) for i in range(10)]
        parec_first = [
            parec_first_block_ms(server, players[i % len(players)].pid) for i in range(10)
        ]
        en.close()
        return {
            "apps": got,
            "sessions_med": statistics.median(sessions),
            "sessions_p99": p99(sessions),
            "devices_med": statistics.median(listing),
            "devices_p99": p99(listing),
            "pactl_med": statistics.median(pactl),
            "pactl_set_med": statistics.median(pactl_set),
            "volume_med": statistics.median(volume),
            "volume_p99": p99(volume),
            "first_med": statistics.median(first),
            "parec_first_med": statistics.median(parec_first),
        }
    finally:
        stop_processes(players)
        server.stop()
        server.deactivate()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--apps", type=int, default=32)
    ap.add_argument("--devices", type=int, default=4)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="pypac-bench-control-") as tmp:
        rows = [(kind, run(kind, args.apps, args.devices, Path(tmp))) for kind in KINDS]
    print(f"\ncontrol path, {args.apps} apps, {args.devices} output devices (ms)")
    head = (
        f"{'server':<11} {'apps':>4} {'sessions med/p99':>17} {'devices med/p99':>16} "
        f"{'pactl list':>10} {'ratio':>6} {'set volume med/p99':>19} {'pactl set-list':>14} "
        f"{'first audio':>11} {'parec':>6}"
    )
    print(head)
    print("-" * len(head))
    for kind, r in rows:
        ratio = r["pactl_med"] / r["sessions_med"] if r["sessions_med"] else float("inf")
        print(
            f"{kind:<11} {r['apps']:>4.0f} {r['sessions_med']:>8.3f}/{r['sessions_p99']:<8.3f} "
            f"{r['devices_med']:>7.3f}/{r['devices_p99']:<8.3f} {r['pactl_med']:>10.1f} "
            f"{ratio:>5.0f}x {r['volume_med']:>9.2f}/{r['volume_p99']:<9.2f} "
            f"{r['pactl_set_med'] - r['pactl_med']:>14.2f} {r['first_med']:>11.0f} "
            f"{r['parec_first_med']:>6.0f}"
        )
    print(
        "goals: listing < 1 ms, set volume < 5 ms median, first audio < 50 ms on pipewire "
        "(PulseAudio's null sink start-up is the server's); 'pactl set-list' is what the same "
        "volume change costs pactl beyond a bare listing: the server's part of it; 'parec' is "
        "parec --monitor-stream's first audio (the reference for ours)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

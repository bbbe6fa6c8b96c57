"""A process that plays known tones to the sound server, one stream per tone.

Used by the test suite (each tone is checked by FFT in what PyPAC captures) and
by `pypac-mixer --demo`. It talks to the server through libpulse-simple with
ctypes, so it needs nothing but libpulse, which PyPAC needs anyway:

    python -m pypac.demo.tone_player --freq 440 --freq 1000 --name "Two tones"

Every `--freq` is its own playback stream of this one process (a process with
several streams is one PyPAC session). `--second-stream-delay` opens the
streams after the first that many seconds late. `--style music` plays a short
melody with note envelopes instead of a steady tone, which looks alive in a
waveform view. `--style click` starts with a click (an impulse in the very
first samples), then `CLICK_LEAD_SECONDS` of silence, then the tone: a
recording that holds the click and the tone's onset `CLICK_LEAD_SECONDS` after
it kept the stream's beginning (tests of auto-record measure the loss so).
`--clicks N` adds about N clicks a second (short noise bursts
at irregular, seeded intervals), which cross-correlation finds unambiguously
(the take alignment tests); `--start-delay S` makes the process wait S
seconds before it opens any stream (an app that starts playing late).
"""

from __future__ import annotations

import argparse
import ctypes
import ctypes.util
import signal
import sys
import threading
import time

import numpy as np

RATE = 48000
CHANNELS = 2
BLOCK_FRAMES = RATE // 100  # 10 ms per write
PA_SAMPLE_FLOAT32LE = 5
PA_STREAM_PLAYBACK = 1


class _SampleSpec(ctypes.Structure):
    _fields_ = (("format", ctypes.c_int), ("rate", ctypes.c_uint32), ("channels", ctypes.c_uint8))


class _BufferAttr(ctypes.Structure):
    _fields_ = tuple(
        (name, ctypes.c_uint32) for name in ("maxlength", "tlength", "prebuf", "minreq", "fragsize")
    )


def _load_libpulse_simple() -> ctypes.CDLL:
    name = ctypes.util.find_library("pulse-simple") or "libpulse-simple.so.0"
    lib = ctypes.CDLL(name)
    lib.pa_simple_new.restype = ctypes.c_void_p
    lib.pa_simple_new.argtypes = (
        ctypes.c_char_p,
        ctypes.c_char_p,
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_char_p,
        ctypes.POINTER(_SampleSpec),
        ctypes.c_void_p,
        ctypes.POINTER(_BufferAttr),
        ctypes.POINTER(ctypes.c_int),
    )
    lib.pa_simple_write.argtypes = (
        ctypes.c_void_p,
        ctypes.c_void_p,
        ctypes.c_size_t,
        ctypes.POINTER(ctypes.c_int),
    )
    lib.pa_simple_drain.argtypes = (ctypes.c_void_p, ctypes.POINTER(ctypes.c_int))
    lib.pa_simple_free.argtypes = (ctypes.c_void_p,)
    lib.pa_strerror.restype = ctypes.c_char_p
    return lib


def tone_block(freq: float, start: int, frames: int, amplitude: float) -> np.ndarray:
    t = (np.arange(start, start + frames) / RATE).astype(np.float64)
    mono = (amplitude * np.sin(2 * np.pi * freq * t)).astype(np.float32)
    return np.repeat(mono[:, None], CHANNELS, axis=1)


# A short loop of notes (Hz, seconds): enough movement for a waveform view.
MELODY = ((523.25, 0.3), (659.25, 0.3), (783.99, 0.3), (659.25, 0.3), (440.0, 0.6), (0.0, 0.2))


def music_block(base: float, start: int, frames: int, amplitude: float) -> np.ndarray:
    t = np.arange(start, start + frames) / RATE
    pos = t % sum(d for _, d in MELODY)
    out = np.zeros(frames)
    note_start = 0.0
    for freq, dur in MELODY:
        inside = (pos >= note_start) & (pos < note_start + dur)
        since = pos[inside] - note_start
        envelope = np.exp(-3.0 * since) * np.minimum(1.0, since * 200)
        out[inside] = envelope * np.sin(2 * np.pi * freq * base / 440.0 * t[inside])
        note_start += dur
    mono = (amplitude * out).astype(np.float32)
    return np.repeat(mono[:, None], CHANNELS, axis=1)


# The click style: an impulse in the first samples, silence, then the tone from
# this far into the stream (the onset marks where the stream began even in a
# recording that lost the click).
CLICK_LEAD_SECONDS = 0.25
CLICK_LEAD_FRAMES = round(CLICK_LEAD_SECONDS * RATE)
CLICK_FRAMES = 4  # a few samples: still a clear peak after a resampler's filter
CLICK_LEVEL = 0.9
CLICK_BUFFER_FRAMES = RATE // 2


def click_block(freq: float, start: int, frames: int, amplitude: float) -> np.ndarray:
    """Frames `start`.. of the click style: the click at 0, the tone from CLICK_LEAD_FRAMES."""
    n = np.arange(start, start + frames)
    t = n / RATE
    mono = np.where(n >= CLICK_LEAD_FRAMES, amplitude * np.sin(2 * np.pi * freq * t), 0.0)
    mono[n < CLICK_FRAMES] = CLICK_LEVEL
    return np.repeat(mono.astype(np.float32)[:, None], CHANNELS, axis=1)


_STYLES = {"tone": tone_block, "music": music_block, "click": click_block}


BURST_FRAMES = 96  # 2 ms bursts


class ClickTrain:
    """Short noise bursts at irregular intervals (seeded: the same each run)."""

    def __init__(self, per_second: float, seed: int, amplitude: float) -> None:
        self._rng = np.random.default_rng(seed)
        window = np.hanning(BURST_FRAMES)
        self.burst = (amplitude * self._rng.uniform(-1, 1, BURST_FRAMES) * window).astype(
            np.float32
        )
        self._mean_gap = RATE / per_second
        self._starts: list[int] = [self._gap()]

    def _gap(self) -> int:
        return int(self._rng.uniform(0.5, 1.5) * self._mean_gap)

    def add_to(self, block: np.ndarray, start: int) -> None:
        """Add the bursts that fall in `block` (frames start .. start + len)."""
        end = start + len(block)
        while self._starts[-1] < end:
            self._starts.append(self._starts[-1] + self._gap())
        for at in self._starts:
            lo, hi = max(start, at), min(end, at + BURST_FRAMES)
            if lo < hi:
                block[lo - start : hi - start] += self.burst[lo - at : hi - at, None]
        self._starts = [at for at in self._starts if at + BURST_FRAMES > end]


class ToneStream(threading.Thread):
    """One playback stream of this process, fed in 10 ms blocks."""

    def __init__(
        self,
        lib: ctypes.CDLL,
        app_name: str,
        freq: float,
        style: str,
        amplitude: float,
        stop: threading.Event,
        until: float,
        gap: tuple[float, float] | None = None,
        clicks: float = 0.0,
    ) -> None:
        super().__init__(daemon=True, name=f"tone-{freq}")
        self.lib, self.app_name, self.freq, self.style = lib, app_name, freq, style
        self.amplitude, self.stop, self.until = amplitude, stop, until
        self.gap = gap  # (start, end) in time.monotonic(): no stream at all meanwhile
        self.clicks = clicks  # bursts per second (0: none)
        self.error: str | None = None

    def run(self) -> None:
        if self.gap is None:
            self._play(self.until)
            return
        self._play(min(self.until, self.gap[0]))
        if not self.stop.wait(max(0.0, self.gap[1] - time.monotonic())):
            self._play(self.until)

    def _play(self, until: float) -> None:
        """One stream from now until `until` (or stop)."""
        spec = _SampleSpec(PA_SAMPLE_FLOAT32LE, RATE, CHANNELS)
        frame_bytes = 4 * CHANNELS
        # A short server buffer: the stream starts and stops promptly. The
        # click style buffers as music players do, so that a busy machine
        # cannot make it underrun: a gap of its own would spoil the measure
        # of what a recording lost.
        never = 0xFFFFFFFF
        buffer_frames = CLICK_BUFFER_FRAMES if self.style == "click" else RATE // 20
        attr = _BufferAttr(never, frame_bytes * buffer_frames, never, never, never)
        err = ctypes.c_int(0)
        handle = self.lib.pa_simple_new(
            None,
            self.app_name.encode(),
            PA_STREAM_PLAYBACK,
            None,
            f"{self.freq:g} Hz".encode(),
            ctypes.byref(spec),
            None,
            ctypes.byref(attr),
            ctypes.byref(err),
        )
        if not handle:
            self.error = f"pa_simple_new() failed: {self.lib.pa_strerror(err.value).decode()}"
            return
        make = _STYLES[self.style]
        # Seeded by the tone: two players of different tones click differently.
        train = ClickTrain(self.clicks, round(self.freq), 0.9) if self.clicks else None
        position = 0
        try:
            while not self.stop.is_set() and time.monotonic() < until:
                block = make(self.freq, position, BLOCK_FRAMES, self.amplitude)
                if train is not None:
                    train.add_to(block, position)
                position += BLOCK_FRAMES
                data = block.tobytes()
                if self.lib.pa_simple_write(handle, data, len(data), ctypes.byref(err)) < 0:
                    self.error = (
                        f"pa_simple_write() failed: {self.lib.pa_strerror(err.value).decode()}"
                    )
                    return
        finally:
            if self.style == "click":  # everything it wrote is heard: a whole reference
                self.lib.pa_simple_drain(handle, ctypes.byref(err))
            self.lib.pa_simple_free(handle)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--freq", type=float, action="append", required=True, help="Hz; repeatable")
    p.add_argument("--name", default="PyPAC tone", help="application.name the server shows")
    p.add_argument("--duration", type=float, default=60.0, help="seconds, then exit")
    p.add_argument("--amplitude", type=float, default=0.5)
    p.add_argument("--second-stream-delay", type=float, default=0.0)
    p.add_argument("--style", choices=sorted(_STYLES), default="tone")
    p.add_argument(
        "--gap",
        metavar="START:LENGTH",
        help="close every stream START s after starting and reopen them LENGTH s later",
    )
    p.add_argument("--clicks", type=float, default=0.0, help="noise bursts per second, seeded")
    p.add_argument(
        "--start-delay", type=float, default=0.0, help="wait this long before playing anything"
    )
    args = p.parse_args(argv)

    lib = _load_libpulse_simple()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    if args.start_delay > 0 and stop.wait(args.start_delay):
        return 0
    started = time.monotonic()
    until = started + args.duration
    gap = None
    if args.gap:
        gap_start, gap_length = (float(v) for v in args.gap.split(":"))
        gap = (started + gap_start, started + gap_start + gap_length)
    streams = []
    for i, freq in enumerate(args.freq):
        if i == 1 and args.second_stream_delay > 0 and stop.wait(args.second_stream_delay):
            break
        s = ToneStream(
            lib, args.name, freq, args.style, args.amplitude, stop, until, gap, args.clicks
        )
        s.start()
        streams.append(s)
    try:
        for s in streams:
            while s.is_alive():
                s.join(0.2)
    except KeyboardInterrupt:
        stop.set()
    errors = [s.error for s in streams if s.error]
    for e in errors:
        print(f"tone_player: {e}", file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())

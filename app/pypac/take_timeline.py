"""Places one track's captured blocks on a take's shared clock.

Every block a capture delivers carries the time of its first frame on the
engine's clock (`CaptureReader.read_timed`; None for a block the backend did
not time, which follows the previous one). A take starts at T0; frame k of
every track is the sound at T0 + k / rate. The timeline makes that so:
silence before a track's first sound (an app that started late), frames
before T0 cut off, and a gap (nothing kept the track's clock meanwhile)
filled with silence.

Where a track starts is measured, not read off one block: the first
`anchor_frames` of it are held, and its start is the median over their blocks
of "the block's time minus the frames before it". The server's timing of a
single block is off by up to a few milliseconds on PipeWire, and on
PulseAudio the first blocks' times jump once by the sink's latency change as
a capture connects; the median of half a second of blocks is neither.

Where the take has a track that contains this one's sound (the System track
holds every app's), the start is then refined by content: the held audio is
cross-correlated with the reference's placed audio around the measured start
(within `refine_frames`), and a clear match moves the track there. That
removes what the timing cannot see: on PipeWire an app's stream is captured
one graph cycle (a quantum, ~5 ms) before the sink's monitor carries it, and
the pulse protocol does not report that cycle.

After that a track runs on its own sample count: the capture keeps the clock
(silence while an app is paused or between its streams), and every track of
a sink counts that sink's frames. Block times are not followed after the
start: on a loaded machine blocks are read hundreds of milliseconds late.

A running capture that stalls (measured on PipeWire with a loaded machine:
1-3 s of nothing from some app streams while the sink's monitor went on,
then all of it late) is filled with silence only after take.py's
STALL_SECONDS, so the take's files move on; its audio for the time already
filled still comes, and that much of it is cut when it does (`fill_to`'s
`owed`), so the track stays where it was.

Pure numpy; one writer thread owns each timeline.
"""

from __future__ import annotations

import statistics
from collections import deque

import numpy as np

from .correlation import find_lag

NS = 1_000_000_000
#: A content match counts from this clarity on (correlation.find_lag).
MIN_CLARITY = 8.0
#: How long past its anchor a track waits for the reference's audio of its start.
REFERENCE_WAIT_SECONDS = 3


class TrackTimeline:
    """One track: blocks in (with times), frames out at their place from T0."""

    def __init__(
        self,
        sample_rate: int,
        channels: int,
        *,
        anchor_frames: int,
    ) -> None:
        self.rate = sample_rate
        self.channels = channels
        self.anchor_frames = anchor_frames
        self.reference: TrackTimeline | None = None
        self.refine_frames = 0
        #: Moved by content against the reference (frames; None: not refined).
        self.content_shift: int | None = None
        #: Moves by content after the start (frames, summed; see _check_content).
        self.recheck_shift = 0
        self._check_every = 0
        self._check_range = 0
        self._next_check = 0
        self._disagreed: int | None = None  # the lag the last check found, if not 0
        self._matched = False  # placed by a clear content match (else by timing alone)
        self._history_frames = 0  # placed audio kept (mono) for other tracks
        self._history: deque[np.ndarray] = deque()
        self._history_start = 0  # the position of the oldest kept frame
        self._history_len = 0
        self.t0_ns: int | None = None
        #: Frames placed so far (handed out or waiting to be taken).
        self.position = 0
        #: Where the first captured frame went on the take's clock: frames of
        #: leading silence (> 0), or how many frames before T0 were cut (< 0).
        self.first_offset: int | None = None
        self.first_time_ns: int | None = None  # the track's measured start
        self._held: list[tuple[np.ndarray, int | None]] = []  # until the start is measured
        self._held_frames = 0
        self._out: deque[np.ndarray] = deque()
        self._out_frames = 0
        self._to_cut = 0  # frames of the next blocks that lie before their place
        #: Silence fill_to put in for time the capture still owes audio for.
        self._owed = 0
        #: Frames of late audio cut for time already filled with silence.
        self.stall_cut = 0

    def keep_history(self, frames: int) -> None:
        """Keep the newest `frames` placed frames for tracks that refine against this one."""
        self._history_frames = frames

    def refine_against(
        self,
        reference: TrackTimeline,
        max_frames: int,
        *,
        check_every: int = 0,
        check_range: int = 0,
    ) -> None:
        """Refine this track's start by content against `reference` (which
        holds this track's sound), by at most `max_frames` either way; and
        every `check_every` frames (0: never) check the match again, within
        `check_range` frames."""
        self.reference = reference
        self.refine_frames = max_frames
        self._check_every = check_every
        self._check_range = check_range
        if check_every:
            self.keep_history(2 * check_every)

    # ---- the start -------------------------------------------------------------

    def add(self, block: np.ndarray, first_ns: int | None) -> None:
        """A block read from the capture, with its first frame's time (or None)."""
        if not len(block):
            return
        if self.first_time_ns is None:
            self._held.append((block, first_ns))
            self._held_frames += len(block)
            if self.t0_ns is not None and self.anchored_enough:
                self._place_held()
            return
        self._place(block, first_ns)

    @property
    def anchored_enough(self) -> bool:
        """Held long enough to measure where the track starts."""
        return self._held_frames >= self.anchor_frames and self.measured_start() is not None

    @property
    def waiting(self) -> bool:
        """Audio came, but its place is not known yet."""
        return bool(self._held)

    def measured_start(self) -> int | None:
        """The time of the first held frame (median over the held blocks' times)."""
        starts = []
        before = 0
        for block, ns in self._held:
            if ns is not None:
                starts.append(ns - self._frames_ns(before))
            before += len(block)
        return round(statistics.median(starts)) if starts else None

    def start(self, t0_ns: int) -> None:
        """The take's T0 is known: place what was held, if it can be placed."""
        self.t0_ns = t0_ns
        if self.anchored_enough:
            self._place_held()

    def finish_start(self) -> None:
        """Place held audio even if it is short (the take ends): from its
        measured start, or where the track stands when nothing was timed."""
        if self._held and self.t0_ns is not None:
            self._place_held(force=True)

    def settle(self) -> None:
        """The take ends: place everything held, as it stands."""
        self.finish_start()

    def _place_held(self, force: bool = False) -> None:
        assert self.t0_ns is not None
        start = self.measured_start()
        if start is None:  # no block was timed: it follows what is placed
            start = self.t0_ns + self._frames_ns(self.position)
        expected = round((start - self.t0_ns) * self.rate / NS)
        if self.reference is not None:
            # Give the reference up to REFERENCE_WAIT_SECONDS more to catch
            # up (on a loaded machine the System's audio came over a second
            # after the apps'), then go on without it.
            patient = self._held_frames < self.anchor_frames + REFERENCE_WAIT_SECONDS * self.rate
            shift = self._shift_by_content(expected, wait=patient and not force)
            if shift is None:
                return  # the reference has not placed this time yet: hold on
            expected += shift
        self.first_time_ns = start
        self.first_offset = expected
        held, self._held, self._held_frames = self._held, [], 0
        self._shift_to(expected)
        for block, _ in held:
            self._emit(self._trim(block))

    def _shift_by_content(self, expected: int, *, wait: bool) -> int | None:
        """How far the held audio's sound lies from where the reference has it
        (frames to add to `expected`); 0 without a clear match; None to wait
        for the reference's audio of that time."""
        ref = self.reference
        assert ref is not None
        audio = np.concatenate([b for b, _ in self._held]).mean(axis=1)
        begin = max(expected, ref._history_start)
        placed = ref.history(begin, expected + len(audio))
        if len(placed) < min(len(audio), self.anchor_frames) // 2:
            if wait:
                return None
            return 0
        lag, clarity = find_lag(audio[begin - expected :], placed, self.refine_frames)
        if clarity < MIN_CLARITY:
            return 0
        self._matched = True
        self.content_shift = -lag
        return -lag

    def history(self, begin: int, end: int) -> np.ndarray:
        """This track's placed audio (mono) of positions begin..end, as far as kept."""
        if not self._history:
            return np.zeros(0, np.float32)
        kept = np.concatenate(self._history)
        lo = max(0, begin - self._history_start)
        hi = max(lo, min(len(kept), end - self._history_start))
        return kept[lo:hi]

    def _remember(self, frames: np.ndarray) -> None:
        self._history.append(frames.mean(axis=1).astype(np.float32))
        self._history_len += len(frames)
        while self._history_len - len(self._history[0]) >= self._history_frames:
            dropped = self._history.popleft()
            self._history_len -= len(dropped)
            self._history_start += len(dropped)

    # ---- after the start ----------------------------------------------------------

    def _place(self, block: np.ndarray, first_ns: int | None) -> None:
        """After the start a block goes where the sample count says: the
        capture keeps the clock (silence while the app is paused or between
        its streams), while a block's time is only as good as the moment it
        was read: on a loaded machine hundreds of ms late, and following that
        tore tracks apart (measured on PipeWire). Audio owed for time filled
        with silence is cut (see the module)."""
        if self._owed:
            self._to_cut += self._owed
            self.stall_cut += self._owed
            self._owed = 0
        self._emit(self._trim(block))

    def _shift_to(self, expected: int) -> None:
        """Make the next frame land at `expected`: silence up to it, or (it
        lies behind) cut that many of the frames that follow."""
        diff = expected - self.position
        self._owed = 0  # placed anew: nothing before this is owed
        if diff > 0:
            self._emit(np.zeros((diff, self.channels), np.float32))
        self._to_cut = max(0, -diff)

    def _trim(self, block: np.ndarray) -> np.ndarray:
        """The block less the frames still to cut."""
        if not self._to_cut:
            return block
        n = min(self._to_cut, len(block))
        self._to_cut -= n
        return block[n:]

    def _emit(self, frames: np.ndarray) -> None:
        if len(frames):
            if self._history_frames:
                self._remember(frames)
            self._out.append(frames)
            self._out_frames += len(frames)
            self.position += len(frames)
            if self._check_every and self.position >= self._next_check:
                self._next_check = self.position + self._check_every
                self._check_content()

    def _check_content(self) -> None:
        """Match the newest placed audio against the reference again, and
        follow a lag two checks in a row agree on. On PipeWire the System
        track carries an app's sound one graph cycle after the app's own
        capture, and the cycle changes length when a stream with other
        latency needs joins; and when the engine's reader falls behind on a
        loaded machine, pipewire-pulse drops data of some streams and not of
        others. The app track then moves by the difference (silence
        inserted, or frames cut, in the app's track)."""
        ref = self.reference
        if ref is None or self.first_offset is None:
            return
        end = min(self.position, ref.position)
        begin = max(end - self._check_every // 2, self._history_start, ref._history_start)
        if end - begin < self._check_every // 4:
            return
        lag, clarity = find_lag(
            self.history(begin, end), ref.history(begin, end), self._check_range
        )
        if clarity < MIN_CLARITY or lag == 0:
            self._matched |= clarity >= MIN_CLARITY
            self._disagreed = None
            return
        if not self._matched:
            # Placed by timing alone (the reference was late at the start): a
            # clear match is better than that at once.
            self._matched = True
        elif self._disagreed != lag:
            self._disagreed = lag  # once could be a false match: check again
            return
        self._disagreed = None
        self.recheck_shift -= lag
        self._shift_to(self.position - lag)

    # ---- the clock -------------------------------------------------------------

    def fill_to(self, frames: int, *, owed: bool = False) -> None:
        """Silence up to `frames` for a track that sent nothing that long (an app
        not started yet, or gone; `owed`: a running capture that stalled, whose
        audio for that time will still come and is then cut)."""
        if self.t0_ns is None or self._held:
            return
        if self.position < frames:
            if owed:
                self._owed += frames - self.position
            self._emit(np.zeros((frames - self.position, self.channels), np.float32))

    # ---- output ----------------------------------------------------------------

    @property
    def ready(self) -> int:
        """Frames placed and not yet taken."""
        return self._out_frames

    def take(self, max_frames: int | None = None) -> np.ndarray:
        """Up to `max_frames` placed frames (all when None), in order."""
        want = self._out_frames if max_frames is None else min(max_frames, self._out_frames)
        pieces: list[np.ndarray] = []
        got = 0
        while got < want:
            head = self._out[0]
            n = min(len(head), want - got)
            pieces.append(head[:n])
            if n == len(head):
                self._out.popleft()
            else:
                self._out[0] = head[n:]
            got += n
        self._out_frames -= got
        if not pieces:
            return np.zeros((0, self.channels), np.float32)
        return pieces[0] if len(pieces) == 1 else np.concatenate(pieces)

    def _frames_ns(self, frames: int) -> int:
        return frames * NS // self.rate

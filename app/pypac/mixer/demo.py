"""Demo mode: a private PulseAudio server and a few players, for machines without one.

Everything is started in a temporary folder and stopped on exit, so the user's
own sound set-up is never touched.
"""

from __future__ import annotations

import contextlib
import ctypes
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

from pypac import engine
from pypac.demo.private_server import PrivateServer
from pypac.demo.processes import stop_processes

#: (name, style, base frequency, amplitude): different looks in the waveforms.
DEMO_PLAYERS = (
    ("Music player", "music", 440.0, 0.6),
    ("Video call", "tone", 330.0, 0.25),
    ("Game", "music", 660.0, 0.45),
    ("Podcast", "music", 220.0, 0.35),
)


#: A frozen build has no Python to run `-m pypac.demo.tone_player` with: the
#: mixer executable plays the tones itself when started with this flag.
TONE_PLAYER_FLAG = "--run-tone-player"


def tone_player_command() -> list[str]:
    if getattr(sys, "frozen", False):
        return [sys.executable, TONE_PLAYER_FLAG]
    return [sys.executable, "-m", "pypac.demo.tone_player"]


def _die_with_parent() -> None:
    """In the child: get SIGTERM when the mixer dies, so a crash leaves no player behind."""
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


class DemoSession:
    """A private server with players; `start()` points this process at it."""

    def __init__(self, players: int = len(DEMO_PLAYERS)) -> None:
        self.players = players
        self._dir = Path(tempfile.mkdtemp(prefix="pypac-demo-"))
        self.server = PrivateServer("pulseaudio", self._dir)
        self._procs: list[subprocess.Popen[bytes]] = []

    def start(self) -> DemoSession:
        self.server.start()
        self.server.activate()
        engine.reset_engine()  # the engine must connect to the demo server, not a stale one
        for i in range(self.players):
            name, style, freq, amp = DEMO_PLAYERS[i % len(DEMO_PLAYERS)]
            if i >= len(DEMO_PLAYERS):
                name = f"{name} {i // len(DEMO_PLAYERS) + 1}"
            self.start_player(name, style, freq, amp)
        return self

    def start_player(
        self, name: str, style: str = "music", freq: float = 440.0, amplitude: float = 0.5
    ) -> subprocess.Popen[bytes]:
        argv = [*tone_player_command(), "--name", name]
        argv += ["--freq", str(freq), "--style", style, "--amplitude", str(amplitude)]
        argv += ["--duration", str(24 * 3600)]
        p = subprocess.Popen(
            argv, env=self.server.env, stdin=subprocess.DEVNULL, preexec_fn=_die_with_parent
        )
        self._procs.append(p)
        return p

    def stop(self) -> None:
        stop_processes(self._procs)
        self._procs.clear()
        self.server.stop()
        self.server.deactivate()
        with contextlib.suppress(OSError):
            shutil.rmtree(self._dir)

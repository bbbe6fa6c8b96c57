"""Demo mode: a private PulseAudio server and a few players, for machines without one.

Everything is started in a temporary folder and stopped on exit, so the user's
own sound set-up is never touched. The server and the players get SIGTERM when
the mixer dies, however it dies, and the folder a killed mixer left behind is
removed by the next demo.
"""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import sys

from pypac import engine
from pypac.demo.folders import make_demo_folder, remove_stale_demo_folders
from pypac.demo.processes import exit_with_this_thread, stop_processes
from pypac.demo.pulse_server import PulseServer

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


class DemoSession:
    """A private server with players; `start()` points this process at it.

    Start it from the main thread: its helpers end when the starting thread does.
    """

    def __init__(self, players: int = len(DEMO_PLAYERS)) -> None:
        self.players = players
        remove_stale_demo_folders()
        self._dir = make_demo_folder()
        self.server = PulseServer(self._dir)
        self._procs: list[subprocess.Popen[bytes]] = []

    @property
    def folder(self) -> str:
        return str(self._dir)

    def start(self) -> DemoSession:
        """Start the server and the players; ServerError says why the server did not come up."""
        try:
            self.server.start()
        except BaseException:
            self.stop()
            raise
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
            argv, env=self.server.env, stdin=subprocess.DEVNULL, preexec_fn=exit_with_this_thread()
        )
        self._procs.append(p)
        return p

    @property
    def helper_pids(self) -> list[int]:
        """The server's and the players' process ids."""
        return self.server.pids + [p.pid for p in self._procs]

    def stop(self) -> None:
        stop_processes(self._procs)
        self._procs.clear()
        self.server.stop()
        self.server.deactivate()
        with contextlib.suppress(OSError):
            shutil.rmtree(self._dir)

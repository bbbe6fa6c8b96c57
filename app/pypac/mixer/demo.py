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
from pypac.demo.pulse_server import NULL_SINK, PulseServer

#: (name, style, base frequency, amplitude): different looks in the waveforms.
DEMO_PLAYERS = (
    ("Music player", "music", 440.0, 0.6),
    ("Video call", "tone", 330.0, 0.25),
    ("Game", "music", 660.0, 0.45),
    ("Podcast", "music", 220.0, 0.35),
)


#: pactl commands that dress the demo server as a desk: speakers (the default),
#: headphones and a microphone (a tone), so the device controls have
#: something to show. The server's own null sink then goes (see _add_devices).
DEMO_DEVICES = (
    (
        "load-module",
        "module-null-sink",
        "sink_name=demo_speakers",
        "rate=48000",
        "sink_properties=device.description=Speakers",
    ),
    (
        "load-module",
        "module-null-sink",
        "sink_name=demo_headphones",
        "rate=48000",
        "sink_properties=device.description=Headphones",
    ),
    ("set-default-sink", "demo_speakers"),
    (
        "load-module",
        "module-sine-source",
        "source_name=demo_mic",
        "frequency=220",
        "source_properties=device.description=Microphone",
    ),
    ("set-default-source", "demo_mic"),
    ("set-source-volume", "demo_mic", "70%"),
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
        self._add_devices()
        for i in range(self.players):
            name, style, freq, amp = DEMO_PLAYERS[i % len(DEMO_PLAYERS)]
            if i >= len(DEMO_PLAYERS):
                name = f"{name} {i // len(DEMO_PLAYERS) + 1}"
            self.start_player(name, style, freq, amp)
        return self

    def _add_devices(self) -> None:
        """Best effort: without pactl (a frozen build) the demo has one output."""
        pactl = shutil.which("pactl")
        if pactl is None:
            return

        def run(*args: str) -> str:
            out = subprocess.run(
                [pactl, *args], env=self.server.env, capture_output=True, text=True, timeout=10
            )
            return out.stdout

        for args in DEMO_DEVICES:
            run(*args)
        # The server's own sink is named for tests ("PyPAC-null-output"), not a desk.
        if run("get-default-sink").strip() != "demo_speakers":
            return  # the speakers did not come: keep the sink the players can play on
        for line in run("list", "short", "modules").splitlines():
            if f"sink_name={NULL_SINK}" in line:
                run("unload-module", line.split()[0])

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

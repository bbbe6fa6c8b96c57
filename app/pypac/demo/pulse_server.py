"""A private PulseAudio daemon in a folder of its own: demo mode's sound server.

Nothing here touches the user's own server: HOME, XDG_RUNTIME_DIR and the config
folders point into `root`, and the socket is `root/run/pulse/native`. The daemon
has one null sink (48 kHz float32) and no hardware. `env` is what a client process
needs to reach it; `activate()` puts that into this process's environment (PyPAC's
engine reads PULSE_SERVER). The test suite's servers (tests/support) build on this.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import time
from pathlib import Path
from typing import Callable

from .processes import exit_with_this_thread, stop_processes

NULL_SINK = "pypac_null"

#: One readiness query may take this long; a server (or a pactl) that hangs must not
#: hang whoever waits for the server.
QUERY_TIMEOUT_S = 5.0

_PULSE_CONFIG = """\
load-module module-null-sink sink_name={sink} rate=48000 format=float32le channels=2 \
sink_properties=device.description=PyPAC-null-output
set-default-sink {sink}
set-default-source {sink}.monitor
load-module module-native-protocol-unix socket={socket} auth-anonymous=1
"""


class ServerError(RuntimeError):
    """The private server could not be started; the message says what went wrong."""


class PulseServer:
    """A private PulseAudio daemon; `start()` it, then point clients at `env`."""

    kind = "pulseaudio"

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)
        self.run_dir = self.root / "run"
        self.socket = self.run_dir / "pulse" / "native"
        self.address = f"unix:{self.socket}"
        self._procs: list[subprocess.Popen[bytes]] = []
        self._previous_env: dict[str, str | None] = {}
        self._last_query_problem = ""  # why the newest readiness query failed

    # ---- environment -----------------------------------------------------------

    @property
    def env(self) -> dict[str, str]:
        """Environment for a client of this server (merged over os.environ)."""
        env = dict(os.environ)
        env.update(self._own_env())
        return env

    def _own_env(self) -> dict[str, str]:
        return {
            "PULSE_SERVER": self.address,
            "XDG_RUNTIME_DIR": str(self.run_dir),
            "PULSE_RUNTIME_PATH": str(self.run_dir / "pulse"),
        }

    def activate(self) -> None:
        """Point this process (and its future children) at the server."""
        for key, value in self._own_env().items():
            self._previous_env.setdefault(key, os.environ.get(key))
            os.environ[key] = value

    def deactivate(self) -> None:
        for key, value in self._previous_env.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        self._previous_env.clear()

    # ---- life cycle --------------------------------------------------------------

    def start(self, timeout: float = 15.0) -> PulseServer:
        """Start the server and wait until it answers; ServerError says why it did not.

        The server gets SIGTERM when the calling thread ends (see exit_with_this_thread).
        """
        for d in (self.run_dir / "pulse", self.root / "home", self.root / "config"):
            d.mkdir(parents=True, exist_ok=True)
        self.run_dir.chmod(0o700)
        self._launch(timeout)
        return self

    def stop(self) -> None:
        stop_processes(self._procs)
        self._procs.clear()

    def _launch(self, timeout: float) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.socket.unlink()  # a killed server leaves it behind
        self._start_server()
        self._wait_ready(timeout)

    @property
    def pids(self) -> list[int]:
        """The server's process ids (one for PulseAudio)."""
        return [p.pid for p in self._procs]

    @property
    def running(self) -> bool:
        return bool(self._procs) and all(p.poll() is None for p in self._procs)

    def __enter__(self) -> PulseServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ---- starting ------------------------------------------------------------------

    def _start_server(self) -> None:
        cfg = self.root / "server.pa"
        cfg.write_text(_PULSE_CONFIG.format(sink=NULL_SINK, socket=self.socket))
        argv = [
            "pulseaudio",
            "-n",
            "--daemonize=no",
            "--exit-idle-time=-1",
            "--disallow-exit",
            "--use-pid-file=no",
            "--log-target=stderr",
            "-F",
            str(cfg),
        ]
        if os.geteuid() == 0:
            argv.insert(1, "--system=no")
        self._procs = [self._spawn(argv, "pulseaudio")]

    def _missing_program(self, name: str) -> ServerError:
        return ServerError(
            f"{name} is not installed; demo mode needs PulseAudio "
            "(Debian/Ubuntu: apt install pulseaudio pulseaudio-utils)"
        )

    def _server_env(self) -> dict[str, str]:
        """What the server processes see instead of the user's home and config."""
        return {
            "HOME": str(self.root / "home"),
            "XDG_CONFIG_HOME": str(self.root / "config"),
            "XDG_STATE_HOME": str(self.root / "state"),
            "XDG_DATA_HOME": str(self.root / "data"),
        }

    def _spawn(self, argv: list[str], log_name: str) -> subprocess.Popen[bytes]:
        exe = shutil.which(argv[0])
        if exe is None:
            raise self._missing_program(argv[0])
        env = self.env
        env.update(self._server_env())
        env.pop("PULSE_SERVER", None)  # the servers themselves must not be clients of it
        log = open(self.root / f"{log_name}.log", "ab")  # noqa: SIM115 - owned by the child
        try:
            return subprocess.Popen(
                [exe, *argv[1:]],
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own group: stop_processes ends its helpers too
                preexec_fn=exit_with_this_thread(),
            )
        finally:
            log.close()

    # ---- waiting until it answers ------------------------------------------------------

    def _wait_for(self, ready: Callable[[], bool], timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        while not ready():
            if time.monotonic() > deadline:
                raise ServerError(
                    f"{what} did not answer within {timeout:g} s"
                    f"{self._last_answer()}; {self._log_tail()}"
                )
            if any(p.poll() is not None for p in self._procs):
                raise ServerError(f"{what} exited at start; {self._log_tail()}")
            time.sleep(0.05)

    def _last_answer(self) -> str:
        return f" ({self._last_query_problem})" if self._last_query_problem else ""

    def _answers(self) -> bool:
        """True once the server answers `pactl get-default-sink` with our null sink."""
        try:
            out = subprocess.run(
                ["pactl", "get-default-sink"],
                env=self.env,
                capture_output=True,
                text=True,
                timeout=QUERY_TIMEOUT_S,
            )
        except FileNotFoundError:
            raise self._missing_program("pactl") from None
        except subprocess.TimeoutExpired:
            self._last_query_problem = f"pactl gave no answer within {QUERY_TIMEOUT_S:g} s"
            return False
        if out.returncode != 0:
            self._last_query_problem = f"pactl said: {out.stderr.strip() or out.returncode}"
            return False
        return out.stdout.strip() == NULL_SINK

    def _wait_ready(self, timeout: float) -> None:
        self._last_query_problem = ""
        try:
            self._wait_for(self._answers, timeout, f"the private {self.kind} server")
        except ServerError:
            self.stop()
            raise

    def _log_tail(self) -> str:
        tails = []
        for log in sorted(self.root.glob("*.log")):
            lines = log.read_text(errors="replace").strip().splitlines()[-5:]
            if lines:
                tails.append(f"{log.name}: " + " | ".join(lines))
        return "logs: " + ("; ".join(tails) if tails else "(empty)")

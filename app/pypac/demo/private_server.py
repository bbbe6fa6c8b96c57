"""A private sound server in a folder of its own, for tests, benchmarks and demo mode.

Two kinds, both reached through the PulseAudio protocol at `address`:

* ``"pulseaudio"``: a PulseAudio daemon with one null sink (48 kHz float32).
* ``"pipewire"``: PipeWire + WirePlumber + pipewire-pulse on a private D-Bus
  session bus, with a null sink of the same format.

Nothing here touches the user's own server: HOME, XDG_RUNTIME_DIR and the
config folders point into `root`, and the socket is `root/run/pulse/native`.
`env` is what a client process needs to reach the server; `activate()` puts it
into this process's environment (PyPAC's engine reads PULSE_SERVER).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

KINDS = ("pulseaudio", "pipewire")
NULL_SINK = "pypac_null"

_PULSE_CONFIG = """\
load-module module-null-sink sink_name={sink} rate=48000 format=float32le channels=2 \
sink_properties=device.description=PyPAC-null-output
set-default-sink {sink}
set-default-source {sink}.monitor
load-module module-native-protocol-unix socket={socket} auth-anonymous=1
"""

# A null sink that PipeWire schedules like a device; the default config's
# Dummy-Driver drives it when no real device exists.
_PIPEWIRE_NULL_SINK = """\
context.objects = [
  { factory = adapter
    args = {
      factory.name     = support.null-audio-sink
      node.name        = "%s"
      node.description = "PyPAC null output"
      media.class      = "Audio/Sink"
      audio.format     = "F32LE"
      audio.rate       = 48000
      audio.channels   = 2
      audio.position   = [ FL FR ]
      monitor.channel-volumes = true
      object.linger    = true
    }
  }
]
"""


# WirePlumber would remember each app's volume and mute across streams (one
# test's mute would silence the next player) and probe for hardware: neither
# belongs on a private server.
_WIREPLUMBER_OVERRIDES = """\
stream_defaults.enabled = false
alsa_monitor.enabled = false
v4l2_monitor.enabled = false
libcamera_monitor.enabled = false
"""


class ServerError(RuntimeError):
    """The private server could not be started; the message says what is missing."""


class PrivateServer:
    def __init__(self, kind: str, root: str | os.PathLike[str]) -> None:
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
        self.kind = kind
        self.root = Path(root)
        self.run_dir = self.root / "run"
        self.socket = self.run_dir / "pulse" / "native"
        self.address = f"unix:{self.socket}"
        self._procs: list[subprocess.Popen[bytes]] = []
        self._bus: subprocess.Popen[bytes] | None = None
        self._previous_env: dict[str, str | None] = {}

    # ---- environment -----------------------------------------------------------

    @property
    def env(self) -> dict[str, str]:
        """Environment for a client of this server (merged over os.environ)."""
        env = dict(os.environ)
        env.update(self._own_env())
        return env

    def _own_env(self) -> dict[str, str]:
        env = {
            "PULSE_SERVER": self.address,
            "XDG_RUNTIME_DIR": str(self.run_dir),
            "PULSE_RUNTIME_PATH": str(self.run_dir / "pulse"),
        }
        if self.kind == "pipewire":
            env["DBUS_SESSION_BUS_ADDRESS"] = f"unix:path={self.run_dir}/bus"
            env["PIPEWIRE_RUNTIME_DIR"] = str(self.run_dir)
        return env

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

    def start(self, timeout: float = 15.0) -> PrivateServer:
        for d in (self.run_dir / "pulse", self.root / "home", self.root / "config"):
            d.mkdir(parents=True, exist_ok=True)
        self.run_dir.chmod(0o700)
        self._launch(timeout)
        return self

    def stop(self) -> None:
        self._terminate(self._procs)
        self._procs.clear()
        if self._bus is not None:
            self._terminate([self._bus])
            self._bus = None

    def kill(self) -> None:
        """Kill the server at once (SIGKILL), as a crash would; D-Bus stays."""
        for p in self._procs:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(p.pid, signal.SIGKILL)
        for p in self._procs:
            p.wait(timeout=10)
        self._procs.clear()

    def restart(self, timeout: float = 15.0) -> None:
        self.kill()
        self._launch(timeout)

    def _launch(self, timeout: float) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.socket.unlink()  # a killed server leaves it behind
        if self.kind == "pulseaudio":
            self._start_pulseaudio()
        else:
            self._start_pipewire()
        self._wait_ready(timeout)

    @property
    def running(self) -> bool:
        return bool(self._procs) and all(p.poll() is None for p in self._procs)

    def __enter__(self) -> PrivateServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ---- queries -------------------------------------------------------------------

    def pactl(self, *args: str, check: bool = True) -> str:
        out = subprocess.run(
            ["pactl", *args], env=self.env, capture_output=True, text=True, timeout=10
        )
        if check and out.returncode != 0:
            raise ServerError(f"pactl {' '.join(args)} failed: {out.stderr.strip()}")
        return out.stdout

    def _list(self, what: str) -> list[dict[str, Any]]:
        return json.loads(self.pactl("--format=json", "list", what) or "[]")  # type: ignore[no-any-return]

    def sink_inputs(self) -> list[dict[str, Any]]:
        """Every playback stream: index, pid, app name, volume in %, mute."""
        rows = []
        for s in self._list("sink-inputs"):
            props = s.get("properties", {})
            rows.append(
                {
                    "index": s["index"],
                    "pid": int(props.get("application.process.id", 0)),
                    "app_name": props.get("application.name", ""),
                    "sink": s.get("sink"),
                    "mute": bool(s.get("mute")),
                    "volume_percent": [
                        int(str(ch["value_percent"]).rstrip("%"))
                        for ch in s.get("volume", {}).values()
                    ],
                }
            )
        return rows

    def source_outputs(self) -> list[dict[str, Any]]:
        """Every record stream: index, media name, app name."""
        return [
            {
                "index": s["index"],
                "media_name": s.get("properties", {}).get("media.name", ""),
                "app_name": s.get("properties", {}).get("application.name", ""),
            }
            for s in self._list("source-outputs")
        ]

    # ---- the two kinds ---------------------------------------------------------------

    def _spawn(self, argv: list[str], log_name: str) -> subprocess.Popen[bytes]:
        exe = shutil.which(argv[0])
        if exe is None:
            raise ServerError(
                f"{argv[0]} is not installed; install the Debian packages pulseaudio "
                "pulseaudio-utils pipewire pipewire-pulse wireplumber dbus (./dev does)"
            )
        env = self.env
        env.update(
            HOME=str(self.root / "home"),
            XDG_CONFIG_HOME=str(self.root / "config"),
            XDG_STATE_HOME=str(self.root / "state"),
            XDG_DATA_HOME=str(self.root / "data"),
            WIREPLUMBER_CONFIG_DIR=str(self.root / "config" / "wireplumber"),
        )
        env.pop("PULSE_SERVER", None)  # the servers themselves must not be clients of it
        log = open(self.root / f"{log_name}.log", "ab")  # noqa: SIM115 - owned by the child
        try:
            return subprocess.Popen(
                [exe, *argv[1:]],
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        finally:
            log.close()

    def _start_pulseaudio(self) -> None:
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

    def _start_pipewire(self) -> None:
        conf_dir = self.root / "config" / "pipewire" / "pipewire.conf.d"
        conf_dir.mkdir(parents=True, exist_ok=True)
        (conf_dir / "pypac-null-sink.conf").write_text(_PIPEWIRE_NULL_SINK % NULL_SINK)
        # WirePlumber 0.4 reads one config folder: a copy of the system's with ours added.
        wp_dir = self.root / "config" / "wireplumber"
        if not wp_dir.exists() and Path("/usr/share/wireplumber").is_dir():
            shutil.copytree("/usr/share/wireplumber", wp_dir)
        (wp_dir / "main.lua.d").mkdir(parents=True, exist_ok=True)
        (wp_dir / "main.lua.d" / "89-pypac-private-server.lua").write_text(_WIREPLUMBER_OVERRIDES)
        if self._bus is None or self._bus.poll() is not None:
            self._bus = self._spawn(
                [
                    "dbus-daemon",
                    "--session",
                    "--nofork",
                    "--nopidfile",
                    f"--address=unix:path={self.run_dir}/bus",
                ],
                "dbus",
            )
            self._wait_for(lambda: (self.run_dir / "bus").exists(), 5, "dbus-daemon")
        pw = self._spawn(["pipewire"], "pipewire")
        self._wait_for(lambda: (self.run_dir / "pipewire-0").exists(), 5, "pipewire")
        self._procs = [pw, self._spawn(["wireplumber"], "wireplumber")]
        self._procs.append(self._spawn(["pipewire-pulse"], "pipewire-pulse"))

    def _wait_for(self, ready: Any, timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        while not ready():
            if time.monotonic() > deadline:
                raise ServerError(f"{what} did not come up within {timeout} s; {self._log_tail()}")
            if any(p.poll() is not None for p in self._procs):
                raise ServerError(f"{what} exited at start; {self._log_tail()}")
            time.sleep(0.05)

    def _wait_ready(self, timeout: float) -> None:
        def ready() -> bool:
            out = subprocess.run(
                ["pactl", "get-default-sink"], env=self.env, capture_output=True, text=True
            )
            return out.returncode == 0 and out.stdout.strip() == NULL_SINK

        try:
            self._wait_for(ready, timeout, self.kind)
        except ServerError:
            self.stop()
            raise
        if self.kind == "pipewire":
            self.pactl("set-default-sink", NULL_SINK, check=False)

    def _log_tail(self) -> str:
        tails = []
        for log in sorted(self.root.glob("*.log")):
            lines = log.read_text(errors="replace").strip().splitlines()[-5:]
            if lines:
                tails.append(f"{log.name}: " + " | ".join(lines))
        return "logs: " + ("; ".join(tails) if tails else "(empty)")

    @staticmethod
    def _terminate(procs: list[subprocess.Popen[bytes]]) -> None:
        for p in procs:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(p.pid, signal.SIGTERM)
        for p in procs:
            try:
                p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(p.pid, signal.SIGKILL)
                p.wait(timeout=5)

"""The test suite's private sound servers: demo mode's PulseAudio server, and PipeWire.

Two kinds, both reached through the PulseAudio protocol at `address`:

* ``"pulseaudio"``: the PulseAudio daemon of pypac.demo.pulse_server (one null sink,
  48 kHz float32).
* ``"pipewire"``: PipeWire + WirePlumber + pipewire-pulse on a private D-Bus session
  bus, with a null sink of the same format.

On top of demo mode's server, tests kill and restart servers (a crash, the server
coming back) and ask them what they play (`sink_inputs()`, `source_outputs()`).
Used by tests/, bench/ and packaging/smoke_test.py.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

from pypac.demo.processes import stop_processes
from pypac.demo.pulse_server import NULL_SINK, PulseServer, ServerError

KINDS = ("pulseaudio", "pipewire")

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


class PrivateServer(PulseServer):
    """A private server of either kind, which tests can kill, restart and query."""

    def __init__(self, kind: str, root: str | os.PathLike[str]) -> None:
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
        super().__init__(root)
        self.kind = kind
        self._bus: subprocess.Popen[bytes] | None = None

    def _own_env(self) -> dict[str, str]:
        env = super()._own_env()
        if self.kind == "pipewire":
            env["DBUS_SESSION_BUS_ADDRESS"] = f"unix:path={self.run_dir}/bus"
            env["PIPEWIRE_RUNTIME_DIR"] = str(self.run_dir)
        return env

    # ---- life cycle --------------------------------------------------------------

    def start(self, timeout: float = 15.0) -> PrivateServer:
        super().start(timeout)
        return self

    def __enter__(self) -> PrivateServer:
        return self.start()

    def stop(self) -> None:
        super().stop()
        if self._bus is not None:
            stop_processes([self._bus])
            self._bus = None

    def kill(self) -> None:
        """Kill the server at once (SIGKILL), as a crash would; D-Bus stays."""
        stop_processes(self._procs, timeout=10, kill=True)
        self._procs.clear()

    def restart(self, timeout: float = 15.0) -> None:
        self.kill()
        self._launch(timeout)

    def _missing_program(self, name: str) -> ServerError:
        return ServerError(
            f"{name} is not installed; install the Debian packages pulseaudio "
            "pulseaudio-utils pipewire pipewire-pulse wireplumber dbus (./dev does)"
        )

    # ---- queries -------------------------------------------------------------------

    def pactl(self, *args: str, check: bool = True) -> str:
        out = subprocess.run(
            ["pactl", *args], env=self.env, capture_output=True, text=True, timeout=10
        )
        if check and out.returncode != 0:
            raise ServerError(f"pactl {' '.join(args)} failed: {out.stderr.strip()}")
        return out.stdout

    def _list(self, what: str) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = json.loads(self.pactl("--format=json", "list", what) or "[]")
        return rows

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

    # ---- PipeWire ------------------------------------------------------------------

    def _server_env(self) -> dict[str, str]:
        env = super()._server_env()
        env["WIREPLUMBER_CONFIG_DIR"] = str(self.root / "config" / "wireplumber")
        return env

    def _start_server(self) -> None:
        if self.kind == "pulseaudio":
            super()._start_server()
            return
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

    def _wait_ready(self, timeout: float) -> None:
        super()._wait_ready(timeout)
        if self.kind == "pipewire":
            self.pactl("set-default-sink", NULL_SINK, check=False)
            # pipewire-pulse acknowledges the new default a moment before it shows it:
            # a test that starts at once would find no default device yet.
            self._wait_for(
                lambda: self.pactl("get-default-sink", check=False).strip() == NULL_SINK,
                timeout,
                "the private pipewire server's default sink",
            )

"""Fixtures every test shares: a private sound server of each kind, tone players.

The server fixture is parametrized over PulseAudio and PipeWire (through
pipewire-pulse), so every test that takes `sound_server` (or `player`) runs
against both. A server that cannot start is an ERROR, never a skip: CI must
not pass without having run the real-server tests.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from typing import Callable

import pytest

import pypac
from pypac import engine
from pypac.demo.processes import stop_processes
from tests.support.sound_servers import KINDS, PrivateServer
from tests.support.waiting import wait_until

Player = Callable[..., "subprocess.Popen[bytes]"]


@pytest.fixture(scope="session", params=KINDS)
def _private_server(request: pytest.FixtureRequest, tmp_path_factory) -> Iterator[PrivateServer]:
    server = PrivateServer(request.param, tmp_path_factory.mktemp(request.param))
    server.start()
    server.activate()
    engine.reset_engine()  # the shared engine connects to this server from now on
    yield server
    engine.reset_engine()
    server.stop()
    server.deactivate()


@pytest.fixture
def sound_server(_private_server: PrivateServer) -> PrivateServer:
    """The running private server (restarted if an earlier test killed it)."""
    if not _private_server.running:
        _private_server.restart()
    return _private_server


@pytest.fixture
def enumerator(sound_server: PrivateServer) -> Iterator[pypac.SessionEnumerator]:
    en = pypac.SessionEnumerator()
    yield en
    en.close()


@pytest.fixture
def player(sound_server: PrivateServer) -> Iterator[Player]:
    """Start tone players: player(440, 1000, name="X") plays two streams in one process."""
    procs: list[subprocess.Popen[bytes]] = []

    def start(
        *freqs: float,
        name: str = "PyPAC test tone",
        duration: float = 60.0,
        second_stream_delay: float = 0.0,
        amplitude: float = 0.5,
        style: str = "tone",
        gap: tuple[float, float] | None = None,
        clicks: float = 0.0,
        start_delay: float = 0.0,
    ) -> subprocess.Popen[bytes]:
        argv = [sys.executable, "-m", "pypac.demo.tone_player", "--name", name]
        for f in freqs:
            argv += ["--freq", str(f)]
        argv += [
            "--duration",
            str(duration),
            "--second-stream-delay",
            str(second_stream_delay),
            "--amplitude",
            str(amplitude),
            "--style",
            style,
        ]
        if gap is not None:
            argv += ["--gap", f"{gap[0]}:{gap[1]}"]  # (start, length): no stream meanwhile
        argv += ["--clicks", str(clicks), "--start-delay", str(start_delay)]
        p = subprocess.Popen(argv, env=sound_server.env)
        procs.append(p)
        return p

    yield start
    stop_processes(procs)


SECOND_SINK = "pypac_second_sink"


@pytest.fixture
def second_sink(sound_server: PrivateServer) -> Iterator[str]:
    """A second output device (a null sink) for the test's duration."""
    module = sound_server.pactl(
        "load-module",
        "module-null-sink",
        f"sink_name={SECOND_SINK}",
        "sink_properties=device.description=Second",
    ).strip()
    yield SECOND_SINK
    default = sound_server.pactl("get-default-sink").strip()
    if default == SECOND_SINK:  # leave the server as the next test expects it
        others = [
            d
            for d in sound_server.pactl("list", "short", "sinks").splitlines()
            if SECOND_SINK not in d
        ]
        fallback = others[0].split()[1]
        sound_server.pactl("set-default-sink", fallback)
        # Unloading the sink before pipewire-pulse shows the new default would leave
        # the removed sink as the configured default for the next test.
        wait_until(lambda: sound_server.pactl("get-default-sink").strip() == fallback)
    sound_server.pactl("unload-module", module)


MIC = "pypac_fake_mic"
MIC_FEED = "pypac_mic_feed"


@pytest.fixture
def fake_mic(sound_server: PrivateServer) -> Iterator[str]:
    """An input device fed by whatever plays on the sink MIC_FEED (a null sink
    whose monitor a remap source presents as a microphone)."""
    feed = sound_server.pactl("load-module", "module-null-sink", f"sink_name={MIC_FEED}").strip()
    mic = sound_server.pactl(
        "load-module",
        "module-remap-source",
        f"master={MIC_FEED}.monitor",
        f"source_name={MIC}",
        "source_properties=device.description=Fake-Mic",
    ).strip()
    yield MIC
    sound_server.pactl("unload-module", mic)
    sound_server.pactl("unload-module", feed)

"""`pypac` on the command line, as a user runs it, against the private servers."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

import pypac
from tests.support.sound_servers import PrivateServer
from tests.support.waiting import wait_for_session


def pypac_cli(
    server: PrivateServer | None, *args: str, timeout: float = 30
) -> subprocess.CompletedProcess[str]:
    env = server.env if server else dict(os.environ)
    return subprocess.run(
        [sys.executable, "-m", "pypac", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.fixture
def enumerator(sound_server):
    en = pypac.SessionEnumerator()
    yield en
    en.close()


def test_list_table_and_json(enumerator, player, sound_server):
    p = player(440, name="Listed tone")
    wait_for_session(enumerator, p.pid)
    table = pypac_cli(sound_server, "list")
    assert table.returncode == 0, table.stderr
    assert "Listed tone" in table.stdout and str(p.pid) in table.stdout
    rows = json.loads(pypac_cli(sound_server, "list", "--json").stdout)
    row = next(r for r in rows if r["process_id"] == p.pid)
    assert row["display_name"] == "Listed tone"
    assert row["state"] == "active" and row["muted"] is False


def test_volume_and_mute(enumerator, player, sound_server):
    p = player(440)
    wait_for_session(enumerator, p.pid)
    out = pypac_cli(sound_server, "volume", str(p.pid), "30%")
    assert out.returncode == 0, out.stderr
    assert [s["volume_percent"] for s in sound_server.sink_inputs() if s["pid"] == p.pid] == [
        [30, 30]
    ]
    assert pypac_cli(sound_server, "mute", str(p.pid), "on").returncode == 0
    assert all(s["mute"] for s in sound_server.sink_inputs() if s["pid"] == p.pid)
    assert pypac_cli(sound_server, "mute", str(p.pid), "off").returncode == 0
    assert not any(s["mute"] for s in sound_server.sink_inputs() if s["pid"] == p.pid)


@pytest.mark.parametrize(
    "args",
    [
        ("volume", "1", "loud"),
        ("volume", "1", "150%"),
        ("mute", "1", "maybe"),
        ("record", "--pid", "1"),  # no --output
        ("record", "--pid", "1", "--output", "x.mp3"),
        ("frobnicate",),
    ],
)
def test_bad_usage_exits_2(sound_server, args):
    out = pypac_cli(sound_server, *args)
    assert out.returncode == 2, (out.stdout, out.stderr)
    assert "usage:" in out.stderr or "pypac:" in out.stderr


def test_unknown_app_exits_3(sound_server, tmp_path):
    pid = str(2**22 + 777)
    for args in (
        ("volume", pid, "0.5"),
        ("mute", pid, "on"),
        ("record", "--pid", pid, "-o", str(tmp_path / "x.flac")),
        ("record", "--name", "no-such-app", "-o", str(tmp_path / "y.flac")),
    ):
        out = pypac_cli(sound_server, *args)
        assert out.returncode == 3, (args, out.stderr)
        assert "no audio session" in out.stderr
    assert not list(tmp_path.iterdir())  # nothing created for an app that is not there


def test_no_server_exits_4(tmp_path):
    env_server = PrivateServer("pulseaudio", tmp_path)  # never started: nobody listens there
    out = pypac_cli(env_server, "list", timeout=60)
    assert out.returncode == 4, out.stderr
    assert str(env_server.socket) in out.stderr
    assert "Start PulseAudio or PipeWire" in out.stderr

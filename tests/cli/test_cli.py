"""`pypac` on the command line, as a user runs it, against the private servers."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from pypac.demo.processes import stop_processes
from tests.support.sound_servers import PrivateServer
from tests.support.waiting import wait_for_session, wait_until


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
        ("volume", "1", "160%"),
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
    pid = str(2**22 + 777)  # above Linux's pid_max: no such process
    silent = str(os.getpid())  # exists, plays nothing
    for args, says in (
        (("volume", pid, "0.5"), f"process {pid} does not exist"),
        (("mute", pid, "on"), f"process {pid} does not exist"),
        (("record", "--pid", pid, "-o", str(tmp_path / "x.flac")), "does not exist"),
        (("volume", silent, "0.5"), "no audio session"),
        (("record", "--name", "no-such-app", "-o", str(tmp_path / "y.flac")), "no audio session"),
    ):
        out = pypac_cli(sound_server, *args)
        assert out.returncode == 3, (args, out.stderr)
        assert says in out.stderr, (args, out.stderr)
    assert not list(tmp_path.iterdir())  # nothing created for an app that is not there


def test_no_server_exits_4(tmp_path):
    env_server = PrivateServer("pulseaudio", tmp_path)  # never started: nobody listens there
    out = pypac_cli(env_server, "list", timeout=60)
    assert out.returncode == 4, out.stderr
    assert str(env_server.socket) in out.stderr
    assert "Start PulseAudio or PipeWire" in out.stderr


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("--duration", "0.00000001"), "shorter than one sample"),
        (("--duration", "nan"), "positive number of seconds"),
        (("--duration", "-1"), "positive number of seconds"),
        (("--format", "flac", "-o", "{tmp}/x.wav"), "says WAV but the format asked for is FLAC"),
        (("-o", "{tmp}/x.mp3"), ".mp3 is not a format PyPAC writes"),
        (("-o", "{tmp}/x.flac", "--name", ""), "the name is empty"),
        (("-o", ""), "no output file given"),
    ],
)
def test_bad_record_input_exits_2_with_the_record_usage(sound_server, tmp_path, args, says):
    argv = [a.replace("{tmp}", str(tmp_path)) for a in args]
    if "-o" not in argv:
        argv += ["-o", str(tmp_path / "x.flac")]
    if "--name" not in argv:
        argv += ["--pid", "1"]
    out = pypac_cli(sound_server, "record", *argv)
    assert out.returncode == 2, out.stderr
    assert says in out.stderr, out.stderr
    assert "usage: pypac record" in out.stderr
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize(
    ("target", "force", "says"),
    [
        ("{tmp}", False, "Is a directory"),
        ("{tmp}", True, "Is a directory"),
        ("/proc/pypac-test.flac", False, "No such file or directory"),
        ("/dev/full", True, "No space left on device"),
        ("/dev/full", False, "already exists"),
    ],
)
def test_bad_output_path_says_why_in_the_os_words(
    enumerator, player, sound_server, tmp_path, target, force, says
):
    p = player(440)
    wait_for_session(enumerator, p.pid)
    path = target.replace("{tmp}", str(tmp_path))
    extra = ["--force", "--format", "flac"] if force else ["--format", "flac"]
    out = pypac_cli(sound_server, "record", "--pid", str(p.pid), "-o", path, *extra)
    assert out.returncode == 1, (out.stdout, out.stderr)
    assert says in out.stderr, out.stderr
    assert "Traceback" not in out.stderr


def test_duration_inf_records_until_stopped(enumerator, player, sound_server, tmp_path):
    p = player(440, duration=3.0, name="Short player")
    wait_for_session(enumerator, p.pid)
    for forever in ("inf", "1e309"):
        path = tmp_path / f"{forever}.flac"
        out = pypac_cli(
            sound_server, "record", "--pid", str(p.pid), "-o", str(path), "--duration", forever
        )
        assert out.returncode == 0, out.stderr
        assert "the application exited" in out.stdout
        p = player(440, duration=3.0, name="Short player")
        wait_for_session(enumerator, p.pid)


def test_volume_syntax_and_the_value_applied(enumerator, player, sound_server):
    p = player(440)
    wait_for_session(enumerator, p.pid)
    for text, percent in (("40%", 40), ("0.25", 25), ("1", 100), ("0", 0)):
        out = pypac_cli(sound_server, "volume", str(p.pid), text)
        assert out.returncode == 0, out.stderr
        assert out.stdout.strip() == f"{p.pid}: volume {percent}%"
        assert [s["volume_percent"] for s in sound_server.sink_inputs() if s["pid"] == p.pid] == [
            [percent, percent]
        ]
    out = pypac_cli(sound_server, "volume", str(p.pid), "40")
    assert out.returncode == 2 and "write 40% for a percentage" in out.stderr
    for boost in ("1.3", "130%"):  # boost, up to 150% as pavucontrol offers
        out = pypac_cli(sound_server, "volume", str(p.pid), boost)
        assert out.returncode == 0, out.stderr
        assert out.stdout.strip() == f"{p.pid}: volume 130%"
    out = pypac_cli(sound_server, "volume", str(p.pid), "1.8")
    assert out.returncode == 2 and "0.0 to 1.5" in out.stderr


def test_full_server_says_too_many_clients(sound_server):
    # Both servers take 64 clients; the 65th is hung up on during the handshake.
    subscribers = [
        subprocess.Popen(
            ["pactl", "subscribe"],
            env=sound_server.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(70)
    ]
    try:
        wait_until(lambda: sum(p.poll() is not None for p in subscribers) >= 6, timeout=20)
        out = pypac_cli(sound_server, "list", timeout=60)
        assert out.returncode == 4, out.stderr
        assert "too many clients" in out.stderr, out.stderr
        assert "Start PulseAudio" not in out.stderr
    finally:
        stop_processes(subscribers)

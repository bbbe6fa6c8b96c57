"""`pypac devices`, `route`, `default`, and volume/mute by name or --device."""

from __future__ import annotations

import json

import pypac
from tests.conftest import SECOND_SINK
from tests.support.waiting import wait_for_session, wait_until

from .test_cli import pypac_cli


def test_devices_table_and_json(sound_server, enumerator, second_sink):
    wait_until(lambda: any(d.id == SECOND_SINK for d in enumerator.enumerate_devices()))
    table = pypac_cli(sound_server, "devices")
    assert table.returncode == 0, table.stderr
    assert SECOND_SINK in table.stdout and "output" in table.stdout
    rows = json.loads(pypac_cli(sound_server, "devices", "--json").stdout)
    second = next(r for r in rows if r["id"] == SECOND_SINK)
    assert second["kind"] == "output" and second["is_default"] is False


def test_device_volume_mute_and_default(sound_server, enumerator, second_sink):
    wait_until(lambda: any(d.id == SECOND_SINK for d in enumerator.enumerate_devices()))
    out = pypac_cli(sound_server, "volume", "--device", SECOND_SINK, "40%")
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == f"{SECOND_SINK}: volume 40%"
    assert "40%" in sound_server.pactl("get-sink-volume", SECOND_SINK)
    out = pypac_cli(sound_server, "mute", "--device", "Second", "on")  # by description
    assert out.returncode == 0, out.stderr
    assert sound_server.pactl("get-sink-mute", SECOND_SINK).strip() == "Mute: yes"
    out = pypac_cli(sound_server, "default", SECOND_SINK)
    assert out.returncode == 0, out.stderr
    wait_until(lambda: sound_server.pactl("get-default-sink").strip() == SECOND_SINK)


def test_route_and_control_an_app_by_name(sound_server, enumerator, player, second_sink):
    p = player(440, name="Routed by name")
    wait_for_session(enumerator, p.pid)
    out = pypac_cli(sound_server, "route", "Routed by name", SECOND_SINK)
    assert out.returncode == 0, out.stderr
    wait_until(lambda: enumerator.get_session(p.pid).device_id == SECOND_SINK)
    out = pypac_cli(sound_server, "volume", "Routed by name", "30%")
    assert out.returncode == 0, out.stderr
    assert [s["volume_percent"] for s in sound_server.sink_inputs() if s["pid"] == p.pid] == [
        [30, 30]
    ]
    rows = json.loads(pypac_cli(sound_server, "list", "--json").stdout)
    row = next(r for r in rows if r["process_id"] == p.pid)
    assert row["device_id"] == SECOND_SINK and row["process_ids"] == [p.pid]


def test_unknown_and_ambiguous_names(sound_server, enumerator, player):
    a = player(440, name="Twin")
    b = player(660, name="Twin")
    wait_for_session(enumerator, a.pid)
    wait_for_session(enumerator, b.pid)
    out = pypac_cli(sound_server, "volume", "Twin", "50%")
    assert out.returncode == 2, out.stderr
    assert "2 apps are named 'Twin'" in out.stderr and str(a.pid) in out.stderr
    out = pypac_cli(sound_server, "route", "Twin", "nowhere")
    assert out.returncode in (2, 3), out.stderr
    out = pypac_cli(sound_server, "route", str(a.pid), "nowhere")
    assert out.returncode == 3 and "no device named 'nowhere'; there are" in out.stderr
    out = pypac_cli(sound_server, "default", "nowhere")
    assert out.returncode == 3, out.stderr
    out = pypac_cli(sound_server, "mute", "--device", "nowhere", "on")
    assert out.returncode == 3, out.stderr
    out = pypac_cli(sound_server, "volume", "50%")
    assert out.returncode == 2 and "usage: pypac volume" in out.stderr
    assert isinstance(pypac.DeviceNotFoundError("x"), LookupError)

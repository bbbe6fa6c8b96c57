"""Stored settings: they survive a restart (a new process reads the file), and a
corrupt, unreadable or odd file gives the defaults with a warning, never a crash."""

from __future__ import annotations

import logging
import os
import stat

import pytest

from pypac.autorecord import RecordRule, rules_to_json
from pypac.mixer.settings import (
    APP_LEVELS,
    APP_OUTPUTS,
    AUTO_RECORD_RULES,
    CLOSE_NOTICE_SHOWN,
    HIDDEN_APPS,
    RECENT_RECORDINGS,
    RECORDING_FOLDER,
    RECORDING_FORMAT,
    REMEMBER_LEVELS,
    REPLAY_ENABLED,
    REPLAY_SECONDS,
    THEME,
    WINDOW_GEOMETRY,
    MixerSettings,
)
from pypac.mixer.settings_store import (
    PATH_ENV,
    SettingsStore,
    default_settings_path,
    load_settings,
)
from tests.support.settings_file import read_in_new_process


def test_every_setting_survives_a_restart(qapp, tmp_path):
    path = tmp_path / "conf" / "PyPAC Mixer.ini"
    s = load_settings(path)
    s.set_value(RECORDING_FOLDER, str(tmp_path / "rec"))
    s.set_value(RECORDING_FORMAT, "OGG")
    s.set_value(THEME, "light")
    s.set_value(WINDOW_GEOMETRY, b"\x01\xd9\xd0\xcb\x00\x03")
    s.set_value(HIDDEN_APPS, ["firefox|Firefox"])  # one item: INI reads it back as text
    s.set_value(REMEMBER_LEVELS, False)
    s.set_value(
        APP_LEVELS,
        {
            "mpv|Music, live": {"volume": 0.3, "muted": True},
            "b|Boost": {"volume": 1.45, "muted": False},
        },
    )
    s.set_value(APP_OUTPUTS, {"mpv|Music, live": "alsa_output.usb-headset"})
    s.set_value(CLOSE_NOTICE_SHOWN, True)
    s.set_value(RECENT_RECORDINGS, [str(tmp_path / "a.flac"), str(tmp_path / "b.wav")])
    rules = [RecordRule("Zoom, call", tmp_path / "calls", mic="", silence_seconds=5)]
    s.set_value(AUTO_RECORD_RULES, rules)
    s.set_value(REPLAY_ENABLED, True)
    s.set_value(REPLAY_SECONDS, 45)
    s.sync()
    assert path.is_file()
    assert "PyObjectWrapper" not in path.read_text()  # no pickles in the user's file

    back = read_in_new_process(path, tmp_path)
    assert back.pop("problems") == []
    assert back == {
        RECORDING_FOLDER: str(tmp_path / "rec"),
        RECORDING_FORMAT: "ogg",
        THEME: "light",
        WINDOW_GEOMETRY: "01d9d0cb0003",
        HIDDEN_APPS: ["firefox|Firefox"],
        REMEMBER_LEVELS: False,
        APP_LEVELS: {
            "mpv|Music, live": {"volume": 0.3, "muted": True},
            "b|Boost": {"volume": 1.45, "muted": False},  # boost is remembered too
        },
        APP_OUTPUTS: {"mpv|Music, live": "alsa_output.usb-headset"},
        CLOSE_NOTICE_SHOWN: True,
        RECENT_RECORDINGS: [str(tmp_path / "a.flac"), str(tmp_path / "b.wav")],
        AUTO_RECORD_RULES: rules_to_json(rules, indent=None),  # JSON text, commas and all
        REPLAY_ENABLED: True,
        REPLAY_SECONDS: 45.0,
    }


def test_no_file_gives_the_defaults_quietly(qapp, tmp_path, caplog):
    s = load_settings(tmp_path / "none.ini")
    fresh = MixerSettings()
    assert all(s.value(k) == fresh.value(k) for k in (THEME, RECORDING_FORMAT, REMEMBER_LEVELS))
    assert s.value(REMEMBER_LEVELS) is True  # remembering levels is on by default
    assert not caplog.records
    assert not s.backend.problems


@pytest.mark.parametrize(
    "garbage",
    [
        b"\x00\xff\xfe garbage \x89PNG\r\n[appearance\ntheme light no equals\n",
        b"\x00\x01 no section, no equals sign\n",  # Qt finds this only on first access
    ],
)
def test_a_corrupt_file_gives_defaults_is_kept_aside_and_saving_works_again(
    qapp, tmp_path, caplog, garbage
):
    path = tmp_path / "settings.ini"
    path.write_bytes(garbage)
    with caplog.at_level(logging.WARNING):
        s = load_settings(path)
    assert s.value(THEME) == "dark"
    assert "corrupt" in caplog.text and "using the defaults" in caplog.text
    kept = list(tmp_path.glob("settings.ini.corrupt-*"))
    assert len(kept) == 1 and kept[0].read_bytes() == garbage
    s.set_value(THEME, "light")
    s.sync()
    assert read_in_new_process(path, tmp_path)[THEME] == "light"


def test_an_unreadable_file_gives_defaults_and_saving_fails_politely(qapp, tmp_path, caplog):
    path = tmp_path / "settings.ini"
    path.mkdir()  # unreadable as a file even for root (chmod 000 is not, for root)
    with caplog.at_level(logging.WARNING):
        s = load_settings(path)
    assert s.value(THEME) == "dark"
    assert "is a folder" in caplog.text and "not saved" in caplog.text
    s.set_value(THEME, "light")  # kept for this run...
    s.sync()  # ...and the failed save is no exception
    assert s.value(THEME) == "light"


@pytest.mark.parametrize(
    ("ini", "key"),
    [
        ("[appearance]\ntheme=purple\n", THEME),
        ("[recording]\nformat=mp3\n", RECORDING_FORMAT),
        ("[apps]\nrememberLevels=perhaps\n", REMEMBER_LEVELS),
        ('[apps]\nlevels="{\\"a|b\\": {\\"volume\\": 7, \\"muted\\": false}}"\n', APP_LEVELS),
        ("[apps]\nlevels=not json at all\n", APP_LEVELS),
        ("[window]\ngeometry=just text\n", WINDOW_GEOMETRY),
        ("[recording]\nfolder=\n", RECORDING_FOLDER),
    ],
)
def test_a_bad_value_falls_back_to_its_default_alone(qapp, tmp_path, caplog, ini, key):
    path = tmp_path / "settings.ini"
    path.write_text(ini + "[tray]\ncloseNoticeShown=true\n")
    with caplog.at_level(logging.WARNING):
        s = load_settings(path)
    assert s.value(key) == MixerSettings().value(key)
    assert key in caplog.text
    assert s.value(CLOSE_NOTICE_SHOWN) is True  # the good value next to it is used


def test_path_comes_from_the_environment_or_the_platform(qapp, monkeypatch, tmp_path):
    monkeypatch.setenv(PATH_ENV, str(tmp_path / "x.ini"))
    assert default_settings_path() == tmp_path / "x.ini"
    monkeypatch.delenv(PATH_ENV)
    default = default_settings_path()
    assert default.name == "PyPAC Mixer.ini" and default.parent.name == "PyPAC"


def test_command_line_overrides_are_not_saved(qapp, tmp_path):
    path = tmp_path / "s.ini"
    s = load_settings(path, overrides={THEME: "light"})
    assert s.value(THEME) == "light"
    s.sync()
    assert read_in_new_process(path, tmp_path)[THEME] == "dark"


def test_values_are_checked_and_observed():
    s = MixerSettings()
    seen = []
    s.observe(lambda k, v: seen.append((k, v)))
    s.set_value(REMEMBER_LEVELS, "false")
    s.set_value(REMEMBER_LEVELS, False)  # no change: no news
    assert seen == [(REMEMBER_LEVELS, False)]
    for key, bad in (
        (THEME, "blue"),
        (APP_LEVELS, {"a": {"volume": 2, "muted": False}}),
        (APP_OUTPUTS, {"a": ""}),
        (APP_OUTPUTS, ["speakers"]),
    ):
        with pytest.raises(ValueError):
            s.set_value(key, bad)
    with pytest.raises(KeyError):
        s.set_value("no/such", 1)


@pytest.mark.timeout(20)  # a FIFO opened for reading would block here forever
@pytest.mark.parametrize("kind", ["fifo", "device", "folder"])
def test_a_path_that_is_no_regular_file_means_do_not_persist(qapp, tmp_path, caplog, kind):
    path = tmp_path / "settings"
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "device":
        os.mknod(path, 0o666 | stat.S_IFCHR, os.makedev(1, 3))  # what /dev/null is
    else:
        path.mkdir()
    store = SettingsStore(path)
    settings = store.attach(MixerSettings())
    settings.set_value(RECORDING_FORMAT, "wav")
    settings.sync()
    mode = os.stat(path).st_mode
    assert {"fifo": stat.S_ISFIFO, "device": stat.S_ISCHR, "folder": stat.S_ISDIR}[kind](mode)
    assert len(store.problems) == 1 and "not saved" in store.problems[0], store.problems

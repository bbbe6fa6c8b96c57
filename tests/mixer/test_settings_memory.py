"""Remembered app levels: the Qt-free decisions, then the real thing on both servers
(a player set to 30% comes back at 30% after a restart, even after the mixer restarted)."""

from __future__ import annotations

from dataclasses import replace

from pypac.engine import SessionInfo, SessionState
from pypac.mixer.app_identity import app_identity
from pypac.mixer.integration import install_desktop_features
from pypac.mixer.main_window import MixerWindow
from pypac.mixer.settings import APP_LEVELS, REMEMBER_LEVELS
from pypac.mixer.settings_store import load_settings
from pypac.mixer.theme import apply_theme
from pypac.mixer.volume_memory import RESTORE_S, AppLevel, VolumeMemory
from tests.support.strips import stream_of, wait_strip

ACTIVE, INACTIVE = SessionState.ACTIVE, SessionState.INACTIVE


def info(pid: int, volume: float = 1.0, muted: bool = False, state=ACTIVE, name="Memo"):
    return SessionInfo(pid, "python3", name, "", state, volume, muted, 0.0, 1, (pid,))


def test_identity_is_binary_and_name_not_pid():
    assert app_identity(info(1)) == app_identity(info(2)) == "python3|Memo"
    assert app_identity(info(1, name="Other")) != app_identity(info(1))
    assert app_identity(replace(info(1), process_name="", display_name="")) is None


def test_remembers_what_the_user_set_and_restores_it_on_the_next_run():
    saved = []
    m = VolumeMemory(on_change=saved.append)
    assert m.reset([]) == []  # the first listing: nothing to restore
    assert m.observe(info(10), now=0) is None  # a new app with nothing remembered
    assert m.observe(info(10, 0.3), now=1) is None
    assert m.levels == {"python3|Memo": AppLevel(0.3, False)}
    assert saved[-1] == {"python3|Memo": {"volume": 0.3, "muted": False}}
    m.removed(10)
    assert m.observe(info(11), now=2) == AppLevel(0.3, False)  # same app, new pid
    assert m.observe(info(11, 0.3), now=2.1) is None  # restored: done
    assert m.levels["python3|Memo"] == AppLevel(0.3, False)


def test_pipewire_start_up_level_is_not_remembered_and_an_override_is_restored_again():
    m = VolumeMemory({"python3|Memo": {"volume": 0.3, "muted": True}})
    m.reset([])
    # PipeWire lists the stream corked at 0 first: restore at once, remember nothing.
    assert m.observe(info(5, 0.0, state=INACTIVE), now=0) == AppLevel(0.3, True)
    # The stream sets its own level as it starts playing: restore again.
    assert m.observe(info(5, 1.0), now=0.1) == AppLevel(0.3, True)
    assert m.observe(info(5, 0.3, True), now=0.2) is None
    assert m.levels["python3|Memo"] == AppLevel(0.3, True)  # never 0.0 or 1.0
    assert m.observe(info(5, 0.5, True), now=0.3) is None  # the user's change...
    assert m.levels["python3|Memo"] == AppLevel(0.5, True)  # ...is remembered


def test_a_restore_gives_up_after_a_while():
    m = VolumeMemory({"python3|Memo": {"volume": 0.3, "muted": False}})
    m.reset([])
    assert m.observe(info(5), now=0) is not None
    assert m.observe(info(5, 0.8), now=RESTORE_S + 1) is None  # too late: the user's now
    assert m.observe(info(5, 0.7), now=RESTORE_S + 2) is None
    assert m.levels["python3|Memo"] == AppLevel(0.7, False)


def test_apps_running_before_the_mixer_are_left_alone_but_a_new_server_restores():
    m = VolumeMemory({"python3|Memo": {"volume": 0.3, "muted": False}})
    assert m.reset([info(7, 0.9)]) == []  # it was running already: keep what it has
    m.server_lost()
    assert m.reset([info(7, 1.0)]) == [(7, AppLevel(0.3, False))]  # a restarted server forgot


def test_disabled_memory_neither_restores_nor_learns():
    m = VolumeMemory({"python3|Memo": {"volume": 0.3, "muted": False}}, enabled=False)
    m.reset([])
    assert m.observe(info(5), now=0) is None
    assert m.observe(info(5, 0.6), now=1) is None
    assert m.levels["python3|Memo"] == AppLevel(0.3, False)


# ---- on the private servers ------------------------------------------------------------


def _window(qtbot, qapp, path):
    settings = load_settings(path)
    window = MixerWindow(apply_theme(qapp, "dark"), settings)
    features = install_desktop_features(qapp, window, settings, tray=False)
    qtbot.addWidget(window, before_close_func=lambda w: w.shutdown())
    window.show()
    qtbot.waitUntil(lambda: window.server_up, timeout=10000)
    return window, features


def _wait_volume(qtbot, sound_server, pid, percent, timeout=5000):
    def at() -> bool:
        stream = stream_of(sound_server, pid)
        return stream is not None and stream["volume_percent"] == [percent, percent]

    try:
        qtbot.waitUntil(at, timeout=timeout)
    except qtbot.TimeoutError:
        raise AssertionError(f"stream of {pid}: {stream_of(sound_server, pid)}") from None


def test_player_set_to_30_percent_comes_back_at_30_percent(
    qtbot, qapp, player, sound_server, tmp_path
):
    path = tmp_path / "settings.ini"
    window, _ = _window(qtbot, qapp, path)
    first = player(440, name="Memory test")
    strip = wait_strip(qtbot, window, first.pid)
    strip.slider.setValue(30)
    _wait_volume(qtbot, sound_server, first.pid, 30)
    qtbot.waitUntil(lambda: "python" in str(window.settings.value(APP_LEVELS)))
    first.terminate()
    first.wait()

    again = player(440, name="Memory test")
    _wait_volume(qtbot, sound_server, again.pid, 30)
    qtbot.wait(500)  # and it stays there: no later report pulls it back
    assert stream_of(sound_server, again.pid)["volume_percent"] == [30, 30]
    window.shutdown()

    # A new mixer (a restart: the levels come from the file) restores it too.
    again.terminate()
    again.wait()
    window.settings.sync()
    second, _ = _window(qtbot, qapp, path)
    third = player(440, name="Memory test")
    _wait_volume(qtbot, sound_server, third.pid, 30)
    other = player(440, name="Another app")  # a different app is not touched
    strip = wait_strip(qtbot, second, other.pid)
    qtbot.wait(300)
    assert stream_of(sound_server, other.pid)["volume_percent"] == [100, 100]
    second.shutdown()


def test_mute_is_remembered_and_the_setting_turns_it_off(
    qtbot, qapp, player, sound_server, tmp_path
):
    window, _ = _window(qtbot, qapp, tmp_path / "settings.ini")
    first = player(440, name="Muted memo")
    strip = wait_strip(qtbot, window, first.pid)
    strip.mute_button.click()
    qtbot.waitUntil(lambda: stream_of(sound_server, first.pid)["mute"] is True)
    qtbot.waitUntil(lambda: any(v["muted"] for v in window.settings.value(APP_LEVELS).values()))
    first.terminate()
    first.wait()
    second = player(440, name="Muted memo")
    qtbot.waitUntil(lambda: (stream_of(sound_server, second.pid) or {}).get("mute") is True)
    second.terminate()
    second.wait()

    window.settings.set_value(REMEMBER_LEVELS, False)
    third = player(440, name="Muted memo")
    wait_strip(qtbot, window, third.pid)
    qtbot.wait(500)
    assert stream_of(sound_server, third.pid)["mute"] is False
    window.shutdown()

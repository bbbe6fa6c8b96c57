"""The tray icon for real: Xvfb, an XEmbed tray host (trayer), clicks and wheel
turns sent through the X server, and the effect checked on the private servers.

Not collected by a plain `pytest` run (the name does not start with test_):
Qt's platform is chosen once per process, and the rest of the suite runs
offscreen. tests/mixer/test_tray.py starts Xvfb + trayer and runs this module
in a pytest of its own with QT_QPA_PLATFORM=xcb. Run alone without them, every
test here fails: a missing tray is never a skip.
"""

from __future__ import annotations

import os
from types import SimpleNamespace

import pytest
from PySide6.QtCore import QPoint, QRect
from PySide6.QtGui import QAction, QColor, QGuiApplication, QImage
from PySide6.QtWidgets import QApplication, QMenu, QSystemTrayIcon

from pypac.autorecord import RecordRule, rules_to_json
from pypac.mixer.integration import install_desktop_features
from pypac.mixer.main_window import MixerWindow
from pypac.mixer.rules_editor import RulesDialog
from pypac.mixer.settings import AUTO_RECORD_RULES, CLOSE_NOTICE_SHOWN, RECORDING_FOLDER
from pypac.mixer.settings_store import load_settings
from pypac.mixer.theme import apply_theme
from pypac.mixer.tray import NOTICE_TEXT
from tests.support.qt_threads import _dangling_qthreads  # noqa: F401 - an autouse fixture
from tests.support.screenshots import keep_screenshot
from tests.support.strips import sink_of, stream_of, wait_strip
from tests.support.xserver import XInput

LEFT, MIDDLE, RIGHT, WHEEL_UP, WHEEL_DOWN = 1, 2, 3, 4, 5


@pytest.fixture(scope="module", autouse=True)
def _under_xvfb_with_a_tray() -> None:
    if os.environ.get("QT_QPA_PLATFORM") != "xcb" or not os.environ.get("DISPLAY"):
        pytest.fail(
            "tray_cases.py needs QT_QPA_PLATFORM=xcb and a DISPLAY with a system tray; "
            "run it through tests/mixer/test_tray.py, which starts Xvfb and trayer"
        )


@pytest.fixture
def x() -> XInput:
    conn = XInput(os.environ["DISPLAY"])
    yield conn
    conn.close()


@pytest.fixture
def tray_mixer(qtbot, qapp, sound_server, tmp_path):
    assert QSystemTrayIcon.isSystemTrayAvailable(), "no system tray on this DISPLAY"
    settings = load_settings(tmp_path / "settings.ini")
    settings.set_value(RECORDING_FOLDER, str(tmp_path / "recordings"))
    window = MixerWindow(apply_theme(qapp, "dark"), settings)
    quits: list[str] = []
    features = install_desktop_features(
        qapp, window, settings, quit_app=lambda: quits.append("quit")
    )
    assert features.tray is not None, "a tray is available, so the mixer must use it"
    qtbot.addWidget(window, before_close_func=lambda w: w.shutdown())
    window.show()
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: window.server_up, timeout=10000)
    tray = features.tray
    # Docked: trayer has placed the icon in its panel (while it embeds the icon, the
    # geometry is already set but still off the screen's edge, e.g. y = -1).
    screen = QGuiApplication.primaryScreen().geometry()
    qtbot.waitUntil(
        lambda: not tray.icon.geometry().isEmpty() and screen.contains(tray.icon.geometry()),
        timeout=5000,
    )
    yield SimpleNamespace(
        window=window, tray=tray, settings=settings, quits=quits, rules=features.rules
    )
    features.remove()
    window.shutdown()


def click_icon(x: XInput, tray, button: int = LEFT) -> None:
    centre = tray.icon.geometry().center()
    x.click(centre.x(), centre.y(), button)


def open_menu(qtbot, x: XInput, tray) -> QMenu:
    click_icon(x, tray, RIGHT)
    qtbot.waitUntil(tray.menu.isVisible, timeout=3000)
    return tray.menu


def click_action(x: XInput, menu: QMenu, action: QAction) -> None:
    centre = menu.mapToGlobal(menu.actionGeometry(action).center())
    x.click(centre.x(), centre.y())


def app_action(tray, name: str) -> QAction | None:
    tray.refresh()
    return next((a for a in tray.apps_menu.actions() if a.text() == name), None)


def wait_server(qtbot, check, describe, timeout=5000) -> None:
    try:
        qtbot.waitUntil(check, timeout=timeout)
    except qtbot.TimeoutError:
        raise AssertionError(describe()) from None


def test_left_click_opens_the_flyout_with_a_slider_and_mute_per_app(
    qtbot, tray_mixer, x, player, sound_server, tmp_path
):
    window, tray = tray_mixer.window, tray_mixer.tray
    screen = QGuiApplication.primaryScreen().geometry()
    assert screen.contains(tray.icon.geometry())  # docked in trayer's panel
    p = player(440, name="Flyout app")
    wait_strip(qtbot, window, p.pid)
    window.hide()
    click_icon(x, tray)
    flyout = tray.flyout
    qtbot.waitUntil(flyout.isVisible, timeout=3000)
    assert not window.isVisible()  # the flyout, not the whole window
    assert screen.contains(flyout.frameGeometry())
    keep_screenshot(flyout.grab().toImage(), tmp_path, "flyout.png")
    row = flyout.rows[p.pid]
    assert row.full_name == "Flyout app"
    # The output device's master slider on top: the default sink, turned down from there.
    master = flyout.master
    assert master.full_name == sink_of(sound_server)["description"]
    assert master.name.mapTo(flyout, QPoint(0, 0)).y() < row.name.mapTo(flyout, QPoint(0, 0)).y()
    master.slider.setValue(80)
    wait_server(
        qtbot,
        lambda: sink_of(sound_server)["volume_percent"] == [80, 80],
        lambda: f"server: {sink_of(sound_server)}",
    )
    sound_server.pactl("set-sink-volume", "@DEFAULT_SINK@", "100%")
    # Its mute button, clicked through the X server, mutes the app on the server.
    centre = row.mute.mapToGlobal(row.mute.rect().center())
    x.click(centre.x(), centre.y())
    wait_server(
        qtbot,
        lambda: stream_of(sound_server, p.pid)["mute"] is True,
        lambda: f"server: {stream_of(sound_server, p.pid)}",
    )
    # A click on its slider's left end turns the app down.
    middle = row.slider.mapToGlobal(row.slider.rect().center())
    x.click(row.slider.mapToGlobal(row.slider.rect().topLeft()).x() + 4, middle.y())
    wait_server(
        qtbot,
        lambda: stream_of(sound_server, p.pid)["volume_percent"][0] < 100,
        lambda: f"server: {stream_of(sound_server, p.pid)}",
    )
    # "Open mixer": the window is a click away.
    centre = flyout.open_button.mapToGlobal(flyout.open_button.rect().center())
    x.click(centre.x(), centre.y())
    qtbot.waitUntil(window.isVisible, timeout=3000)
    assert not flyout.isVisible()
    # Another left click on the icon closes an open flyout again.
    window.hide()
    qtbot.wait(QApplication.doubleClickInterval() + 100)
    click_icon(x, tray)
    qtbot.waitUntil(flyout.isVisible, timeout=3000)
    qtbot.wait(QApplication.doubleClickInterval() + 100)
    click_icon(x, tray)
    qtbot.waitUntil(lambda: not flyout.isVisible(), timeout=3000)


def test_mute_all_then_unmute_all_restores_each_apps_own_mute(
    qtbot, tray_mixer, x, player, sound_server
):
    window, tray = tray_mixer.window, tray_mixer.tray
    procs = {n: player(300 + 100 * i, name=n) for i, n in enumerate(("Alpha", "Beta", "Gamma"))}
    strips = {n: wait_strip(qtbot, window, p.pid) for n, p in procs.items()}
    beta = stream_of(sound_server, procs["Beta"].pid)
    sound_server.pactl("set-sink-input-mute", str(beta["index"]), "1")  # muted before
    qtbot.waitUntil(lambda: strips["Beta"].muted, timeout=3000)

    def mutes() -> dict[str, bool]:
        return {n: (stream_of(sound_server, p.pid) or {}).get("mute") for n, p in procs.items()}

    menu = open_menu(qtbot, x, tray)
    assert tray.mute_all_action.text() == "Mute all"
    click_action(x, menu, tray.mute_all_action)
    wait_server(qtbot, lambda: all(mutes().values()), mutes)
    qtbot.waitUntil(lambda: tray.shown_state == (True, False), timeout=3000)  # muted icon
    assert tray.mute_all_action.text() == "Unmute all"

    menu = open_menu(qtbot, x, tray)
    click_action(x, menu, tray.mute_all_action)
    want = {"Alpha": False, "Beta": True, "Gamma": False}
    wait_server(qtbot, lambda: mutes() == want, mutes)
    qtbot.wait(300)
    assert mutes() == want  # Beta was muted before "Mute all": it stays muted
    assert tray.mute_all_action.text() == "Mute all"
    qtbot.waitUntil(lambda: tray.shown_state == (False, False), timeout=3000)


def test_app_submenu_follows_sessions_and_mutes_one_app(qtbot, tray_mixer, player, sound_server):
    window, tray = tray_mixer.window, tray_mixer.tray
    solo = player(440, name="Solo")
    wait_strip(qtbot, window, solo.pid)
    qtbot.waitUntil(lambda: app_action(tray, "Solo") is not None, timeout=3000)
    app_action(tray, "Solo").trigger()  # checks it: mute
    wait_server(
        qtbot,
        lambda: stream_of(sound_server, solo.pid)["mute"] is True,
        lambda: stream_of(sound_server, solo.pid),
    )
    qtbot.waitUntil(lambda: app_action(tray, "Solo").isChecked(), timeout=3000)

    duo = player(550, name="Duo")
    wait_strip(qtbot, window, duo.pid)
    qtbot.waitUntil(lambda: app_action(tray, "Duo") is not None, timeout=3000)
    assert stream_of(sound_server, duo.pid)["mute"] is False  # only Solo was muted
    solo.terminate()
    qtbot.waitUntil(lambda: app_action(tray, "Solo") is None, timeout=5000)
    assert [a.text() for a in tray.apps_menu.actions()] == ["Duo"]


def test_stop_all_recordings_and_the_recording_icon(qtbot, tray_mixer, x, player, tmp_path):
    window, tray = tray_mixer.window, tray_mixer.tray
    procs = [player(440, name="Rec one"), player(660, name="Rec two")]
    strips = [wait_strip(qtbot, window, p.pid) for p in procs]
    assert not tray.stop_recordings_action.isVisible()
    for strip in strips:
        strip.record_button.click()
    qtbot.waitUntil(lambda: tray.recording_keys == {p.pid for p in procs}, timeout=5000)
    assert tray.shown_state == (False, True)  # the recording dot

    menu = open_menu(qtbot, x, tray)
    assert tray.stop_recordings_action.isVisible()
    # Hover "Mute app" to open the per-app submenu, then keep a picture of both.
    hover = menu.mapToGlobal(menu.actionGeometry(tray.apps_menu.menuAction()).center())
    x.move(hover.x(), hover.y())
    qtbot.waitUntil(tray.apps_menu.isVisible, timeout=3000)
    qtbot.wait(200)
    area = QRect(menu.geometry()).united(tray.apps_menu.geometry())
    area = area.united(tray.icon.geometry()).adjusted(-12, -6, 12, 12)
    shot = QGuiApplication.primaryScreen().grabWindow(
        0, area.x(), area.y(), area.width(), area.height()
    )
    keep_screenshot(shot.toImage(), tmp_path, "tray-menu.png")

    click_action(x, menu, tray.stop_recordings_action)
    qtbot.waitUntil(lambda: sum("saved" in m for m in window.messages) == 2, timeout=8000)
    qtbot.waitUntil(lambda: not tray.recording_keys, timeout=3000)
    assert len(list((tmp_path / "recordings").glob("Rec_*.flac"))) == 2
    assert not tray.stop_recordings_action.isVisible()
    assert tray.shown_state == (False, False)
    assert not any(s.recording for s in strips)  # the strips show it ended


def test_rules_entry_opens_the_editor_and_a_rule_recording_shows_on_the_icon(
    qtbot, tray_mixer, x, player, tmp_path
):
    tray, settings, runner = tray_mixer.tray, tray_mixer.settings, tray_mixer.rules
    menu = open_menu(qtbot, x, tray)
    entry = next(a for a in menu.actions() if a.text() == "Auto-record rules…")
    click_action(x, menu, entry)

    def editor() -> RulesDialog | None:
        shown = [w for w in QApplication.topLevelWidgets() if isinstance(w, RulesDialog)]
        return next((w for w in shown if w.isVisible()), None)

    qtbot.waitUntil(lambda: editor() is not None, timeout=3000)
    dialog = editor()
    assert dialog is not None
    dialog.reject()

    out = tmp_path / "auto"
    out.mkdir()
    rule = RecordRule("Tray rule", out)
    settings.set_value(AUTO_RECORD_RULES, rules_to_json([rule]))
    qtbot.waitUntil(lambda: runner.running == [rule], timeout=10000)
    assert tray.shown_state == (False, False)
    player(880, name="Tray rule", duration=2.0)
    qtbot.waitUntil(lambda: "auto-recording 1 app" in tray.icon.toolTip(), timeout=10000)
    assert tray.shown_state == (False, True)  # the recording dot, for a rule's recording too

    def docked_icon() -> QImage:
        area = tray.icon.geometry()
        return (
            QGuiApplication.primaryScreen()
            .grabWindow(0, area.x(), area.y(), area.width(), area.height())
            .toImage()
        )

    def red_dot_shown() -> bool:  # as trayer shows it, once it repainted
        image = docked_icon()
        return any(
            (c := QColor(image.pixel(i, j))).red() > 180 and c.green() < 90 and c.blue() < 90
            for i in range(image.width())
            for j in range(image.height())
        )

    qtbot.waitUntil(red_dot_shown, timeout=3000)
    keep_screenshot(docked_icon(), tmp_path, "tray-auto-recording.png")
    qtbot.waitUntil(lambda: "auto-recording" not in tray.icon.toolTip(), timeout=15000)
    assert tray.shown_state == (False, False)
    assert len(list(out.iterdir())) == 1


def test_wheel_turns_the_output_device_up_and_down(qtbot, tray_mixer, x, sound_server):
    window, tray = tray_mixer.window, tray_mixer.tray
    sound_server.pactl("set-sink-volume", "@DEFAULT_SINK@", "100%", "50%")  # a balance to keep
    qtbot.waitUntil(lambda: window.system_strip.channel_volumes[1:] == (0.5,), timeout=5000)

    def volumes() -> list[int]:
        return sink_of(sound_server)["volume_percent"]

    click_icon(x, tray, WHEEL_DOWN)
    wait_server(qtbot, lambda: volumes()[0] == 95 and volumes()[1] in (47, 48), volumes)
    click_icon(x, tray, WHEEL_DOWN)
    wait_server(qtbot, lambda: volumes()[0] == 90 and volumes()[1] == 45, volumes)
    for _ in range(3):  # back up: it stops at 100%, the balance stays
        click_icon(x, tray, WHEEL_UP)
    wait_server(qtbot, lambda: volumes()[0] == 100 and volumes()[1] in (49, 50, 51), volumes)
    sound_server.pactl("set-sink-volume", "@DEFAULT_SINK@", "100%")


def test_closing_the_window_keeps_the_app_in_the_tray_and_says_so_once(
    qtbot, tray_mixer, x, player
):
    window, tray, settings = tray_mixer.window, tray_mixer.tray, tray_mixer.settings
    x.close_window(int(window.winId()))  # the window manager's close button
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=3000)
    assert tray.notices == [NOTICE_TEXT]
    assert settings.value(CLOSE_NOTICE_SHOWN) is True
    balloons = [
        w for w in QApplication.topLevelWidgets() if w.metaObject().className() == "QBalloonTip"
    ]
    assert any(b.isVisible() for b in balloons)  # the tray's message bubble
    assert not tray_mixer.quits
    late = player(440, name="While hidden")
    qtbot.waitUntil(lambda: late.pid in window.table, timeout=5000)  # the worker goes on

    tray.show_action.trigger()
    qtbot.waitUntil(window.isVisible, timeout=3000)
    x.close_window(int(window.winId()))
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=3000)
    assert tray.notices == [NOTICE_TEXT]  # said once, not every time

    tray.quit_action.trigger()
    assert tray_mixer.quits == ["quit"]


def test_quit_from_elsewhere_closes_and_ends_the_app(qtbot, tray_mixer):
    window = tray_mixer.window
    window.close()  # not the window manager: QApplication.quit(), a logout
    qtbot.waitUntil(lambda: tray_mixer.quits == ["quit"], timeout=3000)
    assert not window.link._running

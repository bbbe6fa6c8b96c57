"""The desktop features on a real window (offscreen, so no tray): the window's
geometry is kept, closing without a tray quits, hidden strips stay hidden across
an app's restarts, the settings button and shortcut open the dialog, the theme
switches live, and settings-file problems reach the status bar."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtWidgets import QApplication, QSystemTrayIcon

from pypac.mixer.integration import install_desktop_features
from pypac.mixer.main_window import MixerWindow
from pypac.mixer.settings import HIDDEN_APPS, THEME, WINDOW_GEOMETRY
from pypac.mixer.settings_dialog import SettingsDialog
from pypac.mixer.settings_store import load_settings
from pypac.mixer.theme import apply_theme
from tests.support.settings_file import read_in_new_process
from tests.support.strips import wait_strip


def _window(qtbot, qapp, path, show=True):
    settings = load_settings(path)
    window = MixerWindow(apply_theme(qapp, settings.value(THEME)), settings)
    features = install_desktop_features(qapp, window, settings)
    qtbot.addWidget(window, before_close_func=lambda w: w.shutdown())
    if show:
        window.show()
        qtbot.waitUntil(lambda: window.server_up, timeout=10000)
    return window, features


def test_no_tray_here_so_closing_quits_and_the_geometry_is_kept(
    qtbot, qapp, sound_server, tmp_path
):
    assert not QSystemTrayIcon.isSystemTrayAvailable()  # offscreen: no tray
    path = tmp_path / "settings.ini"
    window, features = _window(qtbot, qapp, path)
    assert features.tray is None
    assert QApplication.quitOnLastWindowClosed()
    window.setGeometry(QRect(QPoint(40, 50), window.size().expandedTo(window.minimumSize())))
    window.resize(720, 430)
    qtbot.waitUntil(lambda: window.width() == 720)
    window.close()
    assert not window.isVisible()
    assert not window.link._running  # the window's own close shut the worker down: it quits
    back = read_in_new_process(path, tmp_path)
    assert back[WINDOW_GEOMETRY]  # stored as the window closed

    again, _ = _window(qtbot, qapp, path, show=False)
    assert (again.width(), again.height()) == (720, 430)
    again.shutdown()


def test_hidden_strip_stays_hidden_when_the_app_plays_again(
    qtbot, qapp, player, sound_server, tmp_path
):
    path = tmp_path / "settings.ini"
    window, features = _window(qtbot, qapp, path)
    first = player(440, name="Hide me")
    keep = player(550, name="Keep me")
    strip = wait_strip(qtbot, window, first.pid)
    kept = wait_strip(qtbot, window, keep.pid)
    hide = next(a for a in strip.actions() if a.text().startswith("Hide"))
    assert strip.contextMenuPolicy() == Qt.ContextMenuPolicy.ActionsContextMenu
    hide.trigger()
    assert strip.isHidden() and not kept.isHidden()
    assert window.settings.value(HIDDEN_APPS) == (features.visibility.identity_of(first.pid),)
    first.terminate()
    first.wait()

    again = player(440, name="Hide me")
    qtbot.waitUntil(lambda: again.pid in window.strips, timeout=5000)
    qtbot.wait(100)
    assert window.strips[again.pid].isHidden()
    assert read_in_new_process(path, tmp_path)[HIDDEN_APPS] == [
        features.visibility.identity_of(again.pid)
    ]

    menu = features.settings_button.menu()
    hidden_menu = next(a.menu() for a in menu.actions() if a.text() == "Hidden apps")
    hidden_menu.aboutToShow.emit()
    (show,) = hidden_menu.actions()
    assert show.text() == "Show Hide me (" + show.text().split("(")[1]
    show.trigger()
    assert not window.strips[again.pid].isHidden()
    assert window.settings.value(HIDDEN_APPS) == ()


def test_settings_button_and_shortcut_open_the_dialog_and_the_theme_switches_live(
    qtbot, qapp, sound_server, tmp_path
):
    window, features = _window(qtbot, qapp, tmp_path / "settings.ini")
    assert features.settings_button.isVisible()  # in the status bar's corner
    window.activateWindow()
    window.setFocus()
    qtbot.keyClick(window, Qt.Key.Key_Comma, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: _open_dialog() is not None)
    dialog = _open_dialog()
    dialog.theme_combo.setCurrentIndex(dialog.theme_combo.findData("light"))
    dialog.accept()
    assert window.theme.name == "light"
    assert qapp.palette().window().color().name() == window.theme.window
    apply_theme(qapp, "dark")  # the application is shared with the other tests


def _open_dialog() -> SettingsDialog | None:
    return next(
        (
            w
            for w in QApplication.topLevelWidgets()
            if isinstance(w, SettingsDialog) and w.isVisible()
        ),
        None,
    )


def test_a_corrupt_settings_file_is_told_in_the_status_bar(qtbot, qapp, sound_server, tmp_path):
    path = tmp_path / "settings.ini"
    path.write_bytes(b"\x00\x01 not [ini\nat all\n")
    window, _ = _window(qtbot, qapp, path)
    assert any("corrupt" in m for m in window.messages)
    assert window.settings.value(THEME) == "dark"

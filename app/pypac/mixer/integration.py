"""Wires the desktop features into a MixerWindow: stored settings, remembered app
levels, hidden strips, the settings dialog and the tray icon.

The mixer's entry point uses it as:

    settings = load_settings()                      # before the window: the stored theme
    window = MixerWindow(apply_theme(app, settings.value(THEME)), settings)
    features = install_desktop_features(app, window, settings)   # at once, see below
    window.show()

`install_desktop_features` must run right after the window is constructed,
before the event loop runs: it connects to the worker's signals, and the
worker (started in the window's constructor) may already be emitting.
Everything here talks to the window through its public attributes (`link`,
`table`, `strips`, `tell`) and sends engine requests through `window.link`,
so no blocking engine call runs on the GUI thread.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable

from PySide6.QtCore import QByteArray, QCoreApplication, QEvent, QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QApplication, QMenu, QSystemTrayIcon, QToolButton

from pypac.engine import SessionInfo

from .recent_recordings import RecentRecordings
from .rule_runner import RuleRunner
from .rules_editor import RulesDialog
from .session_model import StripPhase
from .settings import APP_LEVELS, REMEMBER_LEVELS, WINDOW_GEOMETRY, MixerSettings
from .settings_dialog import SettingsDialog
from .settings_store import SettingsStore, load_settings
from .strip_visibility import StripVisibility
from .theme import apply_theme
from .tray import MixerTray
from .volume_memory import SAME_VOLUME, AppLevel, VolumeMemory

if TYPE_CHECKING:
    from .main_window import MixerWindow

__all__ = ["DesktopFeatures", "install_desktop_features", "load_settings"]


class LevelKeeper(QObject):
    """Feeds the worker's session signals to a VolumeMemory and sends what it
    decides back through the worker (set calls block: never on this thread)."""

    def __init__(self, window: MixerWindow, settings: MixerSettings) -> None:
        super().__init__(window)
        self.window = window
        self.memory = VolumeMemory(
            settings.value(APP_LEVELS),
            enabled=bool(settings.value(REMEMBER_LEVELS)),
            on_change=lambda levels: settings.set_value(APP_LEVELS, levels),
        )
        settings.observe(self._setting_changed)
        model = window.model
        model.sessionsReset.connect(self._reset)
        model.sessionUpdated.connect(self._updated)
        model.sessionRemoved.connect(self._removed)
        model.serverLost.connect(self._lost)

    def _setting_changed(self, key: str, value: object) -> None:
        if key == REMEMBER_LEVELS:
            self.memory.enabled = bool(value)

    def _send(self, info: SessionInfo, level: AppLevel) -> None:
        link = self.window.link
        if abs(info.volume - level.volume) >= SAME_VOLUME:
            link.set_volume(info.process_id, level.volume)
        if info.muted != level.muted:
            link.set_mute(info.process_id, level.muted)

    def _reset(self, infos: list[SessionInfo]) -> None:
        by_pid = {i.process_id: i for i in infos}
        for pid, level in self.memory.reset(infos):
            self._send(by_pid[pid], level)

    def _updated(self, info: SessionInfo) -> None:
        if not self.memory.listed:
            # The first listing reached the window before this object connected:
            # take what the window shows as that listing.
            self.memory.reset(
                [
                    e.info
                    for e in self.window.table.entries.values()
                    if e.phase is not StripPhase.EXITED and e.info.process_id != info.process_id
                ]
            )
        level = self.memory.observe(info)
        if level is not None:
            self._send(info, level)

    def _removed(self, pid: int) -> None:
        self.memory.removed(pid)

    def _lost(self, _reason: str) -> None:
        self.memory.server_lost()


class WindowKeeper(QObject):
    """Restores the window's geometry and stores it whenever the window hides
    (closed, or sent to the tray) and when the app quits."""

    def __init__(self, window: MixerWindow, settings: MixerSettings) -> None:
        super().__init__(window)
        self.window, self.settings = window, settings
        saved = settings.value(WINDOW_GEOMETRY)
        if saved and not window.restoreGeometry(QByteArray(saved)):
            window.tell("The stored window position was unreadable; using the default")
        window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.window and event.type() == QEvent.Type.Hide:
            self.save()
        return super().eventFilter(watched, event)

    def save(self) -> None:
        self.settings.set_value(WINDOW_GEOMETRY, self.window.saveGeometry().data())
        self.settings.sync()


@dataclass
class DesktopFeatures:
    settings: MixerSettings
    levels: LevelKeeper
    window_keeper: WindowKeeper
    visibility: StripVisibility
    settings_action: QAction
    settings_button: QToolButton
    recent: RecentRecordings
    tray: MixerTray | None
    open_settings: Callable[[], SettingsDialog]
    rules: RuleRunner | None = None  # the auto-record rules (rule_runner.py)
    open_rules: Callable[[], RulesDialog] | None = None

    def remove(self) -> None:
        """Take the tray icon away and let closing the window quit again (tests)."""
        if self.rules is not None:
            self.rules.shutdown()
        if self.tray is not None:
            self.tray.remove()
            QApplication.setQuitOnLastWindowClosed(True)


def apply_theme_live(app: QApplication, window: MixerWindow, name: str) -> None:
    """Switch the theme now: palette and style sheet, and the colours of the
    views already drawn (new strips take `window.theme`)."""
    theme = apply_theme(app, name)
    window.theme = theme
    for strip in window.strips.values():
        strip.set_theme(theme)


def install_desktop_features(
    app: QApplication,
    window: MixerWindow,
    settings: MixerSettings,
    *,
    tray: bool | None = None,
    quit_app: Callable[[], None] = QCoreApplication.quit,
) -> DesktopFeatures:
    """Add the stored-settings, level-memory, hidden-strips, settings-dialog and
    tray features to `window`. `tray`: None uses a tray where the desktop offers
    one. `quit_app` is what the tray's Quit does."""
    # First, so no session signal is missed (the worker is already running).
    levels = LevelKeeper(window, settings)
    visibility = StripVisibility(window, settings)
    store = settings.backend if isinstance(settings.backend, SettingsStore) else None
    if store is not None:
        for problem in store.problems:
            window.tell(problem)
        store.on_problem = window.tell
    keeper = WindowKeeper(window, settings)
    app.aboutToQuit.connect(keeper.save)

    def playing_names() -> list[str]:
        return [n for i in window.model.live_sessions() for n in app_names(i)]

    def open_rules() -> RulesDialog:
        dialog = RulesDialog(
            settings,
            window,
            app_names=playing_names,
            mic_names=lambda: [d.description for d in window.model.devices.inputs()],
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def open_settings() -> SettingsDialog:
        dialog = SettingsDialog(
            settings,
            window,
            on_theme=lambda name: apply_theme_live(app, window, name),
            open_rules=open_rules,
            replay_sources=window.studio.replay_source_count,
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    action = QAction("Settings…", window)
    action.setShortcuts(
        [QKeySequence(QKeySequence.StandardKey.Preferences), QKeySequence("Ctrl+,")]
    )
    action.triggered.connect(open_settings)
    window.addAction(action)  # the shortcut works wherever the focus is in the window
    recent = RecentRecordings(settings, window)
    window.recordingFinished.connect(recent.add)
    # A click opens the settings; the arrow beside it the recordings and hidden apps.
    button = QToolButton()
    button.setText("⚙ Settings")
    button.setToolTip("Settings (the arrow: recent recordings, hidden apps)")
    button.setAccessibleName("Settings")
    button.setAutoRaise(True)
    button.setPopupMode(QToolButton.ToolButtonPopupMode.MenuButtonPopup)
    button.clicked.connect(open_settings)
    menu = QMenu(button)
    recent_menu = menu.addMenu("Recent recordings")
    recent_menu.aboutToShow.connect(lambda: recent.fill_menu(recent_menu))
    menu.addAction("Auto-record rules…", open_rules)
    hidden_menu = menu.addMenu("Hidden apps")
    hidden_menu.aboutToShow.connect(lambda: visibility.fill_menu(hidden_menu))
    button.setMenu(menu)
    window.statusBar().addPermanentWidget(button)

    tray_icon: MixerTray | None = None
    if tray if tray is not None else QSystemTrayIcon.isSystemTrayAvailable():
        tray_icon = MixerTray(
            window, settings, quit_app=quit_app, open_settings=open_settings, recent=recent
        )
        # Dialogs closed while the window is in the tray must not end the app.
        app.setQuitOnLastWindowClosed(False)
        rules_action = QAction("Auto-record rules…", tray_icon.menu)
        rules_action.triggered.connect(open_rules)
        assert tray_icon.settings_action is not None  # (open_settings was given)
        tray_icon.menu.insertAction(tray_icon.settings_action, rules_action)
    rules = RuleRunner(window, settings, notify=_tray_notice(tray_icon))
    if tray_icon is not None:
        tray_icon.watch_rules(rules)
    app.aboutToQuit.connect(rules.shutdown)
    return DesktopFeatures(
        settings,
        levels,
        keeper,
        visibility,
        action,
        button,
        recent,
        tray_icon,
        open_settings,
        rules,
        open_rules,
    )


def app_names(info: SessionInfo) -> list[str]:
    """The names a rule may give for an app (what `pypac record --name` matches)."""
    return [n for n in dict.fromkeys((info.display_name, info.process_name)) if n]


def _tray_notice(tray: MixerTray | None) -> Callable[[str, str], None] | None:
    """Auto-record's notices as tray messages (also kept in `tray.notices`)."""
    if tray is None:
        return None

    def notice(title: str, text: str) -> None:
        tray.notices.append(text)
        tray.icon.showMessage(title, text, QSystemTrayIcon.MessageIcon.Information, 4000)

    return notice

"""The mixer in the system tray: a left click opens the flyout (the output
device's master slider, a slider and mute per app), a double click the window;
the menu has mute all, per-app mute, stop recordings, record armed (the
master Record, studio.py), save replay, recent recordings,
settings and quit; the wheel turns the output device's volume.

`MixerTray` only exists where the desktop offers a tray
(`QSystemTrayIcon.isSystemTrayAvailable()`); the caller decides. It follows
the window's `MixerModel` (its `changed` signal) and sends every request
through `window.link`, whose worker makes the blocking engine calls off the
GUI thread.

While the tray exists, closing the window from the window manager (the title
bar's X, Alt+F4: a spontaneous close) only hides it; the first time, a tray
message says so. A programmatic close (QApplication.quit(), a session
logout) goes through and ends the app.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QTimer, Slot
from PySide6.QtGui import QAction, QCloseEvent, QWheelEvent
from PySide6.QtWidgets import QMenu, QMessageBox, QSystemTrayIcon

from pypac.engine import SessionInfo

from .all_apps import MuteAll, wheel_volume
from .app_identity import app_identity
from .echo_guard import EchoGuard
from .flyout import TrayFlyout
from .quit_guard import confirm_quit
from .session_model import display_name, percent_text
from .settings import CLOSE_NOTICE_SHOWN, MixerSettings
from .tray_icon import tray_icon

if TYPE_CHECKING:
    from .main_window import MixerWindow
    from .recent_recordings import RecentRecordings
    from .rule_runner import RuleRunner

NOTICE_TITLE = "PyPAC Mixer is still running"
NOTICE_TEXT = (
    "It keeps running in the system tray. Click the tray icon to show the mixer again; "
    "choose Quit from the tray icon's menu to exit."
)
#: A wheel notch asks for a volume the server reports back a moment later;
#: the next notch starts from what was asked, not from the older report.
WHEEL_HOLD_S = 0.6
REFRESH_MS = 50  # session events come in bursts: rebuild the menu once per burst


class MixerTray(QObject):
    def __init__(
        self,
        window: MixerWindow,
        settings: MixerSettings,
        *,
        quit_app: Callable[[], None] = QCoreApplication.quit,
        open_settings: Callable[[], object] | None = None,
        identity: Callable[[SessionInfo], str | None] = app_identity,
        recent: RecentRecordings | None = None,
    ) -> None:
        super().__init__(window)
        self.window = window
        self.settings = settings
        self._quit_app = quit_app
        self.mute_all = MuteAll(identity)
        self.recording_keys: set[int] = set()  # strips recording through their Rec
        #: What auto-record rules record now (pid -> file), once watch_rules() is called.
        self.rule_recordings: Mapping[int, Path] = {}
        self.notices: list[str] = []  # what was told through the tray, for tests and logs
        self.shown_state: tuple[bool, bool] | None = None  # (muted, recording) on the icon
        self._base_icon = window.windowIcon()
        self._wheel_guard: EchoGuard[float] = EchoGuard(WHEEL_HOLD_S)  # what a notch asked
        self._apps_signature: tuple[tuple[int, str, bool], ...] | None = None

        self.menu = QMenu()  # the tray does not own its menu: this object keeps it
        self.mute_all_action = self.menu.addAction("Mute all", self.toggle_mute_all)
        self.apps_menu = self.menu.addMenu("Mute app")
        self.apps_menu.triggered.connect(self._app_toggled)
        self.stop_recordings_action = self.menu.addAction(
            "Stop all recordings", self.stop_all_recordings
        )
        studio = window.studio
        self.record_armed_action = self.menu.addAction("Record armed", studio.toggle_record)
        self.save_replay_action = self.menu.addAction("Save replay", lambda: studio.save_replay())
        self.menu.addSeparator()
        self.show_action = self.menu.addAction("Show mixer", self.show_window)
        self.settings_action: QAction | None = None
        if recent is not None:
            recent_menu = self.menu.addMenu("Recent recordings")
            recent_menu.aboutToShow.connect(lambda: recent.fill_menu(recent_menu))
        if open_settings is not None:
            self.settings_action = self.menu.addAction("Settings…", open_settings)
        self.menu.addSeparator()
        self.quit_action = self.menu.addAction("Quit", self._quit)
        self.menu.aboutToShow.connect(self.refresh)
        self.flyout = TrayFlyout(window)

        self.icon = QSystemTrayIcon(self)
        self.icon.setContextMenu(self.menu)
        self.icon.activated.connect(self._activated)
        self.icon.installEventFilter(self)  # wheel events (X11 XEmbed trays deliver them)
        window.installEventFilter(self)  # close -> hide to the tray

        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(REFRESH_MS)
        self._refresh_timer.timeout.connect(self.refresh)
        window.model.changed.connect(self._sessions_changed)
        window.model.devicesChanged.connect(self._sessions_changed)
        w = window.link.worker
        w.recordingStarted.connect(self._recording_started)
        w.recordingFailed.connect(self._recording_ended)
        w.recordingFinished.connect(self._recording_ended)
        window.recordingsChanged.connect(self.refresh)  # the master Record's take
        self.refresh()
        self.icon.show()

    # ---- what the window knows --------------------------------------------------------

    def live_sessions(self) -> list[SessionInfo]:
        """The apps the tray can act on: listed and not exited, by name."""
        infos = self.window.model.live_sessions()
        return sorted(infos, key=lambda i: (display_name(i).casefold(), i.process_id))

    def _sessions_changed(self, _arg: object = None) -> None:
        self._refresh_timer.start()

    def _recording_started(self, key: int, _recorder: object) -> None:
        self.recording_keys.add(key)
        self.refresh()

    def _recording_ended(self, key: int, _detail: object) -> None:
        self.recording_keys.discard(key)
        self.refresh()

    def watch_rules(self, runner: RuleRunner) -> None:
        """Count the auto-record rules' recordings too (the icon's dot, the tooltip)."""
        self.rule_recordings = runner.recording
        runner.started.connect(lambda _event: self.refresh())
        runner.stopped.connect(lambda _event: self.refresh())

    def recordings_text(self) -> str:
        """What records now, in words ("" when nothing does)."""
        parts = []
        if self.recording_keys:
            parts.append(f"recording {len(self.recording_keys)}")
        if self.window.studio.recording:
            parts.append("recording a take")
        if self.rule_recordings:
            n = len(self.rule_recordings)
            parts.append(f"auto-recording {n} app{'s' if n != 1 else ''}")
        return ", ".join(parts)

    @Slot()
    def refresh(self) -> None:
        """Bring the menu and the icon up to date with the window's model."""
        live = self.live_sessions()
        self._rebuild_apps(live)
        if self.flyout.isVisible():
            self.flyout.refresh(live)
        self.mute_all_action.setText("Unmute all" if self.mute_all.active else "Mute all")
        self.mute_all_action.setEnabled(bool(live) or self.mute_all.active)
        self.stop_recordings_action.setVisible(bool(self.recording_keys))
        studio = self.window.studio
        self.record_armed_action.setText("Stop the take" if studio.recording else "Record armed")
        self.save_replay_action.setEnabled(studio.replay is not None)
        output = self.window.model.devices.default()
        muted = (
            self.mute_all.active
            or (bool(live) and all(s.muted for s in live))
            or (output is not None and output.muted)  # nothing is heard either way
        )
        recordings = self.recordings_text()
        state = (muted, bool(recordings))
        if state != self.shown_state:
            self.shown_state = state
            self.icon.setIcon(tray_icon(self._base_icon, muted=muted, recording=state[1]))
        self.icon.setToolTip(self._tooltip(live, muted, recordings))

    def _tooltip(self, live: list[SessionInfo], muted: bool, recordings: str) -> str:
        parts = [f"{len(live)} app{'s' if len(live) != 1 else ''} playing"]
        output = self.window.model.devices.default()
        if output is not None:
            parts.insert(0, f"{output.description} {percent_text(output.volume)}")
        if muted:
            parts.append("all muted")
        if recordings:
            parts.append(recordings)
        return "PyPAC Mixer — " + ", ".join(parts)

    def _rebuild_apps(self, live: list[SessionInfo]) -> None:
        names = [display_name(i) for i in live]
        labels = [
            f"{n} (PID {i.process_id})" if names.count(n) > 1 else n for n, i in zip(names, live)
        ]
        signature = tuple((i.process_id, label, i.muted) for i, label in zip(live, labels))
        if signature == self._apps_signature:
            return  # unchanged: an open menu stays as it is
        self._apps_signature = signature
        self.apps_menu.clear()
        if not live:
            self.apps_menu.addAction("No apps playing").setEnabled(False)
        for info, label in zip(live, labels):
            action = self.apps_menu.addAction(label)
            action.setCheckable(True)
            action.setChecked(info.muted)
            action.setData(info.process_id)

    # ---- actions ----------------------------------------------------------------------

    @Slot(QAction)
    def _app_toggled(self, action: QAction) -> None:
        pid = action.data()
        if isinstance(pid, int):
            self.window.link.set_mute(pid, action.isChecked())

    @Slot()
    def toggle_mute_all(self) -> None:
        for pid, muted in self.mute_all.toggle(self.live_sessions()):
            self.window.link.set_mute(pid, muted)
        self.refresh()

    @Slot()
    def stop_all_recordings(self) -> None:
        for key in sorted(self.recording_keys):
            strip = self.window.strips.get(key)
            if strip is not None and strip.record_button.isChecked():
                strip.record_button.setChecked(False)  # the same path as the user's click
            else:
                self.window.link.stop_recording(key)

    @Slot()
    def show_window(self) -> None:
        self.window.bring_to_front()

    @Slot()
    def toggle_flyout(self) -> None:
        """Left click: the small per-app popup (EarTrumpet's flyout), or close it."""
        if self.flyout.isVisible():
            self.flyout.hide()
        else:
            self.flyout.popup_near(self.icon.geometry(), self.live_sessions())

    @Slot()
    def toggle_window(self) -> None:
        if self.window.isVisible() and not self.window.isMinimized():
            self.window.hide()
        else:
            self.show_window()

    def _quit(self) -> None:
        """The menu's Quit: asks first while recordings run."""
        self.quit_question = confirm_quit(self.window, self.window.recording_count, self._quit_app)

    def _activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason == QSystemTrayIcon.ActivationReason.Trigger:
            self.toggle_flyout()
        elif reason == QSystemTrayIcon.ActivationReason.DoubleClick:
            # A double click means "the whole mixer".
            self.flyout.hide()
            self.show_window()
        elif reason == QSystemTrayIcon.ActivationReason.MiddleClick:
            self.toggle_mute_all()

    def scroll(self, notches: float) -> float | None:
        """Turn the default output device up (notches > 0) or down; returns the
        volume asked for (None without an output device, or when already at the end).

        Up to 100% (all_apps.wheel_volume); the balance stays (the engine keeps it)."""
        device = self.window.model.devices.default()
        if device is None:
            return None
        held = self._wheel_guard.held()
        current = device.volume if held is None else held
        wanted = wheel_volume(current, notches)
        if abs(wanted - current) < 1e-4:
            return None
        self.window.link.set_device_volume(device.id, wanted)
        self._wheel_guard.requested(wanted)
        self.icon.setToolTip(f"PyPAC Mixer — {device.description} at {percent_text(wanted)}")
        return wanted

    # ---- events -------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if watched is self.icon and kind == QEvent.Type.Wheel and isinstance(event, QWheelEvent):
            delta = event.angleDelta()
            self.scroll((delta.y() or delta.x()) / 120)
            return True
        if watched is self.window and kind == QEvent.Type.Close:
            assert isinstance(event, QCloseEvent)
            if event.spontaneous():  # the window manager's close button: keep running
                event.ignore()
                self.window.hide()
                self.notice_still_running()
                return True
            # quit() or a logout closes the window: the app must end with it, not
            # linger in the tray with a stopped worker.
            QTimer.singleShot(0, self._quit_app)
        return super().eventFilter(watched, event)

    def notice_still_running(self) -> None:
        """Say once (ever: remembered in the settings) that closing kept the app running."""
        if self.settings.value(CLOSE_NOTICE_SHOWN):
            return
        self.settings.set_value(CLOSE_NOTICE_SHOWN, True)
        self.notices.append(NOTICE_TEXT)
        if self.icon.supportsMessages():
            self.icon.showMessage(
                NOTICE_TITLE, NOTICE_TEXT, QSystemTrayIcon.MessageIcon.Information, 8000
            )
        else:
            # Not modal: the user closed the window to get on with something else.
            self._notice_box = QMessageBox(QMessageBox.Icon.Information, NOTICE_TITLE, NOTICE_TEXT)
            self._notice_box.open()

    def remove(self) -> None:
        """Take the icon out of the tray (at exit, or when the features are removed)."""
        self.icon.hide()
        self.flyout.hide()
        self.window.removeEventFilter(self)

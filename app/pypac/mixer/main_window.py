"""The mixer window: the master strip (the output device) pinned left, a
scrolling row of app strips, the empty state, the server banner.

Its parts live in modules of their own: the widgets (window_body.py), the app
strips (app_strips.py), devices on the strips (device_links.py).

Models live here on the GUI thread (the `SessionTable`); the worker's signals
update them first and the strips second. A display timer pulls the newest view
data while the window is shown; hidden or minimized, it stops and so do the
view captures (recordings go on).
"""

from __future__ import annotations

import time
from importlib import resources
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QObject, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QGuiApplication, QIcon
from PySide6.QtWidgets import QApplication, QMainWindow

from . import plotting
from .app_strips import AppStrips
from .device_links import DeviceLinks
from .device_table import MIC_KEY
from .draw_probe import DrawProbe
from .levels import Envelope
from .loudness_readout import LoudnessReadout

if TYPE_CHECKING:
    from .scope import ScopeWindow
from .display_loop import DisplayLoop
from .engine_link import EngineLink
from .master_strip import MasterStrip
from .mixer_model import MixerModel
from .quit_guard import confirm_quit
from .scope_keeper import ScopeKeeper
from .session_model import SYSTEM_KEY, StripPhase, TableChange
from .settings import MixerSettings
from .status_messages import StatusMessages
from .strip import ChannelStrip
from .strip_recordings import StripRecordings
from .studio import Studio
from .theme import Theme
from .window_body import EMPTY_TEXT, WindowBody

EXPIRE_MS = 250  # exited apps' strips go, and layout moves are caught, this often
IDLE_EXPIRE_MS = 1000
#: Exited strips stay while the pointer rests over the row, but not for ever.
HOVER_HOLD_S = 10.0
WAITING_TEXT = "Waiting for the sound server…"
DEFAULT_SIZE = QSize(860, 540)  # the System strip and four apps side by side
#: Smaller than 480x320, where every strip's buttons still show; below the strips'
#: own minimum height the window scrolls up and down.
MINIMUM_SIZE = QSize(360, 240)


def _icon_file(name: str) -> str:
    return str(resources.files("pypac.mixer") / "icons" / name)


def fitting_size(wanted: QSize) -> QSize:
    """`wanted`, made smaller where the screen is (a HiDPI scale can make the
    default larger than the screen)."""
    screen = QGuiApplication.primaryScreen()
    if screen is None:
        return wanted
    room = screen.availableGeometry().size() * 0.9
    return wanted.boundedTo(room)


class MixerWindow(QMainWindow):
    recordingFinished = Signal(object)  # Path of a recording just finished
    recordingsChanged = Signal()  # one started or ended
    viewDataArrived = Signal(object)  # dict[key, Envelope], after the strips took it

    def __init__(self, theme: Theme, settings: MixerSettings | None = None) -> None:
        super().__init__()
        self.theme = theme
        self.settings = settings or MixerSettings()
        self.setWindowTitle("PyPAC Mixer")
        self.setWindowIcon(QIcon(_icon_file("pypac-mixer.svg")))
        self.resize(fitting_size(DEFAULT_SIZE))
        self.setMinimumSize(MINIMUM_SIZE)
        self.model = MixerModel(self)
        self.table = self.model.table  # what the views read
        self.strips: dict[int, ChannelStrip] = {}
        self.loudness = LoudnessReadout(self)  # the meters show peaks or LUFS
        self._quit_confirmed = False
        self._hover_since: float | None = None
        self.scope_keeper = ScopeKeeper(self)
        self.quit_question: Any = None  # the open "Quit while recording?" box
        self.status = StatusMessages()
        self.messages = self.status.messages  # newest last
        self.probe = DrawProbe()
        self._told_server_up = False

        self.body = WindowBody()
        self.banner, self.body_area = self.body.banner, self.body.body_area
        self.scroll_area, self.row = self.body.scroll_area, self.body.row
        self.empty_label = self.body.empty_label
        self.setCentralWidget(self.body)
        self.body.installEventFilter(self)  # to time the first paint
        self.scroll_area.horizontalScrollBar().valueChanged.connect(self._update_views)

        self.link = EngineLink(self)
        self.app_strips = AppStrips(self, QIcon(_icon_file("generic-app.svg")))
        self.order = self.app_strips.order
        self.system_strip = MasterStrip(QIcon(_icon_file("pypac-mixer.svg")), theme)
        self.app_strips.wire(self.system_strip)
        self.body.pin(self.system_strip)
        w = self.link.worker
        self.model.follow(w)
        self.model.changed.connect(self._apply)
        self.model.serverConnected.connect(self._server_connected)
        self.model.serverLost.connect(self._server_lost)
        self.model.maxVolumeChanged.connect(self._max_volume)
        self.devices = DeviceLinks(self)
        self.model.recordingChanged.connect(self._update_views)
        w.commandFailed.connect(self.tell)
        self.recordings = StripRecordings(self)
        self.studio = Studio(self)  # armed strips, the master Record, instant replay
        self.statusBar().addPermanentWidget(self.studio.bar)
        w.viewData.connect(self._view_data)

        self.display = DisplayLoop(self)
        self.display.paced.connect(self._paced)
        self._expire_timer = QTimer(self)
        self._expire_timer.setInterval(EXPIRE_MS)
        self._expire_timer.timeout.connect(self._expire)
        self._expire_timer.start()
        self._view_keys: frozenset[int] = frozenset()
        self._update_empty_state()
        self.link.start()

    # ---- strips -----------------------------------------------------------------

    def _row_keys(self) -> list[int]:
        """The app strips' keys in row order."""
        return self.app_strips.row_keys()

    def open_scope(self, key: int) -> ScopeWindow | None:
        """Open (or raise) the scope of a strip; the worker then sends its samples."""
        return self.scope_keeper.open(key)

    @property
    def scopes(self) -> dict[int, ScopeWindow]:
        return self.scope_keeper.scopes

    @property
    def max_volume(self) -> float:
        return self.model.max_volume

    def _max_volume(self, max_volume: float) -> None:
        for strip in self.strips.values():
            strip.set_max_volume(max_volume)

    def _apply(self, change: TableChange) -> None:
        if self.app_strips.apply(change):
            self.display.state_changed = True  # greyed-out looks and reset meters
            self._update_empty_state()
            self._update_views()

    def _update_empty_state(self) -> None:
        self.empty_label.setText(EMPTY_TEXT if self.server_up else WAITING_TEXT)
        self.empty_label.setVisible(self.table.live_count() == 0)

    def _row_in_use(self) -> bool:
        """True while the user may be aiming at a strip: a button is held down, or
        the pointer is over the row (for up to HOVER_HOLD_S). Strips do not move then."""
        if QApplication.mouseButtons() != Qt.MouseButton.NoButton:
            return True
        now = time.monotonic()
        if not self.scroll_area.row_widget.underMouse():
            self._hover_since = None
            return False
        if self._hover_since is None:
            self._hover_since = now
        return now - self._hover_since < HOVER_HOLD_S

    def _expire(self) -> None:
        if not self._row_in_use():
            self.model.expire()
        self._update_views()  # also catches layout moves no event told us of

    # ---- the server ----------------------------------------------------------------

    @property
    def server_up(self) -> bool:
        return self.model.server_up

    def _server_connected(self) -> None:
        self.banner.hide()
        self.system_strip.set_phase(StripPhase.PLAYING)
        self._update_empty_state()
        self.tell("Connected to the sound server", topic="server")
        self._told_server_up = True

    def _server_lost(self, reason: str) -> None:
        text = f"Sound server unreachable: {reason}. Reconnecting automatically…"
        if self.banner.text() != text or not self.banner.isVisible():
            self.banner.setText(text)
            self.banner.show()
        if self._told_server_up or not self.messages:
            self.tell("Sound server unreachable", topic="server")
        self._told_server_up = False
        self.system_strip.set_phase(StripPhase.SERVER_LOST)
        self._update_empty_state()

    def tell(self, message: str, topic: str | None = None) -> None:
        """Show `message` in the status bar (with others that came just before)."""
        self.statusBar().showMessage(self.status.add(message, topic))
        self.statusBar().setToolTip(self.status.tooltip())

    @property
    def recording_count(self) -> int:
        return sum(s.recording for s in self.strips.values()) + self.studio.recording

    # ---- drawing and what to capture -------------------------------------------------

    @property
    def drawing(self) -> bool:
        return self.isVisible() and not self.isMinimized()

    @property
    def drawn_strip_count(self) -> int:
        """How many strips the display timer draws now (the visible ones)."""
        drawn = [k for k in self._view_keys if k in self.strips]  # (the mic's level is no strip)
        return len(drawn) if self.display.active else 0

    def _view_data(self, data: dict[int, Envelope]) -> None:
        """The worker's new envelopes (one queued signal per tick): the GUI's buffers
        take them; the display timer draws from those."""
        for key, env in data.items():
            strip = self.strips.get(key)
            if strip is not None:
                strip.buffer.add(env)
            elif key == MIC_KEY:
                self.system_strip.mic_buffer.add(env)
        self.viewDataArrived.emit(data)

    def _paced(self, idle: bool) -> None:
        self._expire_timer.setInterval(IDLE_EXPIRE_MS if idle else EXPIRE_MS)

    def _visible_keys(self) -> list[int]:
        if not self.drawing:
            return []
        self.row.activate()  # strips added just now get their place before we look
        port = self.scroll_area.viewport()
        left = self.scroll_area.horizontalScrollBar().value()
        right = left + port.width()
        keys = [SYSTEM_KEY] if self.system_strip.phase is not StripPhase.EXITED else []
        if self.model.devices.microphone_in_use():
            # Only then: opening the microphone ourselves would light the desktop's
            # "microphone in use" sign whenever the window is open.
            keys.append(MIC_KEY)
        keys += [k for k in self.scopes if k in self.strips and k != SYSTEM_KEY]  # scoped: captured
        return keys + [
            key
            for key, s in self.strips.items()
            if key != SYSTEM_KEY
            and not s.isHidden()  # a strip the user hid is not captured either
            and s.geometry().right() >= left
            and s.geometry().left() <= right
            and s.phase is not StripPhase.EXITED
        ]

    def refresh_views(self) -> None:
        """Capture and draw what is to be seen now (strips in view, open scopes)."""
        self._update_views()

    def _update_views(self) -> None:
        keys = frozenset(self._visible_keys())
        if keys != self._view_keys:
            self._view_keys = keys
            self.link.set_view_targets(keys)
        if self.drawing:
            self.display.start()
        else:
            self.display.stop()

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        QTimer.singleShot(0, self._update_views)  # after the layout placed the strips

    def hideEvent(self, event: Any) -> None:
        super().hideEvent(event)
        self._update_views()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.WindowStateChange:
            self._update_views()

    def resizeEvent(self, event: Any) -> None:
        super().resizeEvent(event)
        QTimer.singleShot(0, self._update_views)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and self.probe.first_paint is None:
            self.probe.first_paint = time.monotonic()
            QTimer.singleShot(0, self._load_plots)  # pyqtgraph's import after the first paint
        return super().eventFilter(watched, event)

    def _load_plots(self) -> None:
        plotting.load()
        for strip in self.strips.values():
            strip.waveform.attach_plot()
        self.display.state_changed = True

    def bring_to_front(self) -> None:
        """Show the window on top (the tray, or another launch, asked for it)."""
        if self.isMinimized():
            self.showNormal()
        else:
            self.show()
        self.raise_()
        self.activateWindow()

    def closeEvent(self, event: QCloseEvent) -> None:
        if event.spontaneous() and self.recording_count and not self._quit_confirmed:
            event.ignore()  # the title bar's X while recording, with no tray: ask first
            self.quit_question = confirm_quit(self, self.recording_count, self._confirmed_close)
            return
        self.shutdown()
        super().closeEvent(event)

    def _confirmed_close(self) -> None:
        self._quit_confirmed = True
        self.close()

    def shutdown(self) -> None:
        """Stop drawing and the worker; running recordings are finalized."""
        self.display.stop()
        self._expire_timer.stop()
        self.link.shutdown()

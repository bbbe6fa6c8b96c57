"""The app strips in the row: made, wired, placed and taken away as the model's
`TableChange`s say. An app that comes back takes the place of its own strip if
that still lingers, and its old place in the row if not (`StripOrder`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QIcon

from pypac.engine import SessionInfo

from .app_icons import app_icon
from .app_identity import app_identity
from .session_model import SYSTEM_KEY, StripPhase, TableChange, display_name
from .strip import ChannelStrip
from .strip_order import StripOrder

if TYPE_CHECKING:
    from .main_window import MixerWindow


class AppStrips:
    def __init__(self, window: MixerWindow, generic_icon: QIcon) -> None:
        self.window = window
        self.generic_icon = generic_icon
        self.strips = window.strips  # the window's dict: key -> strip, the master's too
        self.row = window.row
        self.order = StripOrder()

    def wire(self, strip: ChannelStrip) -> None:
        """Send the strip's requests on (the master strip's device requests go elsewhere)."""
        w = self.window
        strip.set_max_volume(w.max_volume)
        strip.recordRequested.connect(lambda key, start: w.recordings.request(key, start))
        strip.armToggled.connect(lambda key, on: w.studio.arm(key, on))
        strip.waveform.doubleClicked.connect(lambda: strip.scopeRequested.emit(strip.key))
        strip.scopeRequested.connect(w.open_scope)
        w.loudness.attach(strip)
        self.strips[strip.key] = strip

    def _new_strip(self, info: SessionInfo) -> ChannelStrip:
        pid = info.process_id
        names = [n for n in (info.icon_name, info.process_name) if n]
        icon = app_icon(names, self.generic_icon) if names else self.generic_icon
        strip = ChannelStrip(pid, display_name(info), f"PID {pid}", icon, self.window.theme)
        link = self.window.link
        strip.volumeRequested.connect(lambda pid, v: link.set_volume(pid, v))
        strip.balanceRequested.connect(lambda pid, lr: link.set_channel_volumes(pid, lr))
        strip.muteRequested.connect(lambda pid, m: link.set_mute(pid, m))
        self.wire(strip)
        return strip

    def identity(self, key: int) -> str:
        entry = self.window.table.entries.get(key)
        ident = app_identity(entry.info) if entry is not None else None
        return ident or f"pid:{key}"

    def _add(self, info: SessionInfo) -> ChannelStrip:
        pid = info.process_id
        strip = self._new_strip(info)
        ident = self.identity(pid)
        table, model = self.window.table, self.window.model
        for key, old in list(self.strips.items()):
            entry = table.entries.get(key)
            if (
                key not in (pid, SYSTEM_KEY)
                and entry is not None
                and entry.phase is StripPhase.EXITED
                and not old.recording
                and self.identity(key) == ident
            ):
                model.drop(key)
        strip.set_armed(self.window.studio.is_armed(pid))  # an app armed before comes back armed
        shown = [self.identity(k) for k in self.row_keys() if k != pid]
        self.row.insertWidget(self.order.insert_index(ident, shown), strip)
        return strip

    def row_keys(self) -> list[int]:
        """The app strips' keys in row order."""
        keys = []
        for i in range(self.row.count()):
            item = self.row.itemAt(i)
            w = item.widget() if item is not None else None
            if isinstance(w, ChannelStrip):
                keys.append(w.key)
        return keys

    def apply(self, change: TableChange) -> bool:
        """Add, update and remove strips; True if anything changed."""
        table = self.window.table
        for pid in change.added:
            info = table.entries[pid].info
            self._add(info).apply_info(info)
        for pid in change.added + change.updated:
            current = self.strips.get(pid)
            entry = table.entries.get(pid)
            if current is not None and entry is not None:
                if pid not in change.added and entry.phase is not StripPhase.EXITED:
                    current.apply_info(entry.info)
                current.set_phase(entry.phase)
        for pid in change.removed:
            gone = self.strips.pop(pid, None)
            if gone is not None:
                self.row.removeWidget(gone)
                gone.deleteLater()
        return bool(change.added or change.removed or change.updated)

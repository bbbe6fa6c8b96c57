"""Strips the user hid: "Hide this app" on a strip's context menu, remembered by
app identity, so the app's next run stays hidden too; "Hidden apps" lists them
to show them again.

Hiding only takes the strip out of the row; the app keeps playing and stays in
the tray's menu. The window captures only the strips it shows
(MixerWindow._visible_keys skips hidden ones), so a hidden app costs no capture.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu

from pypac.engine import SessionInfo

from .app_identity import app_identity
from .session_model import SYSTEM_KEY
from .settings import HIDDEN_APPS, MixerSettings

if TYPE_CHECKING:
    from .main_window import MixerWindow
    from .strip import ChannelStrip


def identity_label(identity: str) -> str:
    """ "firefox|Firefox" -> "Firefox (firefox)": the name people know first."""
    binary, _, name = identity.partition("|")
    if name and binary and name != binary:
        return f"{name} ({binary})"
    return name or binary


class StripVisibility(QObject):
    def __init__(
        self,
        window: MixerWindow,
        settings: MixerSettings,
        identity: Callable[[SessionInfo], str | None] = app_identity,
    ) -> None:
        super().__init__(window)
        self.window = window
        self.settings = settings
        self._identity = identity
        self._decorated: dict[int, ChannelStrip] = {}  # strips that got the Hide action
        # The model emits these after `changed`: the window's strips exist by then.
        window.model.sessionUpdated.connect(self.apply)
        window.model.sessionsReset.connect(self.apply)

    @property
    def hidden(self) -> tuple[str, ...]:
        return tuple(self.settings.value(HIDDEN_APPS))

    def identity_of(self, key: int) -> str | None:
        entry = self.window.table.entries.get(key)
        return None if entry is None else self._identity(entry.info)

    def apply(self, _arg: object = None) -> None:
        """Hide the strips of hidden apps, show the others; give new strips the action."""
        hidden = set(self.hidden)
        for key, strip in list(self.window.strips.items()):
            ident = self.identity_of(key)
            if key == SYSTEM_KEY or ident is None:
                continue
            if self._decorated.get(key) is not strip:
                self._decorate(strip, ident)
            strip.setVisible(ident not in hidden)
        self._decorated = {k: s for k, s in self._decorated.items() if k in self.window.strips}

    def _decorate(self, strip: ChannelStrip, ident: str) -> None:
        self._decorated[strip.key] = strip
        action = QAction(f"Hide {strip.name}", strip)
        action.setToolTip("Hide this app's strip; the Hidden apps menu shows it again")
        action.triggered.connect(lambda: self.set_hidden(ident, True))
        strip.addAction(action)
        strip.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)

    def set_hidden(self, identity: str, hidden: bool) -> None:
        names = [n for n in self.hidden if n != identity]
        if hidden:
            names.append(identity)
        self.settings.set_value(HIDDEN_APPS, names)
        self.apply()

    def fill_menu(self, menu: QMenu) -> None:
        """The "Hidden apps" menu: one "Show …" per hidden app (filled as it opens)."""
        menu.clear()
        if not self.hidden:
            menu.addAction("No hidden apps").setEnabled(False)
        for ident in self.hidden:
            action = menu.addAction(f"Show {identity_label(ident)}")
            action.triggered.connect(lambda _=False, i=ident: self.set_hidden(i, False))

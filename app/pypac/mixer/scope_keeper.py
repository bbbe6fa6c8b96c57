"""The window's open scopes: one per strip at most; raw samples flow only to
open ones (the worker is told which), so a closed scope costs nothing."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt

if TYPE_CHECKING:
    from .main_window import MixerWindow
    from .scope import ScopeWindow


class ScopeKeeper(QObject):
    def __init__(self, window: MixerWindow) -> None:
        super().__init__(window)
        self.window = window
        self.scopes: dict[int, ScopeWindow] = {}

    def open(self, key: int) -> ScopeWindow | None:
        from .scope import ScopeWindow  # pyqtgraph's plots load only when asked for

        strip = self.window.strips.get(key)
        if strip is None:
            return None
        scope = self.scopes.get(key)
        if scope is None:
            scope = ScopeWindow(key, strip.name, self.window)
            scope.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            self.window.viewDataArrived.connect(scope.feed)
            scope.closed.connect(self._closed)
            self.scopes[key] = scope
            self.window.link.set_sampled(frozenset(self.scopes))
            self.window.refresh_views()  # a scoped strip is captured even scrolled away
        scope.show()
        scope.raise_()
        return scope

    def _closed(self, key: int) -> None:
        scope = self.scopes.pop(key, None)
        if scope is not None:
            self.window.viewDataArrived.disconnect(scope.feed)
        self.window.link.set_sampled(frozenset(self.scopes))
        self.window.refresh_views()

"""The newest recordings, kept in the settings, and the menus that open them.

The strip shows the way to its last file ("Open" / "Folder"); this list keeps
the ones before, for the ⚙ menu and the tray's menu, across runs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QMenu

from .record_panel import open_local
from .settings import RECENT_RECORDINGS, MixerSettings

RECENT_KEPT = 10


class RecentRecordings(QObject):
    def __init__(
        self,
        settings: MixerSettings,
        parent: QObject | None = None,
        opener: Callable[[Path], bool] = open_local,
    ) -> None:
        super().__init__(parent)
        self.settings = settings
        self.opener = opener

    @property
    def paths(self) -> list[Path]:
        """The recordings that still exist, newest first."""
        return [Path(p) for p in self.settings.value(RECENT_RECORDINGS) if Path(p).exists()]

    def add(self, path: Path) -> None:
        kept = [str(path), *(str(p) for p in self.paths if p != path)][:RECENT_KEPT]
        self.settings.set_value(RECENT_RECORDINGS, kept)

    def fill_menu(self, menu: QMenu) -> None:
        """Fill `menu` as it opens: one entry per recording, then its folder."""
        menu.clear()
        paths = self.paths
        if not paths:
            menu.addAction("No recordings yet").setEnabled(False)
            return
        for path in paths:
            action = menu.addAction(path.name)
            action.setToolTip(str(path))
            action.triggered.connect(lambda _=False, p=path: self.opener(p))
        menu.addSeparator()
        folder = paths[0].parent
        menu.addAction("Show folder", lambda: self.opener(folder))

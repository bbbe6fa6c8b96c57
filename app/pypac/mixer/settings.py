"""The mixer's settings: a small keyed store, QSettings-shaped.

Keys are QSettings-style paths ("recording/folder") so a QSettings can back
this store later (issue 6) without touching its users; for now values live in
memory and start from the defaults below.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import QStandardPaths

from pypac.recording import DEFAULT_FORMAT, FORMATS

RECORDING_FOLDER = "recording/folder"
RECORDING_FORMAT = "recording/format"
THEME = "appearance/theme"
THEMES = ("dark", "light")


def default_recording_folder() -> Path:
    """<Music or home>/PyPAC."""
    music = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.MusicLocation)
    base = Path(music) if music else Path.home()
    return base / "PyPAC"


class MixerSettings:
    def __init__(self, **overrides: Any) -> None:
        self._values: dict[str, Any] = {
            RECORDING_FOLDER: str(default_recording_folder()),
            RECORDING_FORMAT: DEFAULT_FORMAT,
            THEME: "dark",
        }
        self._issued: set[Path] = set()  # paths handed out whose files may not exist yet
        for key, value in overrides.items():
            self.set_value(key.replace("__", "/"), value)

    def value(self, key: str) -> Any:
        return self._values[key]

    def set_value(self, key: str, value: Any) -> None:
        if key not in self._values:
            raise KeyError(f"unknown setting {key!r}; known: {', '.join(self._values)}")
        if key == RECORDING_FORMAT and str(value).lower() not in FORMATS:
            raise ValueError(f"recording format must be one of {', '.join(FORMATS)}")
        if key == THEME and value not in THEMES:
            raise ValueError(f"theme must be one of {', '.join(THEMES)}")
        self._values[key] = str(value).lower() if key == RECORDING_FORMAT else value

    @property
    def recording_folder(self) -> Path:
        return Path(self._values[RECORDING_FOLDER])

    @property
    def recording_format(self) -> str:
        return str(self._values[RECORDING_FORMAT])

    def new_recording_path(self, app_name: str, now: datetime | None = None) -> Path:
        """<folder>/<app>-<YYYYmmdd-HHMMSS>.<ext>, never an existing file."""
        stamp = (now or datetime.now()).strftime("%Y%m%d-%H%M%S")
        safe = re.sub(r"[^\w.-]+", "_", app_name).strip("._") or "app"
        ext = self.recording_format
        path = self.recording_folder / f"{safe}-{stamp}.{ext}"
        n = 2
        while path.exists() or path in self._issued:
            path = self.recording_folder / f"{safe}-{stamp}-{n}.{ext}"
            n += 1
        self._issued.add(path)
        return path

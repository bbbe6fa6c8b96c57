"""The mixer's settings: a small keyed store, QSettings-shaped.

Keys are QSettings-style paths ("recording/folder"). Every value goes through
its key's converter, which accepts the forms a QSettings INI file hands back
("true", one string for a one-item list, JSON text) and rejects anything else
with a ValueError, so a bad stored value can never reach the window. Values
live in memory; a `SettingsBackend` (settings_store.SettingsStore: QSettings,
INI) can be attached to persist every change.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, Protocol

from PySide6.QtCore import QStandardPaths

from pypac.autorecord import rules_from_json, rules_to_json
from pypac.recording import DEFAULT_FORMAT, FORMATS
from pypac.replay import DEFAULT_REPLAY_SECONDS, MAX_REPLAY_SECONDS, MIN_REPLAY_SECONDS

RECORDING_FOLDER = "recording/folder"
RECORDING_FORMAT = "recording/format"
THEME = "appearance/theme"
WINDOW_GEOMETRY = "window/geometry"  # QWidget.saveGeometry() bytes
HIDDEN_APPS = "strips/hidden"  # app identities (app_identity.py) the user hid
REMEMBER_LEVELS = "apps/rememberLevels"  # re-apply each app's last volume/mute
APP_LEVELS = "apps/levels"  # identity -> {"volume": 0..1, "muted": bool}
APP_OUTPUTS = "apps/outputs"  # identity -> the output device id chosen on its strip
CLOSE_NOTICE_SHOWN = "tray/closeNoticeShown"  # "still running in the tray" was said once
RECENT_RECORDINGS = "recording/recent"  # paths of the newest recordings, newest first
AUTO_RECORD_RULES = "autorecord/rules"  # the rules' JSON list (pypac.autorecord.rules)
REPLAY_ENABLED = "replay/enabled"  # keep the last seconds of the armed apps (or the System)
REPLAY_SECONDS = "replay/seconds"  # how many
#: The highest volume a remembered level may have (PulseAudio's boost goes to 150%).
MAX_STORED_VOLUME = 1.5
THEMES = ("dark", "light")


def default_recording_folder() -> Path:
    """<Music or home>/PyPAC."""
    music = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.MusicLocation)
    base = Path(music) if music else Path.home()
    return base / "PyPAC"


# ---- converters: stored or user form -> the one form the mixer uses ----------


def _text(value: Any) -> str:
    if not isinstance(value, (str, Path)) or not str(value).strip():
        raise ValueError(f"expected a non-empty text, got {value!r}")
    return str(value)


def _format(value: Any) -> str:
    name = str(value).lower()
    if name not in FORMATS:
        raise ValueError(f"recording format must be one of {', '.join(FORMATS)}")
    return name


def _theme(value: Any) -> str:
    if value not in THEMES:
        raise ValueError(f"theme must be one of {', '.join(THEMES)}")
    return str(value)


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"  # INI files hand booleans back as text
    raise ValueError(f"expected true or false, got {value!r}")


def _replay_seconds(value: Any) -> float:
    try:
        seconds = float(value)  # INI files hand numbers back as text
    except (TypeError, ValueError):
        raise ValueError(f"expected a number of seconds, got {value!r}") from None
    if not MIN_REPLAY_SECONDS <= seconds <= MAX_REPLAY_SECONDS:
        raise ValueError(
            f"replay seconds must be {MIN_REPLAY_SECONDS:g}..{MAX_REPLAY_SECONDS:g}, got {value!r}"
        )
    return seconds


def _bytes(value: Any) -> bytes:
    if isinstance(value, (bytes, bytearray)):
        return bytes(value)
    raise ValueError(f"expected bytes, got {type(value).__name__}")


def _names(value: Any) -> tuple[str, ...]:
    if value is None or value == "":
        return ()  # an empty list reads back as nothing
    if isinstance(value, str):
        return (value,)  # a one-item list reads back as its item
    if isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise ValueError(f"expected a list of names, got {value!r}")


def _levels(value: Any) -> dict[str, dict[str, Any]]:
    data = json.loads(value) if isinstance(value, str) else value
    if not isinstance(data, dict):
        raise ValueError(f"expected a mapping of app levels, got {type(data).__name__}")
    levels: dict[str, dict[str, Any]] = {}
    for name, level in data.items():
        try:
            volume = float(level["volume"])
            muted = level["muted"]
        except (KeyError, TypeError, ValueError):
            raise ValueError(f"bad level for {name!r}: {level!r}") from None
        if not 0.0 <= volume <= MAX_STORED_VOLUME or not isinstance(muted, bool):
            raise ValueError(f"bad level for {name!r}: {level!r}")
        levels[str(name)] = {"volume": volume, "muted": muted}
    return levels


def _routes(value: Any) -> dict[str, str]:
    data = json.loads(value) if isinstance(value, str) else value
    if not isinstance(data, dict) or not all(
        isinstance(k, str) and isinstance(v, str) and v for k, v in data.items()
    ):
        raise ValueError(f"expected a mapping of app to device id, got {value!r}")
    return dict(data)


def _rules(value: Any) -> str:
    """The rule list as its JSON text, one line (InvalidArgumentError, a ValueError, if bad)."""
    if isinstance(value, (list, tuple)):
        return rules_to_json(value, indent=None)
    text = value if isinstance(value, str) else repr(value)
    return rules_to_json(rules_from_json(text), indent=None)


#: key -> (default, converter). The default is a factory where it depends on the machine.
_SCHEMA: dict[str, tuple[Callable[[], Any], Callable[[Any], Any]]] = {
    RECORDING_FOLDER: (lambda: str(default_recording_folder()), _text),
    RECORDING_FORMAT: (lambda: DEFAULT_FORMAT, _format),
    THEME: (lambda: "dark", _theme),
    WINDOW_GEOMETRY: (lambda: b"", _bytes),
    HIDDEN_APPS: (lambda: (), _names),
    REMEMBER_LEVELS: (lambda: True, _bool),
    APP_LEVELS: (lambda: {}, _levels),
    APP_OUTPUTS: (lambda: {}, _routes),
    CLOSE_NOTICE_SHOWN: (lambda: False, _bool),
    RECENT_RECORDINGS: (lambda: (), _names),
    AUTO_RECORD_RULES: (lambda: "[]", _rules),
    REPLAY_ENABLED: (lambda: False, _bool),
    REPLAY_SECONDS: (lambda: DEFAULT_REPLAY_SECONDS, _replay_seconds),
}

KEYS = tuple(_SCHEMA)


def convert(key: str, value: Any) -> Any:
    """`value` in the form `key` uses; KeyError for an unknown key, ValueError for a bad value."""
    if key not in _SCHEMA:
        raise KeyError(f"unknown setting {key!r}; known: {', '.join(_SCHEMA)}")
    try:
        return _SCHEMA[key][1](value)
    except (TypeError, AttributeError) as exc:  # e.g. json.loads of a non-text
        raise ValueError(str(exc)) from None


class SettingsBackend(Protocol):
    """Where changed values go (settings_store.SettingsStore)."""

    def write(self, key: str, value: Any) -> None: ...

    def sync(self) -> None: ...


class MixerSettings:
    def __init__(self, overrides: Mapping[str, Any] | None = None) -> None:
        """Defaults, then `overrides` ({THEME: "light"}: keys are the setting names)."""
        self._values: dict[str, Any] = {key: make() for key, (make, _) in _SCHEMA.items()}
        self._issued: set[Path] = set()  # paths handed out whose files may not exist yet
        self._observers: list[Callable[[str, Any], None]] = []
        self.backend: SettingsBackend | None = None
        for key, value in (overrides or {}).items():
            self.set_value(key, value)

    def value(self, key: str) -> Any:
        return self._values[key]

    def set_value(self, key: str, value: Any, *, persist: bool = True) -> None:
        """Set `key` (converted; ValueError if bad). Observers hear of real changes;
        the backend stores them unless `persist` is False (values just loaded from it)."""
        new = convert(key, value)
        if new == self._values[key]:
            return
        self._values[key] = new
        if persist and self.backend is not None:
            self.backend.write(key, new)
        for observer in list(self._observers):
            observer(key, new)

    def observe(self, callback: Callable[[str, Any], None]) -> None:
        """Call `callback(key, value)` after every change."""
        self._observers.append(callback)

    def sync(self) -> None:
        """Write pending changes to the backend's file now (they go by themselves soon)."""
        if self.backend is not None:
            self.backend.sync()

    @property
    def recording_folder(self) -> Path:
        return Path(self._values[RECORDING_FOLDER])

    @property
    def recording_format(self) -> str:
        return str(self._values[RECORDING_FORMAT])

    def new_recording_path(self, app_name: str, now: datetime | None = None) -> Path:
        """<folder>/<app>-<YYYYmmdd-HHMMSS>.<ext>, never an existing file."""
        return self._new_path(app_name, f".{self.recording_format}", now)

    def new_take_folder(self, kind: str = "take", now: datetime | None = None) -> Path:
        """<folder>/<kind>-<YYYYmmdd-HHMMSS>: a take's (or a saved replay's) folder,
        never an existing one."""
        return self._new_path(kind, "", now)

    def _new_path(self, name: str, ext: str, now: datetime | None) -> Path:
        stamp = (now or datetime.now()).strftime("%Y%m%d-%H%M%S")
        safe = re.sub(r"[^\w.-]+", "_", name).strip("._") or "app"
        path = self.recording_folder / f"{safe}-{stamp}{ext}"
        n = 2
        while path.exists() or path in self._issued:
            path = self.recording_folder / f"{safe}-{stamp}-{n}{ext}"
            n += 1
        self._issued.add(path)
        return path

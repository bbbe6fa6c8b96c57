"""Persistence for MixerSettings: a QSettings INI file, forgiving of bad files.

The file is the user's, so anything can be in it. A file Qt cannot parse is
moved aside (Qt would otherwise refuse to ever write it again) and the
defaults are used; a file that cannot be read is left alone and the defaults
are used; a value of the wrong shape falls back to that key's default. Each
case logs a warning and adds a sentence to `problems` for the window's status
bar. Nothing here raises on a bad file.

Values are written as plain INI types only (text, true/false, lists of text,
@ByteArray): PySide6 would pickle other Python objects into the file.
"""

from __future__ import annotations

import json
import logging
import os
import stat
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Callable

from PySide6.QtCore import QByteArray, QSettings

from .settings import KEYS, MixerSettings

ORGANIZATION = "PyPAC"
APPLICATION = "PyPAC Mixer"
#: Points the mixer at another settings file (tests, the frozen build's smoke test).
PATH_ENV = "PYPAC_MIXER_SETTINGS"

log = logging.getLogger(__name__)


def default_settings_path() -> Path:
    """$PYPAC_MIXER_SETTINGS, else the platform's place (~/.config/PyPAC/PyPAC Mixer.ini)."""
    override = os.environ.get(PATH_ENV)
    if override:
        return Path(override)
    native = QSettings(
        QSettings.Format.IniFormat, QSettings.Scope.UserScope, ORGANIZATION, APPLICATION
    )
    return Path(native.fileName())


def _encode(value: Any) -> Any:
    if isinstance(value, bytes):
        return QByteArray(value)
    if isinstance(value, tuple):
        return list(value)
    if isinstance(value, dict):
        return json.dumps(value, sort_keys=True)  # one quoted INI value, readable by people
    return value


def _decode(default: Any, raw: Any) -> Any:
    if isinstance(raw, QByteArray):
        return raw.data()
    if isinstance(default, dict) and isinstance(raw, str):
        return json.loads(raw)  # a JSONDecodeError is a ValueError: caught by the caller
    return raw


class SettingsStore:
    """One INI file; `attach` loads it into a MixerSettings and keeps it up to date."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = Path(path) if path is not None else default_settings_path()
        self.problems: list[str] = []
        #: Also told every later problem (the window's status bar, once it exists).
        self.on_problem: Callable[[str], None] | None = None
        self._write_failed = False
        self._qs: QSettings | None = self._open() if self._is_regular_or_new() else None

    def _is_regular_or_new(self) -> bool:
        """Only a regular file is read and written. Anything else (/dev/null,
        a FIFO that would block the start-up, a device that writing would
        replace with a file) means: don't persist, this run."""
        try:
            mode = os.stat(self.path).st_mode
        except FileNotFoundError:
            return True
        except OSError as exc:
            self._warn(
                f"Settings file {self.path} cannot be checked ({exc.strerror}); using the "
                "defaults (changes will not be saved)"
            )
            return False
        if stat.S_ISREG(mode):
            return True
        kind = (
            "a folder"
            if stat.S_ISDIR(mode)
            else "a FIFO"
            if stat.S_ISFIFO(mode)
            else "a device"
            if stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
            else "not a regular file"
        )
        self._warn(f"Settings file {self.path} is {kind}: settings are not saved this run")
        return False

    def _open(self) -> QSettings:
        qs = QSettings(str(self.path), QSettings.Format.IniFormat)
        qs.allKeys()  # Qt parses some of the file only on first access; status tells after
        status = qs.status()
        if status == QSettings.Status.FormatError:
            del qs  # Qt never writes over a file it could not parse: keep it for the user
            kept = self.path.with_name(f"{self.path.name}.corrupt-{time.strftime('%Y%m%d-%H%M%S')}")
            try:
                self.path.replace(kept)
                where = f"it was kept as {kept.name}"
            except OSError as exc:
                where = f"it could not be moved aside ({exc.strerror}), so changes are not saved"
            self._warn(f"Settings file {self.path} is corrupt; using the defaults ({where})")
            qs = QSettings(str(self.path), QSettings.Format.IniFormat)
        elif status == QSettings.Status.AccessError:
            self._warn(
                f"Settings file {self.path} cannot be read; using the defaults "
                "(changes will not be saved)"
            )
            self._write_failed = True  # said once already
        return qs

    def _warn(self, message: str) -> None:
        log.warning("%s", message)
        self.problems.append(message)
        if self.on_problem is not None:
            self.on_problem(message)

    def attach(self, settings: MixerSettings) -> MixerSettings:
        """Load every stored value into `settings` (bad ones fall back), then persist
        its changes here."""
        settings.backend = self
        if self._qs is None:
            return settings
        for key in KEYS:
            if not self._qs.contains(key):
                continue
            try:
                raw = self._qs.value(key)
                settings.set_value(key, _decode(settings.value(key), raw), persist=False)
            except (ValueError, TypeError) as exc:
                self._warn(f"Ignoring the stored setting {key} ({exc}); using its default")
        return settings

    def write(self, key: str, value: Any) -> None:
        # QSettings keeps it in memory and writes the file from the event loop soon after.
        if self._qs is not None:
            self._qs.setValue(key, _encode(value))

    def sync(self) -> None:
        if self._qs is None:
            return
        self._qs.sync()
        if self._qs.status() != QSettings.Status.NoError and not self._write_failed:
            self._write_failed = True  # say it once, not on every change
            self._warn(f"Cannot save settings to {self.path}: {self._qs.status().name}")


def load_settings(
    path: Path | None = None, overrides: Mapping[str, Any] | None = None
) -> MixerSettings:
    """MixerSettings with the stored values (defaults where none or bad), persisted
    to `path` (default: `default_settings_path()`). `overrides` apply for this run
    only (e.g. {THEME: "light"} for a --theme on the command line) and are not saved."""
    settings = SettingsStore(path).attach(MixerSettings())
    for key, value in (overrides or {}).items():
        settings.set_value(key, value, persist=False)
    return settings

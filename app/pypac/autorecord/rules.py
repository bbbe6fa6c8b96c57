"""Auto-record rules: which app to record, where, and when to stop.

Plain data, no engine: the mixer's settings store a rule list as JSON
(`rules_to_json` / `rules_from_json`), `pypac autorecord` builds rules from
its arguments, and `AutoRecorder` (watcher.py) carries them out.
"""

from __future__ import annotations

import datetime
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import arguments
from ..audio_file import DEFAULT_FORMAT, FORMATS
from ..engine import SessionInfo, session_has_name
from ..errors import InvalidArgumentError

__all__ = ["RecordRule", "file_for", "rules_from_json", "rules_to_json", "take_folder_for"]

_KEYS = ("name", "output_dir", "format", "silence_seconds", "max_seconds", "enabled", "mic")


def _seconds(what: str, value: object) -> float | None:
    """None, or a positive number of seconds (infinity means None: no limit)."""
    try:
        return arguments.time_limit(what, value)
    except TypeError:  # (a rule comes from JSON or a dialog: one kind of error for all)
        raise InvalidArgumentError(
            f"{what} must be a number of seconds or null, got {type(value).__name__}"
        ) from None


@dataclass(frozen=True)
class RecordRule:
    """When an app named `name` starts playing, record it into `output_dir`.

    `name` matches a session's process or display name, case-insensitive, as
    `pypac record --name` does; `~` in the folder is the home folder. The
    recording stops when the app exits, after `silence_seconds` of silence
    (None: never for silence), or after `max_seconds` of audio (None: no
    limit). A disabled rule is kept but does nothing. `mic` makes it record
    a take instead of a file: the app and that input device (an id or
    description; "" the default input at the moment the rule fires; None,
    the default: no microphone). Raises InvalidArgumentError for a bad value.
    """

    name: str
    output_dir: Path
    format: str = DEFAULT_FORMAT
    silence_seconds: float | None = None
    max_seconds: float | None = None
    enabled: bool = True
    mic: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise InvalidArgumentError("a rule needs the name of the app to record, got none")
        if not isinstance(self.output_dir, (str, Path)) or not str(self.output_dir).strip():
            raise InvalidArgumentError("a rule needs a folder to record into, got none")
        if self.format not in FORMATS:
            raise InvalidArgumentError(
                f"format must be one of {', '.join(sorted(FORMATS))}, got {self.format!r}"
            )
        if not isinstance(self.enabled, bool):
            raise InvalidArgumentError(f"enabled must be true or false, got {self.enabled!r}")
        if self.mic is not None and not isinstance(self.mic, str):
            raise InvalidArgumentError(
                f'mic must be a device name, "" (the default input) or null, got {self.mic!r}'
            )
        object.__setattr__(self, "output_dir", Path(self.output_dir).expanduser())
        object.__setattr__(
            self, "silence_seconds", _seconds("silence_seconds", self.silence_seconds)
        )
        object.__setattr__(self, "max_seconds", _seconds("max_seconds", self.max_seconds))

    @property
    def records_take(self) -> bool:
        """A take of the app and the microphone rather than one file."""
        return self.mic is not None

    def matches(self, session: SessionInfo) -> bool:
        return self.enabled and session_has_name(session, self.name)

    # ---- settings ------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: strings, numbers, null and a bool."""
        return {
            "name": self.name,
            "output_dir": str(self.output_dir),
            "format": self.format,
            "silence_seconds": self.silence_seconds,
            "max_seconds": self.max_seconds,
            "enabled": self.enabled,
            "mic": self.mic,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RecordRule:
        """The rule `to_dict` made; InvalidArgumentError names what is wrong."""
        if not isinstance(data, Mapping):
            raise InvalidArgumentError(f"a rule must be an object, got {type(data).__name__}")
        unknown = sorted(set(data) - set(_KEYS))
        if unknown:
            raise InvalidArgumentError(
                f"unknown rule setting {', '.join(map(repr, unknown))}; "
                f"a rule has {', '.join(_KEYS)}"
            )
        missing = [k for k in ("name", "output_dir") if k not in data]
        if missing:
            raise InvalidArgumentError(f"the rule lacks {' and '.join(missing)}: {dict(data)!r}")
        return cls(**{k: data[k] for k in _KEYS if k in data})


def rules_to_json(rules: Iterable[RecordRule], indent: int | None = 2) -> str:
    """The rules as a JSON list (indent=None: on one line, as an INI value)."""
    return json.dumps([r.to_dict() for r in rules], indent=indent)


def rules_from_json(text: str) -> list[RecordRule]:
    """The rule list `rules_to_json` wrote; InvalidArgumentError if it is not one."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidArgumentError(f"the rule list is not valid JSON: {exc}") from None
    if not isinstance(data, list):
        raise InvalidArgumentError(f"the rule list must be a JSON list, got {type(data).__name__}")
    return [RecordRule.from_dict(d) for d in data]


def _file_stem(app: str) -> str:
    """An app name as a file name: no path separators or shell-hostile characters."""
    stem = re.sub(r"[^\w.+-]+", "_", app.strip()).strip("._")
    return stem or "app"


def _new_path(rule: RecordRule, app: str, when: datetime.datetime | None, suffix: str) -> Path:
    """`<app>-<YYYYmmdd-HHMMSS><suffix>` in the rule's folder, never an existing
    one: a second recording in the same second gets `-2`, `-3`, ..."""
    moment = (when or datetime.datetime.now()).strftime("%Y%m%d-%H%M%S")
    base = f"{_file_stem(app)}-{moment}"
    path = rule.output_dir / f"{base}{suffix}"
    n = 2
    while path.exists():
        path = rule.output_dir / f"{base}-{n}{suffix}"
        n += 1
    return path


def file_for(rule: RecordRule, app: str, when: datetime.datetime | None = None) -> Path:
    """`<app>-<YYYYmmdd-HHMMSS>.<format>` in the rule's folder, never an existing file."""
    return _new_path(rule, app, when, f".{rule.format}")


def take_folder_for(rule: RecordRule, app: str, when: datetime.datetime | None = None) -> Path:
    """A take rule's folder: named as `file_for` names a file, without the extension."""
    return _new_path(rule, app, when, "")

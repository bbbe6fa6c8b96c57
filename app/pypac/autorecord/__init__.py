"""Auto-record rules: "when app X starts playing, record it into folder F".

`RecordRule` is plain data the mixer's settings store (to/from JSON);
`AutoRecorder` carries the rules out with no GUI, as `pypac autorecord` does.
"""

from .rules import RecordRule, file_for, rules_from_json, rules_to_json, take_folder_for
from .watcher import AutoRecorder, RecordingStarted, RecordingStopped, StopReason

__all__ = [
    "AutoRecorder",
    "RecordRule",
    "RecordingStarted",
    "RecordingStopped",
    "StopReason",
    "file_for",
    "rules_from_json",
    "rules_to_json",
    "take_folder_for",
]

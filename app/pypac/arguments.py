"""The one place that checks what callers pass to PyPAC, before anything reaches the engine.

One function per kind of argument, one message per rule. Python and numpy numbers are
both accepted (np.True_, np.int64(3), np.float32(0.5)); strings and other objects are
refused with TypeError, wrong values with InvalidArgumentError. The capture limits are
the engine's own (types.hpp's CaptureLimits, bound into pypac._engine), so the two
sides cannot drift apart; the engine checks them again only for its C++ callers.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from . import _engine
from .errors import InvalidArgumentError

#: Process ids travel as int64 to the engine.
MAX_PROCESS_ID = 2**63 - 1
#: Counts of frames (read sizes, batch sizes).
MAX_FRAMES = 2**31


def _integer(what: str, value: object) -> int:
    """`value` as an int, if it is one (numpy integers too, bools not)."""
    if isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_)):
        return int(value)
    raise TypeError(f"{what} must be an int, got {type(value).__name__}")


def _number(what: str, value: object, kind: str = "a number") -> float:
    """`value` as a float, if it is a real number (numpy's too, bools not)."""
    if isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_)):
        return float(value)
    raise TypeError(f"{what} must be {kind}, got {type(value).__name__}")


def process_id(value: object) -> int:
    pid = _integer("process id", value)
    if not 0 < pid <= MAX_PROCESS_ID:
        raise InvalidArgumentError(f"process id must be 1..2**63-1, got {pid}")
    return pid


def app_name(value: object) -> str:
    """A process or display name to look sessions up by."""
    if not isinstance(value, str) or not value:
        raise TypeError("name must be a non-empty str")
    return value


def flag(name: str, value: object) -> bool:
    """A bool (Python's or numpy's)."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be a bool, got {type(value).__name__} {value!r}")
    return bool(value)


def volume(value: object, top: float = 1.0) -> float:
    """A fader position, 0.0 up to `top` (above 1.0 where the backend boosts)."""
    level = _number("volume", value, f"a number from 0.0 to {top:g}")
    if not 0.0 <= level <= top:  # NaN fails too
        hint = " (this backend has no boost above 1.0)" if top == 1.0 and level > 1.0 else ""
        raise InvalidArgumentError(
            f"volume must be a number from 0.0 to {top:g}, got {value!r}{hint}"
        )
    return level


def channel_volumes(value: object, top: float = 1.0) -> list[float]:
    """One fader position per channel, front-left first."""
    if isinstance(value, (str, bytes)) or not hasattr(value, "__iter__"):
        raise TypeError(
            f"channel volumes must be a sequence of numbers, got {type(value).__name__}"
        )
    levels = [volume(v, top) for v in value]  # type: ignore[attr-defined]
    if not levels:
        raise InvalidArgumentError("give one volume per channel, got none")
    return levels


def integer_in(name: str, value: object, low: int, high: int) -> int:
    number = _integer(name, value)
    if not low <= number <= high:
        raise InvalidArgumentError(f"{name} must be {low}..{high}, got {number}")
    return number


def number_in(name: str, value: object, low: float, high: float) -> float:
    number = _number(name, value)
    if not low <= number <= high:  # NaN fails too
        raise InvalidArgumentError(f"{name} must be {low:g}..{high:g}, got {value!r}")
    return number


def seconds_to_wait(name: str, value: object) -> float:
    """A wait in seconds: 0 or less is no wait, inf (or anything huge) has no limit.

    NaN says nothing about how long to wait, so it is refused.
    """
    seconds = _number(name, value, "a number of seconds")
    if math.isnan(seconds):
        raise InvalidArgumentError(f"{name} must be a number of seconds (inf: no limit), got nan")
    return max(0.0, seconds)


def time_limit(name: str, value: object) -> float | None:
    """How long something may last: None or inf is no limit, anything else a
    positive number of seconds (NaN, 0 and less are refused)."""
    if value is None:
        return None
    seconds = _number(name, value, "a number of seconds")
    if math.isinf(seconds) and seconds > 0:
        return None
    if math.isnan(seconds) or seconds <= 0:
        raise InvalidArgumentError(f"{name} must be a positive number of seconds, got {value!r}")
    return seconds


def sample_rate(value: object) -> int:
    return integer_in("sample_rate", value, _engine.MIN_SAMPLE_RATE, _engine.MAX_SAMPLE_RATE)


def channels(value: object) -> int:
    return integer_in("channels", value, _engine.MIN_CHANNELS, _engine.MAX_CHANNELS)


def ring_seconds(value: object) -> float:
    return number_in("ring_seconds", value, _engine.MIN_RING_SECONDS, _engine.MAX_RING_SECONDS)


def frame_count(name: str, value: object) -> int:
    return integer_in(name, value, 1, MAX_FRAMES)

"""Volume words and balance arithmetic for strips, menus and the tray. Qt-free."""

from __future__ import annotations

#: Channels closer than this are balanced (the server rounds to its own steps).
BALANCED = 0.01


def percent_text(volume: float) -> str:
    return f"{round(volume * 100)}%"


def balance_of(channels: tuple[float, ...]) -> float:
    """-1.0 (all left) .. 0.0 (centre) .. 1.0 (all right), for a stereo app."""
    if len(channels) != 2:
        return 0.0
    left, right = channels
    loudest = max(left, right)
    if loudest <= 0.0:
        return 0.0
    return (right - left) / loudest


def channels_for_balance(volume: float, balance: float) -> list[float]:
    """[left, right] at loudness `volume` with `balance` (-1..1): the far side
    is turned down, the near side stays at `volume` (pavucontrol's balance)."""
    b = min(1.0, max(-1.0, balance))
    return [volume * (1.0 - max(0.0, b)), volume * (1.0 + min(0.0, b))]


def balance_text(channels: tuple[float, ...]) -> str:
    """ "" when balanced, else "L 100 · R 30" (percent per side)."""
    if len(channels) != 2 or abs(channels[0] - channels[1]) < BALANCED:
        return ""
    return f"L {round(channels[0] * 100)} · R {round(channels[1] * 100)}"

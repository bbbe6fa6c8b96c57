"""What the status bar says. Qt-free: it composes the line; the window shows it.

Messages that come together (two recordings ended by one server loss) are
shown side by side, except that a message on a `topic` (the server's state)
replaces older ones on that topic.
"""

from __future__ import annotations

import time
from collections import deque

TOGETHER_S = 5.0  # status messages this close together are shown side by side
MESSAGES_KEPT = 50  # the newest status messages, for the tooltip and the tests


class StatusMessages:
    def __init__(self) -> None:
        self.messages: deque[str] = deque(maxlen=MESSAGES_KEPT)  # newest last
        self._recent: list[tuple[float, str | None, str]] = []  # (time, topic, message)

    def add(self, message: str, topic: str | None = None, now: float | None = None) -> str:
        """Take a new message; returns the status bar's new line."""
        t = time.monotonic() if now is None else now
        kept = [
            (when, top, m)
            for when, top, m in self._recent
            if t - when < TOGETHER_S and (topic is None or top != topic)
        ]
        recent = [m for _, _, m in kept][-2:]
        self._recent = [*kept, (t, topic, message)]
        self.messages.append(message)
        return "  •  ".join([message, *reversed(recent)])

    def tooltip(self) -> str:
        return "\n".join(list(self.messages)[-10:])

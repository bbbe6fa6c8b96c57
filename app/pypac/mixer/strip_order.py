"""Where each strip goes in the row. Qt-free.

Strips keep the order their apps first appeared in, by app identity, for the
whole run: an app that exits and comes back (a new pid) takes its old place
instead of jumping to the end of the row, where the user's next click meant
for another strip would land on it.
"""

from __future__ import annotations

#: Identities remembered at most; the oldest that have no strip go first.
MAX_REMEMBERED = 500


class StripOrder:
    def __init__(self) -> None:
        self._ranks: dict[str, int] = {}
        self._next = 0

    def rank(self, identity: str) -> int:
        """The place of `identity` in the row, the same on every return."""
        if identity not in self._ranks:
            self._ranks[identity] = self._next
            self._next += 1
            if len(self._ranks) > MAX_REMEMBERED:
                del self._ranks[next(iter(self._ranks))]
        return self._ranks[identity]

    def insert_index(self, identity: str, shown: list[str]) -> int:
        """Where a strip for `identity` goes among the strips `shown` (in row order)."""
        mine = self.rank(identity)
        return sum(self.rank(other) <= mine for other in shown if other != identity)

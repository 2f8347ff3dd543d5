"""The long-polls an app holds, per event and in all: a token cannot tie up the server."""

from __future__ import annotations

import collections
import contextlib
from collections.abc import Iterator

__all__ = ["MAX_HOLDS", "MAX_HOLDS_PER_EVENT", "Holds"]

MAX_HOLDS_PER_EVENT = 8
MAX_HOLDS = 10_000


class Holds:
    """Counts held long-polls (one event loop: no lock needed)."""

    def __init__(self, per_event: int = MAX_HOLDS_PER_EVENT, in_all: int = MAX_HOLDS) -> None:
        self.per_event = per_event
        self.in_all = in_all
        self._held: collections.Counter[str] = collections.Counter()
        self.total = 0

    def held(self, request_id: str) -> int:
        return self._held[request_id]

    def full(self, request_id: str) -> bool:
        """Whether one more hold of request_id would pass a limit."""
        return self._held[request_id] >= self.per_event or self.total >= self.in_all

    @contextlib.contextmanager
    def holding(self, request_id: str) -> Iterator[None]:
        self._held[request_id] += 1
        self.total += 1
        try:
            yield
        finally:
            self.total -= 1
            self._held[request_id] -= 1
            if not self._held[request_id]:
                del self._held[request_id]

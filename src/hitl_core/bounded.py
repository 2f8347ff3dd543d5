"""A mapping that forgets its least recently used entries beyond a size."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable
from typing import Any

__all__ = ["Bounded"]


class Bounded(OrderedDict[Any, Any]):
    """Least recently used first out: touch() an entry when it is used or set."""

    def __init__(self, size: int) -> None:
        super().__init__()
        self.size = size

    def touch(self, key: Hashable) -> int:
        """Mark key as the most recently used; how many entries that made it forget."""
        self.move_to_end(key)
        forgotten = 0
        while len(self) > self.size:
            self.popitem(last=False)
            forgotten += 1
        return forgotten

"""Attempt marks: what tells one attempt of a task from the next in one process."""

from __future__ import annotations

import weakref
from typing import Any

__all__ = ["SameObject"]


class SameObject:
    """Equal only while both mark the very same live object, which it does not keep alive.

    Flyte 2 makes a new report object for each attempt of a task, and keeps it
    for the whole attempt: that object marks the attempt.
    """

    __slots__ = ("_id", "_ref")

    def __init__(self, marker: Any) -> None:
        self._ref = weakref.ref(marker)
        self._id = id(marker)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, SameObject):
            return NotImplemented
        mine = self._ref()
        return mine is not None and mine is other._ref()

    def __hash__(self) -> int:
        return self._id

    def __repr__(self) -> str:
        return f"<attempt marked by object {self._id:#x}>"

"""Small values shared by both flavors."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["UNSET", "EventStatus", "Unset"]


class Unset:
    """The type of UNSET: no default was given."""

    def __repr__(self) -> str:
        return "UNSET"


UNSET = Unset()


@dataclass(frozen=True)
class EventStatus:
    """Where an event stands; value is the typed answer when state is "answered"."""

    request_id: str
    state: str
    value: Any = None
    at: str | None = None

    @property
    def done(self) -> bool:
        return self.state != "pending"


EventStatus.__module__ = "hitl_core"

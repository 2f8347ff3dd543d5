"""Flavor-neutral parts of hitl: errors, types, identity, storage, the web app.

Users import hitl_async or hitl_sync; this package holds what both share.
"""

from .errors import (
    AlreadyAnswered,
    EventCancelled,
    EventNotFound,
    EventTimeout,
    HitlError,
    InvalidValue,
    StoreError,
    StoreUnavailable,
)
from .status import UNSET, EventStatus

__all__ = [
    "UNSET",
    "AlreadyAnswered",
    "EventCancelled",
    "EventNotFound",
    "EventStatus",
    "EventTimeout",
    "HitlError",
    "InvalidValue",
    "StoreError",
    "StoreUnavailable",
]

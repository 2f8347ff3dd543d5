"""The neutral core of hitl: errors, documents, identity, the type codec, configuration,
storage backends, the rules of an event's life, the wait's timing, the per-process runtime.

Users import hitl_async or hitl_sync; this package holds what both share, and
imports neither of them nor any web framework.
"""

from .errors import (
    AlreadyAnswered,
    ApprovalRejected,
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
    "ApprovalRejected",
    "EventCancelled",
    "EventNotFound",
    "EventStatus",
    "EventTimeout",
    "HitlError",
    "InvalidValue",
    "StoreError",
    "StoreUnavailable",
]

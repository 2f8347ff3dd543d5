# WARNING: generated from src/hitl_async/__init__.py by codegen/unasync.py. DO NOT EDIT.
"""hitl: pause a program until a person answers a typed question.

new_event() creates (or re-attaches to) a typed question; people answer at its
form_url or api_url; its wait() returns the answer as the declared type.
require_approval() guards a function: a person approves each call first.
hitl_async and hitl_sync offer the same names: the first for asyncio and trio
code, the second blocking, each of its calls with an awaitable .aio twin.
"""

from hitl_core.errors import (
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
from hitl_core.status import UNSET, EventStatus

from . import testing
from ._approvals import require_approval
from ._events import Event, new_event

__all__ = [
    "UNSET",
    "AlreadyAnswered",
    "ApprovalRejected",
    "Event",
    "EventCancelled",
    "EventNotFound",
    "EventStatus",
    "EventTimeout",
    "HitlError",
    "InvalidValue",
    "StoreError",
    "StoreUnavailable",
    "new_event",
    "require_approval",
    "testing",
]

Event.__module__ = __name__
new_event.__module__ = __name__
require_approval.__module__ = __name__

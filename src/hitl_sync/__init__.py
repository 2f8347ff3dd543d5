# WARNING: generated from src/hitl_async/__init__.py by codegen/unasync.py. DO NOT EDIT.
"""hitl: pause a program until a person answers a typed question.

new_event() creates (or re-attaches to) a typed question; people answer at its
form_url or api_url (or, when respondents= names who may, each at their own
link_for(id) or inbox_url(id)); its wait() returns the answer as the declared
type, an Approval for data_type=Approval.
require_approval() guards a function: a person approves each call first.
hitl_async and hitl_sync offer the same names: the first for asyncio and trio
code, the second blocking, each of its calls with an awaitable .aio twin.
"""

from hitl_core.errors import (
    AlreadyAnswered,
    AlreadyVoted,
    ApprovalRejected,
    EventCancelled,
    EventNotFound,
    EventTimeout,
    HitlError,
    InvalidValue,
    NotARespondent,
    StoreError,
    StoreUnavailable,
)
from hitl_core.people import Approval
from hitl_core.status import UNSET, EventStatus

from . import testing
from ._approvals import require_approval
from ._events import Event, new_event
from ._inbox import inbox_url

__all__ = [
    "UNSET",
    "AlreadyAnswered",
    "AlreadyVoted",
    "Approval",
    "ApprovalRejected",
    "Event",
    "EventCancelled",
    "EventNotFound",
    "EventStatus",
    "EventTimeout",
    "HitlError",
    "InvalidValue",
    "NotARespondent",
    "StoreError",
    "StoreUnavailable",
    "inbox_url",
    "new_event",
    "require_approval",
    "testing",
]

Event.__module__ = __name__
new_event.__module__ = __name__
inbox_url.__module__ = __name__
require_approval.__module__ = __name__

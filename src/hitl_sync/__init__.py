# WARNING: generated from src/hitl_async/__init__.py by codegen/unasync.py. DO NOT EDIT.
"""hitl: pause a program until a person answers a typed question.

    event = await hitl.new_event("approve", data_type=bool, prompt="Ship it?")
    print(event.form_url)
    ok = await event.wait()

This is the async flavor (asyncio or trio); hitl_sync is its blocking twin.
"""

from hitl_core.errors import (
    AlreadyAnswered,
    EventCancelled,
    EventNotFound,
    EventTimeout,
    HitlError,
    InvalidValue,
    StoreError,
)
from hitl_core.status import UNSET, EventStatus

from ._events import Event, new_event

__all__ = [
    "UNSET",
    "AlreadyAnswered",
    "Event",
    "EventCancelled",
    "EventNotFound",
    "EventStatus",
    "EventTimeout",
    "HitlError",
    "InvalidValue",
    "StoreError",
    "new_event",
]

Event.__module__ = __name__
new_event.__module__ = __name__

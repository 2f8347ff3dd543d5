"""What people and programs do to a stored event: the core's rules applied to a store.

Event, the web app and the CLI all go through these, so an answer, a cancel,
an expiry and a status read mean the same wherever they come from.

    look()     the event and the outcome that holds now (nothing is written)
    answer()   store an answer; AlreadyAnswered or InvalidValue if it may not stand
    cancel()   store a cancellation; AlreadyAnswered if the event is answered or expired
    expire()   record the expiry at the deadline; the outcome that stands
"""

from __future__ import annotations

from typing import Any

from hitl_core import codec, rules
from hitl_core.documents import utc_now
from hitl_core.errors import EventNotFound

from ._store import Store

__all__ = ["answer", "cancel", "expire", "look", "read_event"]


async def read_event(store: Store, request_id: str) -> dict[str, Any]:
    """The event document; EventNotFound if there is none."""
    event = await store.read_event(request_id)
    if event is None:
        raise EventNotFound(request_id)
    return event


async def look(store: Store, request_id: str) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """The event and the outcome that holds now (an expiry past the deadline, recorded or not)."""
    event = await read_event(store, request_id)
    outcome = await store.read_outcome(request_id)
    return event, rules.effective(event, outcome, utc_now())


async def _standing(store: Store, event: dict[str, Any]) -> dict[str, Any] | None:
    """The stored outcome, after recording the expiry if the deadline has passed."""
    outcome = await store.read_outcome(event["request_id"])
    due = rules.due_expiry(event, outcome, utc_now())
    return outcome if due is None else await store.write_outcome(due)


async def answer(
    store: Store,
    request_id: str,
    value: Any,
    *,
    via: str,
    spec: codec.TypeSpec | None = None,
    event: dict[str, Any] | None = None,
    by: str | None = None,
    comment: str | None = None,
) -> dict[str, Any]:
    """Store value as the answer (by whom, when known, with their comment) and return
    the stored outcome.

    spec, when the Python type is at hand, runs the type's own validators too;
    event saves a read when the caller has the event document already.
    """
    event = event or await read_event(store, request_id)
    outcome = await _standing(store, event)
    wanted = rules.answer(
        event, outcome, value, via=via, now=utc_now(), spec=spec, by=by, comment=comment
    )
    return rules.settled_answer(wanted, await store.write_outcome(wanted))


async def cancel(
    store: Store, request_id: str, *, via: str, event: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Cancel the event (cancelling twice is harmless) and return the cancellation."""
    event = event or await read_event(store, request_id)
    outcome = await _standing(store, event)
    wanted = rules.cancel(event, outcome, via=via, now=utc_now())
    if wanted is None:
        assert outcome is not None
        return outcome
    return rules.settled_cancel(request_id, await store.write_outcome(wanted))


async def expire(store: Store, request_id: str, *, via: str) -> dict[str, Any]:
    """Record the expiry unless an outcome stands; the outcome that stands."""
    return await store.write_outcome(rules.expiry(request_id, via=via, now=utc_now()))

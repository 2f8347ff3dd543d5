"""What people and programs do to a stored event: the core's rules applied to a store.

Event, the web app and the CLI all go through these, so an answer, a cancel,
an expiry and a status read mean the same wherever they come from.

    look()     the event and the outcome that holds now (nothing is written)
    answer()   store an answer; AlreadyAnswered or InvalidValue if it may not stand
    vote()     store a respondent's vote on an approval, and the decision if it makes one
    decide()   record the decision the stored votes make, if they make one
    cancel()   store a cancellation; AlreadyAnswered if the event is answered or expired
    expire()   record the expiry at the deadline; the outcome that stands
"""

from __future__ import annotations

from typing import Any

from hitl_core import codec, people, rules
from hitl_core.documents import utc_now
from hitl_core.errors import AlreadyVoted, EventNotFound, InvalidValue

from ._store import Store

__all__ = ["answer", "cancel", "decide", "expire", "look", "read_event", "vote"]


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
    if outcome is None and rules.takes_votes(event):
        outcome = await decide(store, event)
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
    now = utc_now()
    # Before the deadline the write itself tells whether an outcome stands (it is
    # created only if absent): the outcome is read first only once the deadline has
    # passed, since then the expiry must be recorded.
    outcome = store.known_outcome(request_id)
    if outcome is None and rules.seconds_left(event, now) <= 0:
        outcome = await _standing(store, event)
    try:
        wanted = rules.answer(
            event, outcome, value, via=via, now=now, spec=spec, by=by, comment=comment
        )
    except InvalidValue:
        # A standing outcome is the better reason: "answered already" beats "invalid".
        standing = None if outcome is not None else await store.read_outcome(request_id)
        if standing is not None:
            raise rules.refusal(request_id, standing) from None
        raise
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


async def vote(
    store: Store,
    event: dict[str, Any],
    value: Any,
    *,
    person: str,
    via: str,
    comment: str | None = None,
) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """Store a respondent's vote (true approves) and return it, with the outcome once
    the votes decide one.

    AlreadyVoted if they voted before (their first vote stands), AlreadyAnswered
    if the event is decided or closed, InvalidValue for a vote that is not yes/no.
    """
    outcome = await _standing(store, event)
    if outcome is None:  # votes that decided, whose decision nobody recorded, decide first
        outcome = await decide(store, event)
    wanted = rules.vote(
        event, outcome, value, person=person, via=via, now=utc_now(), comment=comment
    )
    standing = await store.create_vote(wanted)
    if standing != wanted:
        raise AlreadyVoted(event["request_id"], person, standing)
    return standing, await decide(store, event)


async def decide(store: Store, event: dict[str, Any]) -> dict[str, Any] | None:
    """The outcome that stands once the stored votes are counted: the decision they
    make, written if nobody wrote one, or None while they decide nothing.

    Each vote counts it again after it is stored, so whichever vote completes the
    quorum, on whichever replica, records the decision.
    """
    decision = people.tally(event, await store.read_votes(event["request_id"]))
    if decision is None:
        return await store.read_outcome(event["request_id"])
    return await store.write_outcome(decision)

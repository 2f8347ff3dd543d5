"""The rules of an event's life, as plain functions over its documents.

An event is pending until one outcome is stored for it: answered, cancelled or
expired. The first outcome written stands; every later action finds it. The
deadline stored with the event decides expiry for everyone: past it, an event
with no outcome is expired, whether or not anyone has recorded that yet.

These functions read no store and no clock: the caller passes what it read and
the time. Event (both flavors), the web app and the CLI all apply them, so each
rule is written here once:

- answer():      the answer to store, or why none may be stored (AlreadyAnswered,
                 InvalidValue); settled_answer() once it is written
- vote():        a respondent's vote on an approval (people.tally() decides)
- cancel():      the cancellation to store, or why none may be; settled_cancel()
- due_expiry():  the expiry to record once the deadline has passed
- effective():   the outcome that holds now, recorded or not (status)
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Any

from . import codec, people, strict_json
from .documents import ANSWERED, CANCELLED, EXPIRED, outcome_document
from .errors import AlreadyAnswered, InvalidValue
from .identity import question_digest

__all__ = [
    "MAX_COMMENT",
    "MISSING",
    "answer",
    "cancel",
    "checked_comment",
    "due_expiry",
    "effective",
    "expiry",
    "refusal",
    "seconds_left",
    "settled_answer",
    "settled_cancel",
    "takes_votes",
    "vote",
]


# A comment says why, in a few sentences; the limit keeps outcomes small.
MAX_COMMENT = 2_000


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()  # an answer with no value at all (a form sent without one)


def seconds_left(event: dict[str, Any], now: datetime) -> float:
    """Seconds until the event's stored deadline (negative once past; inf without one)."""
    try:
        deadline = datetime.fromisoformat(event["expires_at"])
    except (KeyError, TypeError, ValueError):
        return math.inf
    return (deadline - now).total_seconds()


def expiry(request_id: str, *, via: str, now: datetime) -> dict[str, Any]:
    """The outcome that closes an event at its deadline."""
    return outcome_document(request_id, EXPIRED, via=via, now=now)


def due_expiry(
    event: dict[str, Any], outcome: dict[str, Any] | None, now: datetime
) -> dict[str, Any] | None:
    """The expiry to record, if the deadline has passed and no outcome stands.

    It is dated at the deadline, whenever it is recorded.
    """
    left = seconds_left(event, now)
    if outcome is None and left <= 0:
        return expiry(event["request_id"], via="deadline", now=now + timedelta(seconds=left))
    return None


def effective(
    event: dict[str, Any], outcome: dict[str, Any] | None, now: datetime
) -> dict[str, Any] | None:
    """The outcome that holds now: the stored one, or an expiry nobody recorded yet."""
    if due_expiry(event, outcome, now) is not None:
        return {"state": EXPIRED, "value": None, "at": event.get("expires_at"), "via": "deadline"}
    return outcome


def refusal(request_id: str, outcome: dict[str, Any]) -> AlreadyAnswered:
    """The error for an action that a standing outcome forbids."""
    return AlreadyAnswered(request_id, str(outcome["state"]), outcome.get("value"))


def answer(
    event: dict[str, Any],
    outcome: dict[str, Any] | None,
    value: Any,
    *,
    via: str,
    now: datetime,
    spec: codec.TypeSpec | None = None,
    by: str | None = None,
    comment: str | None = None,
) -> dict[str, Any]:
    """The answer document to store for value, with who gave it and their comment.

    Raises AlreadyAnswered if an outcome holds (the deadline included) and
    InvalidValue if value does not fit the declared type (checked against the
    stored description, and by spec's own validators when the type is at hand).
    The answer stands only if it is the first outcome written: see settled_answer().
    """
    _check_open(event, outcome, value, now, "a value is required")
    stored = codec.validate_answer(event["type"], value, spec)
    comment = checked_comment(comment)
    recorded_by: str | list[str] | None = by
    if event["type"]["kind"] == people.APPROVAL_KIND:  # decided by one answer, not by votes
        recorded_by = [by] if by else []
        stored = people.approval_value(stored, comment, recorded_by)
    return outcome_document(
        event["request_id"],
        ANSWERED,
        value=stored,
        via=via,
        type_name=event["type"]["type_name"],
        now=now,
        by=recorded_by,
        comment=comment,
        question_sha256=question_digest(event),
    )


def vote(
    event: dict[str, Any],
    outcome: dict[str, Any] | None,
    value: Any,
    *,
    person: str,
    via: str,
    now: datetime,
    comment: str | None = None,
) -> dict[str, Any]:
    """A respondent's vote on an approval, to store once; the same refusals as answer()."""
    _check_open(event, outcome, value, now, "a vote is required: true approves, false rejects")
    approved = codec.validate_with_description(event["type"], value)
    return people.vote_document(
        event, person, approved, comment=checked_comment(comment), via=via, now=now
    )


def takes_votes(event: dict[str, Any]) -> bool:
    """Whether respondents answer the event by votes: an approval with respondents."""
    return event["type"].get("kind") == people.APPROVAL_KIND and bool(event.get("respondents"))


def _check_open(
    event: dict[str, Any], outcome: dict[str, Any] | None, value: Any, now: datetime, missing: str
) -> None:
    """AlreadyAnswered if an outcome holds (the deadline included), InvalidValue(missing)
    for no value at all."""
    holding = effective(event, outcome, now)
    if holding is not None:
        raise refusal(event["request_id"], holding)
    if value is MISSING:
        raise InvalidValue(missing)


def checked_comment(comment: object) -> str | None:
    """A comment fit to store: text of at most MAX_COMMENT characters; empty is none."""
    if comment is None or comment == "":
        return None
    if not isinstance(comment, str) or strict_json.problem(comment):
        raise InvalidValue("a comment must be text")
    if len(comment) > MAX_COMMENT:
        raise InvalidValue(f"a comment must be at most {MAX_COMMENT} characters")
    return comment


def settled_answer(wanted: dict[str, Any], standing: dict[str, Any]) -> dict[str, Any]:
    """The answer once written: wanted, unless another outcome was written first."""
    if standing != wanted:
        raise refusal(wanted["request_id"], standing)
    return standing


def cancel(
    event: dict[str, Any], outcome: dict[str, Any] | None, *, via: str, now: datetime
) -> dict[str, Any] | None:
    """The cancellation to store, or None if the event is cancelled already.

    An answered or expired event stays as it is: AlreadyAnswered says which.
    A cancel after the deadline finds the event expired, recorded or not.
    """
    holding = effective(event, outcome, now)
    if holding is None:
        return outcome_document(event["request_id"], CANCELLED, via=via, now=now)
    if holding["state"] == CANCELLED:
        return None
    raise refusal(event["request_id"], holding)


def settled_cancel(request_id: str, standing: dict[str, Any]) -> dict[str, Any]:
    """The cancellation once written: any cancellation stands for this one."""
    if standing["state"] != CANCELLED:
        raise refusal(request_id, standing)
    return standing

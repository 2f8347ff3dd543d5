"""What the pages and replies say of an event: shared by the fast lane and the
routes, and free of the framework (the lane answers before it is loaded)."""

from __future__ import annotations

import json
from typing import Any

from hitl_async._store import Store
from hitl_core import identity, labels, markdown, people, rules, strict_json
from hitl_core.documents import utc_now
from hitl_core.status import describe
from hitl_core.storage import store_fingerprint

from . import forms
from .credentials import Caller
from .services import Services

__all__ = [
    "chosen",
    "described",
    "form_context",
    "health_of",
    "same_location",
]


def health_of(shared: Services) -> dict[str, Any]:
    """Liveness, the store served (a fingerprint), and the long-polls held now."""
    return {
        "status": "ok",
        "store": store_fingerprint(shared.store.url),
        "long_polls": shared.holds.total,
    }


def described(
    store: Store, event: dict[str, Any], outcome: dict[str, Any] | None
) -> dict[str, Any]:
    """The event's status as GET /status gives it, for an event without votes or notices."""
    location = store.outcome_location(event["request_id"])
    return describe(event, outcome, now=utc_now(), response_path=location)


def same_location(given: Any, own: str) -> bool:
    """Whether a response_path a client sent names the event's own outcome."""
    if not isinstance(given, str):
        return False
    given = given.removeprefix("file://").rstrip("/")
    return bool(given == own.removeprefix("file://").rstrip("/"))


def _choice_labels(description: dict[str, Any]) -> list[tuple[str, str]]:
    """Each choice as the form posts it, and as it reads: text as itself, unless it
    would read as JSON (the text "1" beside the number 1), which posts as JSON text."""
    return [(_posted_choice(c), str(c)) for c in description.get("choices") or []]


def _posted_choice(choice: Any) -> str:
    if not isinstance(choice, str):
        return json.dumps(choice)
    try:
        strict_json.loads(choice)
    except ValueError:
        return choice
    return json.dumps(choice)


def chosen(description: dict[str, Any], posted: Any) -> Any:
    """The choice a form posted, as the event declared it (the number 1, not the text)."""
    for choice in description.get("choices") or []:
        if isinstance(posted, str) and posted == _posted_choice(choice):
            return choice
    return posted


async def form_context(
    store: Store,
    event: dict[str, Any],
    caller: Caller,
    *,
    outcome: dict[str, Any] | None = None,
    typed: str = "",
    error: str | None = None,
    comment: str | None = None,
    widgets: list[forms.Widget] | None = None,
) -> dict[str, Any]:
    """What form.html shows: the question, the widgets, and the standing outcome if any.

    The form carries a token minted here: the respondent's own for a respondent,
    else the event's; never the credential the page was opened with (an operator
    key stays out of the page). Who may not answer sees the question, and why.
    """
    secret = await store.secret()
    request_id = event["request_id"]
    person = caller.person
    listed = people.respondents_at(event, utc_now())
    if person is not None and person in listed:
        token = identity.personal_token(secret, request_id, person)
    else:
        token = identity.event_token(secret, request_id)
    may_answer = not caller.operator and people.may_answer(event, person)
    vote = None
    if outcome is None and rules.takes_votes(event) and may_answer and person is not None:
        vote = await store.read_vote(request_id, person)
    return {
        "event": event,
        "prompt_html": markdown.to_html(event["prompt"]),
        "expected": labels.expected_answer(event["type"]),
        "widgets": widgets if widgets is not None else forms.widgets_for(event["type"]),
        "kind": event["type"]["kind"],
        "choices": _choice_labels(event["type"]),
        "token": token,
        "person": person,
        "respondents": listed,
        "may_answer": may_answer or (caller.operator and not listed),
        "operator": caller.operator,
        "your_vote": vote,
        "needed": people.needed_approvals(event) if rules.takes_votes(event) else None,
        "outcome": outcome,
        "value_text": typed,
        "error": error,
        "comment_text": comment or "",
        "max_comment": rules.MAX_COMMENT,
    }

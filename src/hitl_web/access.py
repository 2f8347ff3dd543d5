"""Who is asking, and what they may open.

A request is identified by, in order:

- the operator key (Authorization: Bearer, or ?token=): every event, recorded
  as "operator";
- a respondent's personal token (p.<id>.<mac>): one event, as that respondent;
- an event's own token: one event, as nobody in particular;
- the header an authenticating proxy sets, when the app is told its name
  (HITL_TRUSTED_USER_HEADER): the person it names, never otherwise.

Tokens are HMACs under the store's key, so a wrong one is refused (403) before
the event is read: a refusal tells nothing of whether the event exists.
Viewing and answering differ: with respondents set, an event's own token shows
the question but answers nothing; only a listed respondent (or the operator)
may answer.
"""

from __future__ import annotations

from typing import Any

from quart import request
from werkzeug.exceptions import BadRequest, Forbidden, Unauthorized

from hitl_async import _operations
from hitl_async._store import Store
from hitl_core import documents, identity, people
from hitl_core.errors import EventNotFound, NotARespondent

from .credentials import Caller, credential_given, is_operator
from .current import services

__all__ = [
    "Caller",
    "answerer",
    "credential",
    "credential_given",
    "inbox_reader",
    "is_operator",
    "open_event",
    "proxy_user",
]

_NO_TOKEN = "a token is required: use the link you were given, or Authorization: Bearer <token>"


def credential() -> str | None:
    """The bearer token, else the ?token= of the URL."""
    return credential_given(request.headers.get("Authorization", ""), request.args.get("token"))


def proxy_user() -> str | None:
    """The user the authenticating proxy names, if the app trusts a header; 400 for
    a header that names nobody a person could be."""
    header = services().trusted_user_header
    if header is None:
        return None
    named = request.headers.get(header, "").strip()
    if not named:
        return None
    try:
        return people.check_person(named)
    except ValueError:
        raise BadRequest(f"the {header} header does not name a user") from None


async def open_event(
    store: Store,
    api_key: str | None,
    request_id: Any,
    given: str | None,
    *,
    changes: bool = False,
) -> tuple[dict[str, Any], Caller]:
    """The event document, if request_id is an id and the caller may open it, and who
    the caller is.

    400 for a malformed id, 401 without a credential, 403 for a wrong one or for a
    proxy's user whom the event does not name (whether or not it exists), then 404
    (EventNotFound) if the event does not exist. A request that changes the event
    (changes=True) needs a token even from the proxy's user: the form they were
    shown carries one, and a page on another site cannot know it.
    """
    if not identity.is_valid_request_id(request_id):
        raise BadRequest("request_id is not a valid event id")
    person = proxy_user()
    if is_operator(api_key, given):
        return await _operations.read_event(store, request_id), Caller(operator=True)
    if given is None:
        if person is None:
            raise Unauthorized(_NO_TOKEN)
        if changes:
            raise Forbidden("send the token of the form or link you were given")
        try:
            event = await _operations.read_event(store, request_id)
        except EventNotFound:
            event = {}
        if person not in people.respondents_at(event, documents.utc_now()):
            raise Forbidden("you may not open this event")
        return event, Caller(person=person)
    secret = await store.existing_secret()
    if secret is None:
        raise Forbidden("this token does not open this event")
    holder = identity.personal_token_holder(secret, request_id, given)
    if holder is not None:
        if person is not None and person != holder:
            raise Forbidden("this link is another person's")
        return await _operations.read_event(store, request_id), Caller(person=holder)
    if not identity.opens_event(secret, request_id, given):
        raise Forbidden("this token does not open this event")
    return await _operations.read_event(store, request_id), Caller(person=person)


def answerer(event: dict[str, Any], caller: Caller) -> str | None:
    """Who an answer from caller is recorded as, or NotARespondent (403) if the event
    names its respondents and caller is not one of them."""
    if caller.operator:
        return "operator"
    if not people.may_answer(event, caller.person):
        raise NotARespondent(event["request_id"], caller.person)
    return caller.person


async def inbox_reader(store: Store, api_key: str | None, given: str | None) -> Caller:
    """Whose inbox a request opens: the operator's (every event), or a respondent's
    (their inbox token, or the proxy's header). 401 without either, 403 for a forged
    or foreign token."""
    if is_operator(api_key, given):
        return Caller(operator=True)
    person = proxy_user()
    if given is None:
        if person is None:
            raise Unauthorized("an inbox link, or the operator key, is required")
        return Caller(person=person)
    secret = await store.existing_secret()
    holder = None if secret is None else identity.inbox_token_holder(secret, given)
    if holder is None:
        raise Forbidden("this link opens no inbox")
    if person is not None and person != holder:
        raise Forbidden("this inbox is another person's")
    return Caller(person=holder)

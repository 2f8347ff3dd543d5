"""The routes. Every event route needs the event's token or a respondent's
personal token (?token=, a "token" field, or "Authorization: Bearer"), the
operator key, or the user an authenticating proxy names (access.py).

    GET  /health                      liveness, no token
    GET  /                            landing page
    GET  /inbox                       the events a person may answer, or every event for
                                      the operator: a page, as HTML or JSON (?state=, ?page=)
    GET  /events                      the operator's inbox as JSON (operator key only)
    GET  /form/<request_id>           the HTML form
    POST /submit                      the form's submission (fields request_id, value, token)
    POST /submit/json                 JSON {"request_id", "value"[, "data_type", "response_path"]}
    GET  /status/<request_id>         JSON status
    GET  /events/<request_id>/wait    JSON status once the event closes, or after ?timeout=
    POST /events/wait                 which of many events closed, once one has (their tokens)
    POST /events/<request_id>/cancel  cancel a pending event

A GET never changes state. Errors are raised, and app.py turns them into replies.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
from typing import Any

from quart import Blueprint, Response, request
from werkzeug.exceptions import BadRequest, Forbidden, TooManyRequests, Unauthorized

from hitl_async import _listing, _operations
from hitl_async._waiting import OutcomeFeed, outcome_of
from hitl_core import codec, identity, rules, strict_json
from hitl_core.documents import utc_now
from hitl_core.errors import InvalidValue, StoreUnavailable
from hitl_core.status import DEFAULT_PER_PAGE, LIST_STATES, MAX_PER_PAGE

from . import access, forms, pages
from .current import services
from .replies import json_reply, prefers_json
from .services import Services
from .views import chosen, described, form_context, health_of, same_location

__all__ = ["routes"]

routes = Blueprint("routes", __name__)
log = logging.getLogger("hitl")

MAX_LONG_POLL_SECONDS = 60.0
# Events one long-poll may watch (POST /events/wait): each is about 120 bytes of body.
MAX_WAIT_EVENTS = 400
# Reads of outcomes one such long-poll makes at a time (the first hold of its events).
FIRST_READS_AT_ONCE = 16
DEFAULT_LONG_POLL_SECONDS = 30.0


@routes.get("/health")
async def health() -> Response:
    return json_reply(200, health_of(services()))


@routes.get("/")
async def index() -> str:
    return pages.render("index.html")


@routes.get("/inbox")
async def inbox() -> Response | str:
    """A page of an inbox: HTML for a browser, JSON for a client that asks for it."""
    shared = services()
    caller = await access.inbox_reader(shared.store, shared.api_key, access.credential())
    page = await _inbox_page(caller)
    if prefers_json():
        return json_reply(200, page)
    # The page's own links carry the respondent's inbox token, minted here: never the
    # credential it was opened with (an operator key stays out of the page).
    link_token = None
    if caller.person is not None and access.credential() is not None:
        link_token = identity.inbox_token(await shared.store.secret(), caller.person)
    return pages.render("inbox.html", page=page, caller=caller, link_token=link_token)


@routes.get("/events")
async def list_events() -> Response:
    """The operator's inbox as JSON: every event, newest first, a page at a time."""
    given = access.credential()
    if given is None:
        raise Unauthorized("the operator key is required: Authorization: Bearer <key>")
    if not access.is_operator(services().api_key, given):
        raise Forbidden("only the operator key lists events")
    return json_reply(200, await _inbox_page(access.Caller(operator=True), default_state="all"))


@routes.get("/form/<request_id>")
async def form(request_id: str) -> str:
    event, caller = await _open(request_id, access.credential())
    outcome = await services().store.read_outcome(request_id)
    return await _form_page(event, caller, outcome=rules.effective(event, outcome, utc_now()))


@routes.post("/submit")
async def submit_form() -> tuple[str, int]:
    fields = await request.form
    request_id = fields.get("request_id", "")
    given = fields.get("token") or access.credential()
    event, caller = await _open(request_id, given, changes=True)
    comment = fields.get("comment")
    widgets = forms.widgets_for(event["type"]) if "fields" in fields else None
    if widgets is not None:  # a form of fields: read them, and keep them to show again
        typed, readable = forms.collect(widgets, fields)
        if not readable:
            page = await _form_page(event, caller, widgets=widgets, comment=comment)
            return page, 422
    else:
        typed = fields.get("value", rules.MISSING)
        if event["type"]["kind"] == "choice":
            typed = chosen(event["type"], typed)
    try:
        answer = await _answer(event, caller, typed, via="form", comment=comment)
    except InvalidValue as exc:
        error: str | None = str(exc)
        if widgets is not None:
            spec = services().runtime.live_type(request_id)
            misfits = codec.field_errors(event["type"], typed, spec)
            error = "; ".join(forms.place_errors(widgets, misfits)) or None
            if error is None and not misfits:
                error = str(exc)
        shown = "" if typed is rules.MISSING or widgets is not None else typed
        page = await _form_page(
            event, caller, typed=shown, error=error, comment=comment, widgets=widgets
        )
        return page, 422
    return pages.render("result.html", status=200, body=answer), 200


@routes.post("/submit/json")
async def submit_json() -> Response:
    try:
        # The body is an object around the value: one level more than a value may take.
        body = strict_json.loads(
            await request.get_data(as_text=False), max_depth=strict_json.MAX_DEPTH + 1
        )
    except ValueError as exc:
        raise BadRequest(f"the body is not standard JSON: {exc}") from None
    if not isinstance(body, dict) or "value" not in body:
        raise BadRequest('send a JSON object like {"request_id": "...", "value": ...}')
    request_id = body.get("request_id")
    token = body.get("token") if isinstance(body.get("token"), str) else None
    given = token or access.credential()
    event, caller = await _open(request_id, given, changes=True)
    # Checked once the token opened the event: where the store is, is not for strangers.
    response_path = body.get("response_path")
    own_path = services().store.outcome_location(event["request_id"])
    if response_path is not None and not same_location(response_path, own_path):
        raise BadRequest("response_path is chosen by the server; omit it or send the event's own")
    # The operator's tools say where an answer came from (hitl answer: "cli").
    via = "cli" if caller.operator and body.get("via") == "cli" else "api"
    answer = await _answer(event, caller, body["value"], via=via, comment=body.get("comment"))
    return json_reply(200, answer)


@routes.get("/status/<request_id>")
async def status(request_id: str) -> Response:
    event, _ = await _open(request_id, access.credential())
    _, outcome = await _operations.look(services().store, request_id)
    return json_reply(200, await _described(event, outcome))


@routes.get("/events/<request_id>/wait")
async def wait(request_id: str) -> Response:
    shared = services()
    event, _ = await _open(request_id, access.credential())
    timeout = _long_poll_timeout(request.args.get("timeout"))
    if shared.holds.full(request_id):
        raise TooManyRequests("too many long-polls are held; retry shortly or read /status")
    known = shared.store.known_outcome(request_id)
    if known is not None:  # an outcome never changes: no need to look again
        return json_reply(200, _describe(event, known))
    held = max(0.0, min(timeout, rules.seconds_left(event, utc_now())))
    with shared.holds.holding(request_id):
        # A renewed hold of an event the change feed knows pending reads nothing.
        outcome = await outcome_of(
            shared.store,
            request_id,
            until=time.monotonic() + held,
            poll_interval=shared.poll_interval,
            trust_feed=True,
        )
    return json_reply(200, _describe(event, outcome))


@routes.post("/events/wait")
async def wait_many() -> Response:
    """Which of many events have an outcome: at once if some have, else as soon as one
    has, or after the timeout. A process waiting on many events holds one of these for
    up to MAX_WAIT_EVENTS of them, not a connection each.

    Body: {"events": [{"request_id", "token"}, ...], "timeout": seconds}; every token
    must be its event's own (403 for the whole request otherwise, before anything is
    read). Reply: {"closed": [request_id, ...]}. Nothing of the events is read here;
    the waiters read their outcomes themselves.
    """
    shared = services()
    try:
        body = strict_json.loads(await request.get_data(as_text=False))
    except ValueError as exc:
        raise BadRequest(f"the body is not standard JSON: {exc}") from None
    listed = body.get("events") if isinstance(body, dict) else None
    if not isinstance(listed, list) or not 1 <= len(listed) <= MAX_WAIT_EVENTS:
        raise BadRequest(
            f'send {{"events": [{{"request_id", "token"}}, ...]}} with 1 to {MAX_WAIT_EVENTS}'
        )
    timeout = _long_poll_timeout(None if body.get("timeout") is None else str(body["timeout"]))
    secret = await shared.store.existing_secret()
    request_ids = []
    for item in listed:
        request_id = item.get("request_id") if isinstance(item, dict) else None
        token = item.get("token") if isinstance(item, dict) else None
        if not identity.is_valid_request_id(request_id) or not isinstance(token, str):
            raise BadRequest('each event is {"request_id": ..., "token": ...}')
        if secret is None or not identity.opens_event(secret, request_id, token):
            raise Forbidden("a token does not open its event")
        request_ids.append(request_id)
    unique = list(dict.fromkeys(request_ids))
    known = [rid for rid in unique if shared.store.known_outcome(rid) is not None]
    if known or timeout == 0:
        return json_reply(200, {"closed": known})
    if any(shared.holds.full(rid) for rid in unique):
        raise TooManyRequests("too many long-polls are held; retry shortly or read /status")
    with contextlib.ExitStack() as holding:
        for rid in unique:
            holding.enter_context(shared.holds.holding(rid))
        closed = await _first_outcomes(shared, unique, time.monotonic() + timeout)
    return json_reply(200, {"closed": closed})


async def _first_outcomes(shared: Services, request_ids: list[str], until: float) -> list[str]:
    """The ids whose outcome is stored first (or by until).

    First every event that the change feed does not know pending is read, all of
    them to the end (a read cut short would be made again by the next hold), a few
    at a time; if none has an outcome, each is watched as a single long-poll
    watches one (the feed, this process's wake-ups), which then costs nothing
    until something changes.
    """
    feed = OutcomeFeed.of(shared.store)
    unknown = [rid for rid in request_ids if not feed.known_pending(rid)]
    limit = asyncio.Semaphore(FIRST_READS_AT_ONCE)

    async def read(request_id: str) -> bool:
        async with limit:
            try:
                return await feed.read(request_id) is not None
            except StoreUnavailable:  # its watch retries, and says so
                return False

    found = await asyncio.gather(*(read(rid) for rid in unknown))
    closed = [rid for rid, has in zip(unknown, found, strict=True) if has]
    if closed:
        return closed

    async def watch(request_id: str) -> bool:
        outcome = await outcome_of(
            shared.store,
            request_id,
            until=until,
            poll_interval=shared.poll_interval,
            trust_feed=True,
        )
        return outcome is not None

    watches = {asyncio.ensure_future(watch(rid)): rid for rid in request_ids}
    try:
        await asyncio.wait(watches, return_when=asyncio.FIRST_COMPLETED)
        await asyncio.sleep(0)  # outcomes stored together are told together
        return [watches[task] for task in watches if task.done() and task.result()]
    finally:
        for task in watches:
            task.cancel()
        await asyncio.gather(*watches, return_exceptions=True)


@routes.post("/events/<request_id>/cancel")
async def cancel(request_id: str) -> Response:
    event, caller = await _open(request_id, access.credential(), changes=True)
    access.answerer(event, caller)  # with respondents, only they (or the operator) may
    standing = await _operations.cancel(services().store, request_id, via="api", event=event)
    return json_reply(200, _describe(event, standing))


async def _open(
    request_id: Any, given: str | None, *, changes: bool = False
) -> tuple[dict[str, Any], access.Caller]:
    shared = services()
    return await access.open_event(shared.store, shared.api_key, request_id, given, changes=changes)


async def _answer(
    event: dict[str, Any], caller: access.Caller, value: Any, *, via: str, comment: Any
) -> dict[str, Any]:
    """Store the answer, or a respondent's vote on an approval (the rules decide), and
    describe it; the Python type of an event of this process validates too.

    It is recorded as the operator's, the respondent's, or (an event without
    respondents, answered through its link) nobody's in particular. The operator's
    answer decides an approval outright.
    """
    shared = services()
    request_id = event["request_id"]
    by = access.answerer(event, caller)
    if rules.takes_votes(event) and not caller.operator:
        assert by is not None  # a listed respondent
        vote, outcome = await _operations.vote(
            shared.store, event, value, person=by, via=via, comment=comment
        )
        body = await _described(event, outcome)
        body.update(status="submitted", vote=_public_vote(vote))
        return body
    answer = await _operations.answer(
        shared.store,
        request_id,
        value,
        via=via,
        spec=shared.runtime.live_type(request_id),
        event=event,
        by=by,
        comment=comment,
    )
    body = await _described(event, answer)
    body["status"] = "submitted"
    return body


def _describe(event: dict[str, Any], outcome: dict[str, Any] | None) -> dict[str, Any]:
    return described(services().store, event, outcome)


async def _described(event: dict[str, Any], outcome: dict[str, Any] | None) -> dict[str, Any]:
    """_describe(), with the votes cast on an approval with respondents, and the
    notifications not delivered."""
    store = services().store
    body = _describe(event, outcome)
    if rules.takes_votes(event):
        votes = await store.read_votes(event["request_id"])
        body["votes"] = [_public_vote(v) for v in sorted(votes, key=lambda v: v["at"])]
    undelivered = await store.undelivered(event)
    if undelivered:
        body["undelivered"] = undelivered
    return body


def _public_vote(vote: dict[str, Any]) -> dict[str, Any]:
    fields = ("by", "approved", "comment", "at", "via", "question_sha256")
    return {field: vote.get(field) for field in fields}


def _page_argument(name: str, default: int, largest: int) -> int:
    given = request.args.get(name)
    if given is None:
        return default
    if not given.isascii() or not given.isdigit() or not 1 <= int(given) <= largest:
        raise BadRequest(f"{name} must be a whole number from 1 to {largest}")
    return int(given)


async def _inbox_page(caller: access.Caller, default_state: str = "pending") -> dict[str, Any]:
    """A page of the caller's inbox as JSON: each event's status, and the link that
    answers it as the caller (a respondent's own; the event's for the operator)."""
    state = request.args.get("state", default_state)
    if state not in LIST_STATES:
        raise BadRequest(f"state must be one of: {', '.join(LIST_STATES)}")
    number = _page_argument("page", 1, 1_000_000)
    per_page = _page_argument("per_page", DEFAULT_PER_PAGE, MAX_PER_PAGE)
    store = services().store
    person = None if caller.operator else caller.person
    page = await _listing.page_of(
        store, person, state=state, number=number, per_page=per_page, now=utc_now()
    )
    secret = await store.secret()
    listed = []
    for event, outcome in page.events:
        body = _describe(event, outcome)
        request_id = event["request_id"]
        if person is None:
            token = identity.event_token(secret, request_id)
        else:
            token = identity.personal_token(secret, request_id, person)
            if rules.takes_votes(event):
                vote = await store.read_vote(request_id, person)
                body["your_vote"] = None if vote is None else _public_vote(vote)
        body["form_url"] = f"{request.url_root}form/{request_id}?token={token}"
        listed.append(body)
    return {
        "events": listed,
        "for": "operator" if person is None else person,
        "state": state,
        "page": number,
        "per_page": per_page,
        "next_page": number + 1 if page.more else None,
    }


def _long_poll_timeout(given: str | None) -> float:
    """Seconds a long-poll may be held; 400 unless a number from 0 to the maximum."""
    if given is None:
        return DEFAULT_LONG_POLL_SECONDS
    try:
        seconds = float(given)
    except ValueError:
        seconds = math.nan
    if not math.isfinite(seconds) or not 0 <= seconds <= MAX_LONG_POLL_SECONDS:
        raise BadRequest(f"timeout must be a number of seconds from 0 to {MAX_LONG_POLL_SECONDS:g}")
    return seconds


async def _form_page(
    event: dict[str, Any],
    caller: access.Caller,
    *,
    outcome: dict[str, Any] | None = None,
    typed: str = "",
    error: str | None = None,
    comment: str | None = None,
    widgets: list[forms.Widget] | None = None,
) -> str:
    """The form of an event, or its standing outcome if it has one (form_context())."""
    context = await form_context(
        services().store,
        event,
        caller,
        outcome=outcome,
        typed=typed,
        error=error,
        comment=comment,
        widgets=widgets,
    )
    return pages.render("form.html", **context)

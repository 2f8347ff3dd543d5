"""The routes. Every event route needs the event's token (?token=, a "token"
field, or "Authorization: Bearer"), or the operator key.

    GET  /health                      liveness, no token
    GET  /                            landing page; pending events for the operator
    GET  /events                      JSON list of events (operator key only)
    GET  /form/<request_id>           the HTML form
    POST /submit                      the form's submission (fields request_id, value, token)
    POST /submit/json                 JSON {"request_id", "value"[, "data_type", "response_path"]}
    GET  /status/<request_id>         JSON status
    GET  /events/<request_id>/wait    JSON status once the event closes, or after ?timeout=
    POST /events/<request_id>/cancel  cancel a pending event

A GET never changes state. Errors are raised, and app.py turns them into replies.
"""

from __future__ import annotations

import json
import logging
import math
import time
from typing import Any

from quart import Blueprint, Response, render_template, request
from werkzeug.exceptions import BadRequest, Forbidden, TooManyRequests, Unauthorized

from hitl_async import _operations
from hitl_async._waiting import outcome_of
from hitl_core import documents, identity, markdown, rules, strict_json
from hitl_core.documents import utc_now
from hitl_core.errors import InvalidValue, StoreError
from hitl_core.status import describe
from hitl_core.storage import store_fingerprint

from . import access
from .replies import json_reply
from .services import services

__all__ = ["routes"]

routes = Blueprint("routes", __name__)
log = logging.getLogger("hitl")

MAX_LONG_POLL_SECONDS = 60.0
DEFAULT_LONG_POLL_SECONDS = 30.0


@routes.get("/health")
async def health() -> Response:
    """Liveness, the store served (a fingerprint), and the long-polls held now."""
    shared = services()
    return json_reply(
        200,
        {
            "status": "ok",
            "store": store_fingerprint(shared.store.url),
            "long_polls": shared.holds.total,
        },
    )


@routes.get("/")
async def index() -> str:
    shared = services()
    pending: list[dict[str, Any]] | None = None
    if access.is_operator(shared.api_key, access.credential()):
        listed = await _list_events()
        pending = [e for e in listed if e["status"] == documents.PENDING]
    return await render_template("index.html", pending=pending)


@routes.get("/events")
async def list_events() -> Response:
    given = access.credential()
    if given is None:
        raise Unauthorized("the operator key is required: Authorization: Bearer <key>")
    if not access.is_operator(services().api_key, given):
        raise Forbidden("only the operator key lists events")
    return json_reply(200, {"events": await _list_events()})


@routes.get("/form/<request_id>")
async def form(request_id: str) -> str:
    event = await _open(request_id, access.credential())
    outcome = await services().store.read_outcome(request_id)
    return await _form_page(event, outcome=rules.effective(event, outcome, utc_now()))


@routes.post("/submit")
async def submit_form() -> tuple[str, int]:
    fields = await request.form
    request_id = fields.get("request_id", "")
    given = fields.get("token") or access.credential()
    event = await _open(request_id, given)
    typed = fields.get("value", rules.MISSING)
    comment = fields.get("comment")
    try:
        answer = await _answer(event, typed, via="form", given=given, comment=comment)
    except InvalidValue as exc:
        shown = "" if typed is rules.MISSING else typed
        return await _form_page(event, typed=shown, error=str(exc), comment=comment), 422
    return await render_template("result.html", status=200, body=answer), 200


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
    event = await _open(request_id, given)
    # Checked once the token opened the event: where the store is, is not for strangers.
    response_path = body.get("response_path")
    own_path = services().store.outcome_location(event["request_id"])
    if response_path is not None and not _same_location(response_path, own_path):
        raise BadRequest("response_path is chosen by the server; omit it or send the event's own")
    answer = await _answer(
        event, body["value"], via="api", given=given, comment=body.get("comment")
    )
    return json_reply(200, answer)


@routes.get("/status/<request_id>")
async def status(request_id: str) -> Response:
    event = await _open(request_id, access.credential())
    outcome = await services().store.read_outcome(request_id)
    return json_reply(200, _describe(event, outcome))


@routes.get("/events/<request_id>/wait")
async def wait(request_id: str) -> Response:
    shared = services()
    event = await _open(request_id, access.credential())
    timeout = _long_poll_timeout(request.args.get("timeout"))
    if shared.holds.full(request_id):
        raise TooManyRequests("too many long-polls are held; retry shortly or read /status")
    held = max(0.0, min(timeout, rules.seconds_left(event, utc_now())))
    with shared.holds.holding(request_id):
        outcome = await outcome_of(
            shared.store,
            request_id,
            until=time.monotonic() + held,
            poll_interval=shared.poll_interval,
        )
    return json_reply(200, _describe(event, outcome))


@routes.post("/events/<request_id>/cancel")
async def cancel(request_id: str) -> Response:
    event = await _open(request_id, access.credential())
    standing = await _operations.cancel(services().store, request_id, via="api", event=event)
    return json_reply(200, _describe(event, standing))


async def _open(request_id: Any, given: str | None) -> dict[str, Any]:
    shared = services()
    return await access.open_event(shared.store, shared.api_key, request_id, given)


async def _answer(
    event: dict[str, Any], value: Any, *, via: str, given: str | None, comment: Any
) -> dict[str, Any]:
    """Store the answer (the rules decide) and describe it; the Python type of an
    event of this process validates too. Who answered is known for the operator key;
    the holder of an event's link is not named."""
    shared = services()
    request_id = event["request_id"]
    answer = await _operations.answer(
        shared.store,
        request_id,
        value,
        via=via,
        spec=shared.runtime.live_type(request_id),
        event=event,
        by="operator" if access.is_operator(shared.api_key, given) else None,
        comment=comment,
    )
    body = _describe(event, answer)
    body["status"] = "submitted"
    return body


def _describe(event: dict[str, Any], outcome: dict[str, Any] | None) -> dict[str, Any]:
    store = services().store
    location = store.outcome_location(event["request_id"])
    return describe(event, outcome, now=utc_now(), response_path=location)


async def _list_events() -> list[dict[str, Any]]:
    store = services().store
    listed = []
    for request_id in await store.list_events():
        if not identity.is_valid_request_id(request_id):
            continue
        try:
            event = await store.read_event(request_id)
            if event is not None:
                listed.append(_describe(event, await store.read_outcome(request_id)))
        except StoreError as exc:
            log.warning("hitl: skipping %s: %s", request_id, exc)
    return listed


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


def _same_location(given: Any, own: str) -> bool:
    if not isinstance(given, str):
        return False
    given = given.removeprefix("file://").rstrip("/")
    return bool(given == own.removeprefix("file://").rstrip("/"))


def _choice_labels(description: dict[str, Any]) -> list[tuple[str, str]]:
    choices = description.get("choices") or []
    return [(c if isinstance(c, str) else json.dumps(c), str(c)) for c in choices]


async def _form_page(
    event: dict[str, Any],
    *,
    outcome: dict[str, Any] | None = None,
    typed: str = "",
    error: str | None = None,
    comment: str | None = None,
) -> str:
    """The form of an event, or its standing outcome if it has one.

    The form carries the event's own token, minted here: never the credential
    the page was opened with (an operator key stays out of the page).
    """
    secret = await services().store.secret()
    return await render_template(
        "form.html",
        event=event,
        prompt_html=markdown.to_html(event["prompt"]),
        kind=event["type"]["kind"],
        choices=_choice_labels(event["type"]),
        token=identity.event_token(secret, event["request_id"]),
        outcome=outcome,
        value_text=typed,
        error=error,
        comment_text=comment or "",
        max_comment=rules.MAX_COMMENT,
    )

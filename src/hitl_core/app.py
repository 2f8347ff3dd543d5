"""The web app: a form per event and a JSON API, built by create_app().

Routes (every event route needs the event's token, as ?token=, a "token" field
or "Authorization: Bearer", or the operator key):

    GET  /health                    liveness, no token
    GET  /                          landing page; pending events for the operator
    GET  /events                    JSON list of events (operator key only)
    GET  /form/<request_id>         the HTML form
    POST /submit                    the form's submission (fields request_id, value, token)
    POST /submit/json               JSON {"request_id", "value"[, "data_type", "response_path"]}
    GET  /status/<request_id>       JSON status
    GET  /events/<request_id>/wait  JSON status once the event closes, or after ?timeout=
    POST /events/<request_id>/cancel  cancel a pending event

A GET never changes state. Runs on asyncio only.
"""

from __future__ import annotations

import collections
import contextlib
import hmac
import json
import logging
import math
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from quart import Quart, Response, render_template, request
from werkzeug.exceptions import RequestEntityTooLarge

from hitl_async._store import Store, open_store
from hitl_async._waiting import outcome_of

from . import codec, documents, identity
from .errors import InvalidValue, StoreError
from .storage import store_fingerprint

__all__ = ["MAX_BODY_BYTES", "create_app"]

MAX_BODY_BYTES = 64 * 1024
MAX_LONG_POLL_SECONDS = 60.0
DEFAULT_LONG_POLL_SECONDS = 30.0
# How often a long-poll looks for outcomes that other replicas stored.
LONG_POLL_STORE_INTERVAL = 1.0
# Long-polls held at once, per event and in all: a token cannot tie up the server.
MAX_HOLDS_PER_EVENT = 8
MAX_HOLDS = 10_000
_SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


@dataclass
class Reply:
    """An outcome of a request, rendered as JSON or HTML by the caller."""

    status: int
    body: dict[str, Any]


def create_app(
    store_url: str,
    *,
    api_key: str | None = None,
    s3_endpoint_url: str | None = None,
    poll_interval: float = LONG_POLL_STORE_INTERVAL,
) -> Quart:
    """Build the app over one store.

    api_key, if set, is the operator's bearer key; s3_endpoint_url points an
    s3:// store at an S3-compatible server; long-polls look for outcomes stored
    by other replicas every poll_interval seconds.
    """
    app = Quart("hitl_core")
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY_BYTES
    app.config["MAX_FORM_MEMORY_SIZE"] = MAX_BODY_BYTES
    app.config["BODY_TIMEOUT"] = 30
    store = open_store(store_url, s3_endpoint_url=s3_endpoint_url)
    handler = _Handler(store, api_key)
    holds = _Holds()

    @app.after_request
    async def secure(response: Response) -> Response:
        response.headers.update(_SECURITY_HEADERS)
        return response

    @app.errorhandler(RequestEntityTooLarge)
    async def too_large(_: Exception) -> Response:
        return _json(Reply(413, {"status": "too_large", "detail": _too_large_detail()}))

    @app.errorhandler(StoreError)
    async def store_failed(exc: Exception) -> Response:
        app.logger.error("store error: %s", exc)
        detail = "the event store is unavailable; nothing was changed, try again shortly"
        return _json(Reply(503, {"status": "unavailable", "detail": detail}))

    @app.get("/health")
    async def health() -> Response:
        return _json(Reply(200, {"status": "ok", "store": store_fingerprint(store.url)}))

    @app.get("/")
    async def index() -> str:
        pending: list[dict[str, Any]] | None = None
        if handler.is_operator():
            pending = [e for e in await handler.list_events() if e["status"] == documents.PENDING]
        return await render_template("index.html", pending=pending)

    @app.get("/events")
    async def list_events() -> Response:
        if not handler.is_operator():
            return _json(_auth_reply(has_credential=handler.credential() is not None))
        return _json(Reply(200, {"events": await handler.list_events()}))

    @app.get("/form/<request_id>")
    async def form(request_id: str) -> tuple[str, int]:
        reply, event = await handler.authorize(request_id, handler.credential())
        if event is None:
            return await _page(reply), reply.status
        outcome = handler.effective(event, await store.read_outcome(request_id))
        return await _form_page(event, handler.credential(), outcome=outcome), 200

    @app.post("/submit")
    async def submit_form() -> tuple[str, int]:
        fields = await request.form
        request_id = fields.get("request_id", "")
        token = fields.get("token") or handler.credential()
        raw_value = fields.get("value", MISSING)
        reply = await handler.submit(request_id, token, raw_value, via="form")
        if reply.status == 422:
            event = await store.read_event(request_id)
            if event is not None:
                typed = "" if raw_value is MISSING else raw_value
                return await _form_page(event, token, typed=typed, error=reply.body["detail"]), 422
        return await _page(reply), reply.status

    @app.post("/submit/json")
    async def submit_json() -> Response:
        body = _parse_json(await request.get_data(as_text=False))
        if not isinstance(body, dict) or "value" not in body:
            detail = 'send a JSON object like {"request_id": "...", "value": ...}'
            return _json(Reply(400, {"status": "bad_request", "detail": detail}))
        request_id = body.get("request_id")
        if not isinstance(request_id, str):
            return _json(_bad_id())
        response_path = body.get("response_path")
        if response_path is not None and not (
            identity.is_valid_request_id(request_id)
            and _same_location(response_path, store.outcome_location(request_id))
        ):
            detail = "response_path is chosen by the server; omit it or send the event's own"
            return _json(Reply(400, {"status": "bad_request", "detail": detail}))
        token = body.get("token") if isinstance(body.get("token"), str) else None
        return _json(
            await handler.submit(
                request_id, token or handler.credential(), body["value"], via="api"
            )
        )

    @app.get("/status/<request_id>")
    async def status(request_id: str) -> Response:
        reply, event = await handler.authorize(request_id, handler.credential())
        if event is None:
            return _json(reply)
        outcome = await store.read_outcome(request_id)
        return _json(Reply(200, handler.describe(event, outcome)))

    @app.get("/events/<request_id>/wait")
    async def wait(request_id: str) -> Response:
        reply, event = await handler.authorize(request_id, handler.credential())
        if event is None:
            return _json(reply)
        timeout = _long_poll_timeout(request.args.get("timeout"))
        if timeout is None:
            detail = f"timeout must be a number of seconds from 0 to {MAX_LONG_POLL_SECONDS:g}"
            return _json(Reply(400, {"status": "bad_request", "detail": detail}))
        if holds[request_id] >= MAX_HOLDS_PER_EVENT or holds.total >= MAX_HOLDS:
            detail = "too many long-polls are held; retry shortly or read /status"
            response = _json(Reply(429, {"status": "too_many", "detail": detail}))
            response.headers["Retry-After"] = "1"
            return response
        held = max(0.0, min(timeout, documents.seconds_left(event)))
        with holds.holding(request_id):
            outcome = await outcome_of(
                store, request_id, until=time.monotonic() + held, poll_interval=poll_interval
            )
        return _json(Reply(200, handler.describe(event, outcome)))

    @app.post("/events/<request_id>/cancel")
    async def cancel(request_id: str) -> Response:
        reply, event = await handler.authorize(request_id, handler.credential())
        if event is None:
            return _json(reply)
        cancelled = documents.outcome_document(request_id, documents.CANCELLED, via="api")
        standing = await store.write_outcome(cancelled)
        if standing["state"] == documents.CANCELLED:
            return _json(Reply(200, handler.describe(event, standing)))
        return _json(handler.refused(event, standing))

    return app


class _Holds:
    """The long-polls this app holds, per event and in all (one event loop, no lock)."""

    def __init__(self) -> None:
        self._per_event: collections.Counter[str] = collections.Counter()
        self.total = 0

    def __getitem__(self, request_id: str) -> int:
        return self._per_event[request_id]

    @contextlib.contextmanager
    def holding(self, request_id: str) -> Iterator[None]:
        self._per_event[request_id] += 1
        self.total += 1
        try:
            yield
        finally:
            self.total -= 1
            self._per_event[request_id] -= 1
            if not self._per_event[request_id]:
                del self._per_event[request_id]


class _Handler:
    """The checks every route shares: credentials, ids, events, submissions."""

    def __init__(self, store: Store, api_key: str | None) -> None:
        self.store = store
        self.api_key = api_key

    def credential(self) -> str | None:
        header = request.headers.get("Authorization", "")
        if header.lower().startswith("bearer "):
            return header[7:].strip() or None
        token = request.args.get("token")
        return token or None

    def is_operator(self, credential: str | None = None) -> bool:
        given = credential or self.credential()
        return bool(
            self.api_key and given and hmac.compare_digest(given.encode(), self.api_key.encode())
        )

    async def authorize(
        self, request_id: str, credential: str | None
    ) -> tuple[Reply, dict[str, Any] | None]:
        """The event, if the id is valid, it exists and the credential opens it."""
        if not identity.is_valid_request_id(request_id):
            return _bad_id(), None
        if credential is None:
            return _auth_reply(has_credential=False), None
        event = await self.store.read_event(request_id)
        if event is None:
            return Reply(
                404, {"status": "not_found", "request_id": request_id, "detail": "no such event"}
            ), None
        if self.is_operator(credential) or identity.tokens_match(credential, event["token_hash"]):
            return Reply(200, {}), event
        return _auth_reply(has_credential=True), None

    async def submit(
        self, request_id: Any, credential: str | None, raw_value: Any, *, via: str
    ) -> Reply:
        reply, event = await self.authorize(request_id, credential)
        if event is None:
            return reply
        outcome = await self.store.read_outcome(request_id)
        if documents.expired_by_deadline(event, outcome):
            expired = documents.outcome_document(request_id, documents.EXPIRED, via="deadline")
            outcome = await self.store.write_outcome(expired)
        if outcome is not None:
            return self.refused(event, outcome)
        if raw_value is MISSING:
            return Reply(
                422,
                {"status": "invalid", "request_id": request_id, "detail": "a value is required"},
            )
        try:
            value = codec.validate_answer(event["type"], raw_value, codec.local_spec(request_id))
        except InvalidValue as exc:
            return Reply(422, {"status": "invalid", "request_id": request_id, "detail": str(exc)})
        answer = documents.outcome_document(
            request_id,
            documents.ANSWERED,
            value=value,
            via=via,
            type_name=event["type"]["type_name"],
        )
        standing = await self.store.write_outcome(answer)
        if standing is not answer:
            return self.refused(event, standing)
        body = self.describe(event, standing)
        body["status"] = "submitted"
        return Reply(200, body)

    def refused(self, event: dict[str, Any], outcome: dict[str, Any]) -> Reply:
        body = self.describe(event, outcome)
        if outcome["state"] == documents.ANSWERED:
            body["detail"] = "this event was already answered; the first answer stands"
            return Reply(409, body)
        body["detail"] = f"this event is {outcome['state']} and takes no answer"
        return Reply(410, body)

    @staticmethod
    def effective(event: dict[str, Any], outcome: dict[str, Any] | None) -> dict[str, Any] | None:
        """The outcome, or an unrecorded expiry if the event is past its deadline."""
        if documents.expired_by_deadline(event, outcome):
            return {"state": documents.EXPIRED, "value": None, "at": event.get("expires_at")}
        return outcome

    def describe(self, event: dict[str, Any], outcome: dict[str, Any] | None) -> dict[str, Any]:
        request_id = event["request_id"]
        outcome = self.effective(event, outcome)
        body: dict[str, Any] = {
            "request_id": request_id,
            "name": event["name"],
            "prompt": event["prompt"],
            "data_type": event["type"]["type_name"],
            "status": outcome["state"] if outcome else documents.PENDING,
            "response_path": self.store.outcome_location(request_id),
            "created_at": event.get("created_at"),
            "expires_at": event.get("expires_at"),
        }
        if outcome is not None:
            body["value"] = outcome.get("value")
            body["answered_at" if outcome["state"] == documents.ANSWERED else "closed_at"] = (
                outcome.get("at")
            )
        return body

    async def list_events(self) -> list[dict[str, Any]]:
        listed = []
        for request_id in await self.store.list_events():
            if not identity.is_valid_request_id(request_id):
                continue
            try:
                event = await self.store.read_event(request_id)
                if event is not None:
                    listed.append(self.describe(event, await self.store.read_outcome(request_id)))
            except StoreError as exc:
                logging.getLogger("hitl").warning("hitl: skipping %s: %s", request_id, exc)
        return listed


MISSING: Any = object()


def _long_poll_timeout(given: str | None) -> float | None:
    """Seconds a long-poll may be held, or None if the request asks for no number."""
    if given is None:
        return DEFAULT_LONG_POLL_SECONDS
    try:
        seconds = float(given)
    except ValueError:
        return None
    if not math.isfinite(seconds) or not 0 <= seconds <= MAX_LONG_POLL_SECONDS:
        return None
    return seconds


def _parse_json(data: str | bytes) -> Any:
    """The JSON body, or MISSING if it is not JSON or nests too deeply to handle."""
    try:
        body = json.loads(data)
    except (ValueError, RecursionError):
        return MISSING
    return MISSING if codec.too_deep(body, codec.MAX_DEPTH + 2) else body


def _same_location(given: Any, own: str) -> bool:
    if not isinstance(given, str):
        return False
    given = given.removeprefix("file://").rstrip("/")
    return bool(given == own.removeprefix("file://").rstrip("/"))


def _bad_id() -> Reply:
    return Reply(400, {"status": "bad_request", "detail": "request_id is not a valid event id"})


def _auth_reply(*, has_credential: bool) -> Reply:
    if has_credential:
        return Reply(403, {"status": "forbidden", "detail": "this token does not open this event"})
    detail = "a token is required: use the link you were given, or Authorization: Bearer <token>"
    return Reply(401, {"status": "unauthorized", "detail": detail})


def _too_large_detail() -> str:
    return f"the request body is larger than {MAX_BODY_BYTES // 1024} KiB"


def _choice_labels(description: dict[str, Any]) -> list[tuple[str, str]]:
    choices = description.get("choices") or []
    return [(c if isinstance(c, str) else json.dumps(c), str(c)) for c in choices]


def _json(reply: Reply) -> Response:
    response = Response(
        json.dumps(reply.body), status=reply.status, content_type="application/json"
    )
    if reply.status == 401:
        response.headers["WWW-Authenticate"] = "Bearer"
    return response


async def _form_page(
    event: dict[str, Any],
    token: str | None,
    *,
    outcome: dict[str, Any] | None = None,
    typed: str = "",
    error: str | None = None,
) -> str:
    """The form of an event, its standing outcome instead if it has one."""
    return await render_template(
        "form.html",
        event=event,
        kind=event["type"]["kind"],
        choices=_choice_labels(event["type"]),
        token=token,
        outcome=outcome,
        value_text=typed,
        error=error,
    )


async def _page(reply: Reply) -> str:
    return await render_template("result.html", status=reply.status, body=reply.body)

"""The requests that carry the load, answered before the framework's request machinery.

For every request Quart builds a request context, a session, a URL adapter and
a response object: about as much work as the HTTP server's own. The busiest
requests need none of it:

    GET  /health              liveness
    GET  /form/<request_id>   the form, opened with the event's own link
    POST /submit/json         an answer to a plain event, through the event's own link

The lane answers such a request only when every rule says yes: the event's
own token, an event that exists, and for an answer a plain event (no
respondents, no notices), a value that fits, and this answer written first.
Anything else (an error to report, a person to identify, the operator key, a
proxy's user) goes on to the routes with the body already read, and they
decide as always: an answer refused here is refused there for the same
reason, from the same rules and the same stored documents, and nothing was
written on the way. The pages are the routes' own: the same context
(views.form_context) in the same template (pages.py).

Nothing here imports the framework: an embedded server serves the lane while
the routes are loaded only when a request first needs them (deferred.py).
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qs

from hypercorn.typing import (
    ASGIReceiveCallable,
    ASGIReceiveEvent,
    ASGISendCallable,
    HTTPResponseStartEvent,
    HTTPScope,
    Scope,
)

from hitl_async import _operations
from hitl_core import identity, rules, strict_json
from hitl_core.documents import utc_now
from hitl_core.errors import HitlError, StoreError

from . import pages
from .credentials import Caller, credential_given, is_operator
from .services import Services
from .views import described, form_context, health_of, same_location
from .wire import BODY_TIMEOUT_SECONDS, MAX_BODY_BYTES, SECURITY_HEADERS, STORE_UNAVAILABLE

__all__ = ["FastLane"]

log = logging.getLogger("hitl")

App = Callable[[Scope, ASGIReceiveCallable, ASGISendCallable], Awaitable[None]]
FORM_PREFIX = "/form/"

_SECURITY = [(name.lower().encode(), value.encode()) for name, value in SECURITY_HEADERS.items()]
_JSON_HEADERS = [(b"content-type", b"application/json"), *_SECURITY]
_HTML_HEADERS = [(b"content-type", b"text/html; charset=utf-8"), *_SECURITY]


class FastLane:
    """ASGI middleware in front of the app's routes (Quart's asgi_app)."""

    def __init__(self, routes: App, shared: Services) -> None:
        self._routes = routes
        self._shared = shared
        self._max_body = MAX_BODY_BYTES
        self._body_timeout = BODY_TIMEOUT_SECONDS

    async def __call__(
        self, scope: Scope, receive: ASGIReceiveCallable, send: ASGISendCallable
    ) -> None:
        if scope["type"] == "http":
            method, path = scope["method"], scope["path"]
            if method == "GET" and path == "/health":
                await _send_json(send, 200, health_of(self._shared))
                return
            if method == "POST" and path == "/submit/json":
                await self._submit_json(scope, receive, send)
                return
            if method == "GET" and path.startswith(FORM_PREFIX):
                page = await self._form(scope, path[len(FORM_PREFIX) :])
                if page is not None:
                    await _send(send, 200, _HTML_HEADERS, page.encode())
                    return
        await self._routes(scope, receive, send)

    async def _form(self, scope: HTTPScope, request_id: str) -> str | None:
        """The form page of an event opened with its own token, or None to hand on."""
        event = await self._opened(request_id, _credential(scope))
        if event is None:
            return None
        store = self._shared.store
        try:
            outcome = await store.read_outcome(request_id)
            holding = rules.effective(event, outcome, utc_now())
            context = await form_context(store, event, Caller(), outcome=holding)
        except HitlError:
            return None
        return pages.render("form.html", **context)

    async def _opened(self, request_id: Any, given: str | None) -> dict[str, Any] | None:
        """The event, if request_id is an id and given is its own token; else None (the
        routes decide). Nothing is read before the token is checked."""
        shared = self._shared
        if shared.trusted_user_header is not None or given is None:
            return None
        if not identity.is_valid_request_id(request_id):
            return None
        if is_operator(shared.api_key, given):
            return None
        try:
            secret = await shared.store.existing_secret()
            if secret is None or not identity.opens_event(secret, request_id, given):
                return None
            return await shared.store.read_event(request_id)
        except HitlError:
            return None

    async def _submit_json(
        self, scope: HTTPScope, receive: ASGIReceiveCallable, send: ASGISendCallable
    ) -> None:
        read: list[ASGIReceiveEvent] = [await receive()]
        first = read[0]
        if first["type"] == "http.request" and not first["more_body"]:
            data: bytes | None = first["body"] if len(first["body"]) <= self._max_body else None
        else:  # a body in parts: read on, within the time a body may take
            try:
                data = await asyncio.wait_for(self._read_body(receive, read), self._body_timeout)
            except asyncio.TimeoutError:
                data = None  # the routes time the body out themselves, and say so
        if data is not None:
            try:
                answered = await self._answer(scope, data)
            except StoreError as exc:
                # Not handed on: the answer may be stored, and trying again would
                # refuse it as someone else's.
                log.error("store error: %s", exc)
                await _send_json(send, 503, dict(STORE_UNAVAILABLE))
                return
            if answered is not None:
                await _send_json(send, 200, answered)
                return
        await self._routes(scope, _replay(read, receive), send)

    async def _read_body(
        self, receive: ASGIReceiveCallable, read: list[ASGIReceiveEvent]
    ) -> bytes | None:
        """The whole body, from the message in read on, or None if it is larger than
        allowed; every message taken is kept in read, to hand on."""
        chunks: list[bytes] = []
        size = 0
        message = read[0]
        while True:
            if message["type"] != "http.request":
                return None
            chunk = message["body"]
            size += len(chunk)
            if size > self._max_body:
                return None
            chunks.append(chunk)
            if not message["more_body"]:
                return b"".join(chunks)
            message = await receive()
            read.append(message)

    async def _answer(self, scope: HTTPScope, data: bytes) -> dict[str, Any] | None:
        """The reply to an answer the lane could store, or None to hand the request on."""
        shared = self._shared
        try:
            body = strict_json.loads(data, max_depth=strict_json.MAX_DEPTH + 1)
        except ValueError:
            return None
        if not isinstance(body, dict) or "value" not in body:
            return None
        request_id = body.get("request_id")
        token = body.get("token")
        given = token if isinstance(token, str) and token else _credential(scope)
        event = await self._opened(request_id, given)
        if event is None or event.get("respondents") or event.get("reach"):
            return None
        request_id = event["request_id"]
        store = shared.store
        response_path = body.get("response_path")
        own_path = store.outcome_location(request_id)
        if response_path is not None and not same_location(response_path, own_path):
            return None
        try:
            answer = await _operations.answer(
                store,
                request_id,
                body["value"],
                via="api",
                spec=shared.runtime.live_type(request_id),
                event=event,
                comment=body.get("comment"),
            )
        except StoreError:
            raise
        except HitlError:
            return None  # refused: the routes say why
        reply = described(store, event, answer)
        reply["status"] = "submitted"
        return reply


def _credential(scope: HTTPScope) -> str | None:
    authorization = ""
    for name, value in scope["headers"]:
        if name == b"authorization":
            authorization = value.decode("latin-1")
            break
    query = parse_qs(scope["query_string"].decode("latin-1"), keep_blank_values=True)
    tokens = query.get("token")
    return credential_given(authorization, tokens[0] if tokens else None)


def _replay(read: list[ASGIReceiveEvent], receive: ASGIReceiveCallable) -> ASGIReceiveCallable:
    """receive, with the messages already taken given again first."""
    pending = list(read)

    async def replayed() -> ASGIReceiveEvent:
        if pending:
            return pending.pop(0)
        return await receive()

    return replayed


async def _send_json(send: ASGISendCallable, status: int, body: dict[str, Any]) -> None:
    await _send(send, status, _JSON_HEADERS, json.dumps(body).encode())


async def _send(
    send: ASGISendCallable, status: int, headers: list[tuple[bytes, bytes]], data: bytes
) -> None:
    headers = [*headers, (b"content-length", str(len(data)).encode())]
    start: HTTPResponseStartEvent = {
        "type": "http.response.start",
        "status": status,
        "headers": headers,
        "trailers": False,
    }
    await send(start)
    await send({"type": "http.response.body", "body": data, "more_body": False})

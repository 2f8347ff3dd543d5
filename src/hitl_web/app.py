"""The web app, built by create_app(): a form per event and a JSON API over one store.

The routes (routes.py) apply the same rules as Event and the CLI, through the
async flavor's operations; errors from the hitl tree become status codes here,
in one place:

    EventNotFound                          404
    AlreadyAnswered (answered)             409, with the standing answer
    AlreadyAnswered (cancelled, expired)   410
    InvalidValue                           422, with a message a person can act on
    StoreError                             503, nothing changed

Runs on asyncio only; the embedded server gives it a thread of its own.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from quart import Quart, Response, request
from werkzeug.exceptions import HTTPException

from hitl_async import _operations
from hitl_core import documents
from hitl_core.documents import utc_now
from hitl_core.errors import (
    AlreadyAnswered,
    AlreadyVoted,
    EventNotFound,
    HitlError,
    InvalidValue,
    NotARespondent,
    StoreError,
)
from hitl_core.runtime import Runtime
from hitl_core.status import describe

from . import pages
from .current import services
from .fast_lane import FastLane
from .replies import HTML_ENDPOINTS, json_reply, prefers_json
from .routes import routes
from .services import LONG_POLL_STORE_INTERVAL, Services, open_services
from .watching import watch_reach
from .wire import BODY_TIMEOUT_SECONDS, MAX_BODY_BYTES, SECURITY_HEADERS, STORE_UNAVAILABLE

__all__ = ["MAX_BODY_BYTES", "Services", "create_app", "routes_app"]

_SLUGS = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "too_large",
    429: "too_many",
}


def create_app(
    store_url: str,
    *,
    api_key: str | None = None,
    s3_endpoint_url: str | None = None,
    poll_interval: float = LONG_POLL_STORE_INTERVAL,
    process: Runtime | None = None,
    trusted_user_header: str | None = None,
    watch_reach_every: float | None = None,
) -> Quart:
    """Build the app over one store.

    api_key, if set, is the operator's bearer key; s3_endpoint_url points an
    s3:// store at an S3-compatible server; long-polls look for outcomes stored
    by other replicas every poll_interval seconds. process is the runtime whose
    waiters the app wakes and whose live events lend it their Python types
    (this process's, by default). trusted_user_header names the header in which an
    authenticating proxy in front of the app passes the user's id (X-Forwarded-User,
    say): only with it set does the app believe such a header. watch_reach_every,
    for `hitl serve`, has the app look that often for events with notices to send
    (reminders go on while the task that asked is down).
    """
    shared = open_services(
        store_url,
        api_key=api_key,
        s3_endpoint_url=s3_endpoint_url,
        poll_interval=poll_interval,
        process=process,
        trusted_user_header=trusted_user_header,
    )
    app = routes_app(shared, watch_reach_every=watch_reach_every)
    app.asgi_app = FastLane(app.asgi_app, shared)  # type: ignore[method-assign]
    return app


def routes_app(shared: Services, *, watch_reach_every: float | None = None) -> Quart:
    """The routes over shared, without the fast lane in front (create_app() adds it)."""
    app = Quart("hitl_web")
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY_BYTES
    app.config["MAX_FORM_MEMORY_SIZE"] = MAX_BODY_BYTES
    app.config["BODY_TIMEOUT"] = BODY_TIMEOUT_SECONDS
    app.extensions["hitl"] = shared
    app.register_blueprint(routes)
    if watch_reach_every is not None:
        _watch_reach(app, watch_reach_every)
    _handle_errors(app)

    @app.after_request
    async def secure(response: Response) -> Response:
        response.headers.update(SECURITY_HEADERS)
        return response

    return app


def _watch_reach(app: Quart, every: float) -> None:
    watcher: list[asyncio.Task[None]] = []

    @app.before_serving
    async def start() -> None:
        shared: Services = app.extensions["hitl"]
        watcher.append(asyncio.create_task(watch_reach(shared.store, shared.runtime, every)))

    @app.after_serving
    async def stop() -> None:
        for task in watcher:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


def _handle_errors(app: Quart) -> None:
    @app.errorhandler(HTTPException)
    async def http_error(exc: HTTPException) -> Response:
        status = exc.code or 500
        detail = exc.description
        if status == 413:
            detail = f"the request body is larger than {MAX_BODY_BYTES // 1024} KiB"
        body = {"status": _SLUGS.get(status, "error"), "detail": detail}
        response = await _reply(status, body)
        for name, value in exc.get_headers():
            if name.lower() != "content-type":  # the Allow of a 405, say
                response.headers[name] = value
        if status == 401:
            response.headers["WWW-Authenticate"] = "Bearer"
        if status == 429:
            response.headers["Retry-After"] = "1"
        return response

    @app.errorhandler(EventNotFound)
    async def not_found(exc: EventNotFound) -> Response:
        body = {"status": "not_found", "request_id": exc.request_id, "detail": "no such event"}
        return await _reply(404, body)

    @app.errorhandler(AlreadyAnswered)
    async def closed(exc: AlreadyAnswered) -> Response:
        """409 or 410, with the event's status as GET /status gives it."""
        body = await _status_of(exc)
        if exc.state == documents.ANSWERED:
            body["detail"] = "this event was already answered; the first answer stands"
            return await _reply(409, body)
        body["detail"] = f"this event is {exc.state} and takes no answer"
        return await _reply(410, body)

    @app.errorhandler(AlreadyVoted)
    async def voted(exc: AlreadyVoted) -> Response:
        body = await _status_of(exc)
        body["detail"] = "you have voted on this event already; your first vote stands"
        body["vote"] = exc.vote
        return await _reply(409, body)

    @app.errorhandler(NotARespondent)
    async def not_listed(exc: NotARespondent) -> Response:
        return await _reply(403, {"status": "forbidden", "detail": str(exc)})

    @app.errorhandler(InvalidValue)
    async def invalid(exc: InvalidValue) -> Response:
        return await _reply(422, {"status": "invalid", "detail": str(exc)})

    @app.errorhandler(StoreError)
    async def store_failed(exc: StoreError) -> Response:
        app.logger.error("store error: %s", exc)
        return await _reply(503, dict(STORE_UNAVAILABLE))


async def _status_of(refused: AlreadyAnswered | AlreadyVoted) -> dict[str, Any]:
    """The status of the event an action was refused for, or what the refusal says of it."""
    store = services().store
    try:
        event, holding = await _operations.look(store, refused.request_id)
    except HitlError:  # the store failed meanwhile: the refusal still stands
        if isinstance(refused, AlreadyVoted):
            return {"status": "voted", "request_id": refused.request_id}
        return {"status": refused.state, "request_id": refused.request_id, "value": refused.value}
    location = store.outcome_location(refused.request_id)
    return describe(event, holding, now=utc_now(), response_path=location)


async def _reply(status: int, body: dict[str, Any]) -> Response:
    """JSON for the API; a page for the routes people open in a browser."""
    if request.endpoint in HTML_ENDPOINTS and not prefers_json():
        page = pages.render("result.html", status=status, body=body)
        return Response(page, status=status, content_type="text/html; charset=utf-8")
    return json_reply(status, body)

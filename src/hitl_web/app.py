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
import json
from typing import Any

import jinja2
from quart import Quart, Response, render_template, request
from werkzeug.exceptions import HTTPException

from hitl_async import _operations
from hitl_async._store import open_store
from hitl_core import documents, markdown, runtime
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

from .fast_lane import FastLane
from .holds import Holds
from .replies import HTML_ENDPOINTS, SECURITY_HEADERS, STORE_UNAVAILABLE, json_reply, prefers_json
from .routes import routes
from .services import Services, services
from .watching import watch_reach

__all__ = ["MAX_BODY_BYTES", "Services", "create_app"]

MAX_BODY_BYTES = 64 * 1024
# How often a long-poll looks for outcomes that other replicas stored.
LONG_POLL_STORE_INTERVAL = 1.0
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
    app = Quart("hitl_web")
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY_BYTES
    app.config["MAX_FORM_MEMORY_SIZE"] = MAX_BODY_BYTES
    app.config["BODY_TIMEOUT"] = 30
    process = process or runtime.current()
    shared = app.extensions["hitl"] = Services(
        store=open_store(store_url, s3_endpoint_url=s3_endpoint_url, process=process),
        api_key=api_key,
        runtime=process,
        poll_interval=poll_interval,
        holds=Holds(),
        trusted_user_header=trusted_user_header,
    )
    app.register_blueprint(routes)

    blocking: list[jinja2.Environment] = []

    async def render(name: str, context: dict[str, Any]) -> str:
        # The templates use nothing of the request, nor anything they must await: the
        # app's templates, filters and policies, rendered without Quart's async Jinja
        # (half its cost), give the page render_template gives.
        if not blocking:
            blocking.append(_blocking_twin(app.jinja_env))
        return blocking[0].get_template(name).render(context)

    lane = FastLane(
        app.asgi_app,
        shared,
        render=render,
        max_body=MAX_BODY_BYTES,
        body_timeout=app.config["BODY_TIMEOUT"],
    )
    app.asgi_app = lane  # type: ignore[method-assign]
    if watch_reach_every is not None:
        _watch_reach(app, watch_reach_every)
    app.add_template_filter(as_a_person_reads, "answer")
    app.add_template_filter(markdown.to_html, "markdown")  # escapes; raw HTML stays text
    _handle_errors(app)

    @app.after_request
    async def secure(response: Response) -> Response:
        response.headers.update(SECURITY_HEADERS)
        return response

    return app


def _blocking_twin(source: jinja2.Environment) -> jinja2.Environment:
    """A synchronous Jinja environment with source's templates, filters and policies."""
    twin = jinja2.Environment(loader=source.loader, autoescape=source.autoescape)
    twin.filters.update(source.filters)
    twin.globals.update(source.globals)
    twin.policies.update(source.policies)
    return twin


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


def as_a_person_reads(value: Any) -> str:
    """An answer as a page shows it: Yes and No, Approved and Rejected, text as it is,
    the rest as JSON."""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, dict) and set(value) == {"approved", "comment", "by"}:  # an Approval
        return "Approved" if value["approved"] else "Rejected"
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


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
        page = await render_template("result.html", status=status, body=body)
        return Response(page, status=status, content_type="text/html; charset=utf-8")
    return json_reply(status, body)

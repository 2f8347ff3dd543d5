"""Who may open an event: its token, or the operator key.

An event's token is an HMAC of its request id under the store's key, so a
wrong token is refused (403) before the event is read: a refusal tells nothing
of whether the event exists.
"""

from __future__ import annotations

from typing import Any

from quart import request
from werkzeug.exceptions import BadRequest, Forbidden, Unauthorized

from hitl_async import _operations
from hitl_async._store import Store
from hitl_core import identity

__all__ = ["credential", "is_operator", "open_event"]

_NO_TOKEN = "a token is required: use the link you were given, or Authorization: Bearer <token>"


def credential() -> str | None:
    """The bearer token, else the ?token= of the URL."""
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip() or None
    return request.args.get("token") or None


def is_operator(api_key: str | None, given: str | None) -> bool:
    return bool(api_key and given and identity.same_secret(given, api_key))


async def open_event(
    store: Store, api_key: str | None, request_id: Any, given: str | None
) -> dict[str, Any]:
    """The event document, if request_id is an id and given opens it.

    400 for a malformed id, 401 without a credential, 403 for a wrong one,
    then 404 (EventNotFound) if the event does not exist.
    """
    if not identity.is_valid_request_id(request_id):
        raise BadRequest("request_id is not a valid event id")
    if given is None:
        raise Unauthorized(_NO_TOKEN)
    if not is_operator(api_key, given):
        secret = await store.existing_secret()
        if secret is None or not identity.opens_event(secret, request_id, given):
            raise Forbidden("this token does not open this event")
    return await _operations.read_event(store, request_id)

"""Request ids and tokens.

A request id is derived from (run id, scope, name, occurrence), so the n-th
event of a given name in a run is always the same request: a task that crashes
and runs again re-attaches instead of asking again. An explicit key replaces
the derivation.

Each event's token is an HMAC of its request id under the store's secret, so a
restarted task finds the same token (and so the same form URL) while the store
itself keeps only the token's hash.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from typing import Any, TypeGuard

from .strict_json import encodable

__all__ = [
    "check_name",
    "derive_request_id",
    "event_token",
    "hash_token",
    "is_valid_request_id",
    "opens_event",
    "question_digest",
    "same_secret",
]

_REQUEST_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}[a-z0-9]$")
_SLUG_DROP = re.compile(r"[^a-z0-9]+")
_NAME_MAX = 200


def is_valid_request_id(request_id: object) -> TypeGuard[str]:
    return isinstance(request_id, str) and bool(_REQUEST_ID.fullmatch(request_id))


def _slug(text: str) -> str:
    return _SLUG_DROP.sub("-", text.lower()).strip("-")[:32].strip("-") or "event"


def _digest(*parts: str) -> str:
    joined = "\x1f".join(parts).encode()
    return hashlib.sha256(joined).hexdigest()[:24]


def check_name(name: object, what: str = "name") -> str:
    if not isinstance(name, str) or not name.strip() or not encodable(name):
        raise ValueError(f"event {what} must be a non-empty string, not {name!r}")
    if len(name) > _NAME_MAX:
        raise ValueError(f"event {what} must be at most {_NAME_MAX} characters")
    return name


def derive_request_id(
    name: str,
    *,
    run_id: str,
    scope: str,
    occurrence: int,
    generation: int = 0,
    key: str | None = None,
    bound_to: str | None = None,
) -> str:
    """The request id of an event: readable prefix, then a digest of its identity.

    generation is 0 unless the process had to forget call counts (occurrences.py).
    bound_to ties the request to data (an approval to the digest of a call's
    arguments): the same name bound to other data is another request.
    """
    if key is not None:
        return f"{_slug(name)}-{_digest('key', check_name(key, 'key'))}"
    scoped_run = "" if scope == "global" else run_id
    counted = [str(occurrence)] + ([f"generation {generation}"] if generation else [])
    if bound_to is not None:
        counted.append(f"bound to {bound_to}")
    return f"{_slug(name)}-{_digest('run', scoped_run, scope, name, *counted)}"


def question_digest(event: dict[str, Any]) -> str:
    """SHA-256 of the question as people are shown it: its prompt and its type.

    An answer records it, so what was answered is provable later.
    """
    shown = json.dumps([event["prompt"], event["type"]], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(shown.encode()).hexdigest()


def event_token(secret: bytes, request_id: str) -> str:
    """The event's token: whoever holds it may open, answer and cancel the event."""
    digest = hmac.new(secret, b"event-token\x1f" + request_id.encode(), hashlib.sha256)
    return digest.hexdigest()[:40]


def opens_event(secret: bytes, request_id: str, credential: str) -> bool:
    """Whether credential is the token of request_id; needs no read of the event."""
    return same_secret(credential, event_token(secret, request_id))


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def same_secret(given: str, expected: str) -> bool:
    """Constant-time comparison of a credential someone sent with the one expected.

    A credential that is not text (a lone surrogate, say) matches nothing.
    """
    if not encodable(given):
        return False
    return hmac.compare_digest(given.encode(), expected.encode())

"""Request ids and tokens.

A request id is derived from (run id, scope, name, occurrence), so the n-th
event of a given name in a run is always the same request: a task that crashes
and runs again re-attaches instead of asking again. An explicit key replaces
the derivation.

Each event's token is an HMAC of its request id under the store's secret, so a
restarted task finds the same token (and so the same form URL) while the store
itself keeps only the token's hash.

A person's tokens name them and are signed the same way, so the server learns
who holds one without reading anything:

    p.<person>.<mac>   a respondent's personal token, bound to one event
    i.<person>.<mac>   a respondent's inbox token, for every event they may answer

<person> is the id in unpadded base64url.
"""

from __future__ import annotations

import base64
import binascii
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
    "inbox_token",
    "inbox_token_holder",
    "is_valid_request_id",
    "opens_event",
    "personal_token",
    "personal_token_holder",
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


def _signed(secret: bytes, *parts: str) -> str:
    joined = "\x1f".join(parts).encode()
    return hmac.new(secret, joined, hashlib.sha256).hexdigest()[:40]


def _person_part(person: str) -> str:
    return base64.urlsafe_b64encode(person.encode()).decode().rstrip("=")


def _holder(token: str, kind: str) -> tuple[str, str] | None:
    """The person a token of this kind names, and its mac; None if it is not one."""
    if not encodable(token):
        return None
    parts = token.split(".")
    if len(parts) != 3 or parts[0] != kind or not parts[1]:
        return None
    try:
        person = base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    return person, parts[2]


def personal_token(secret: bytes, request_id: str, person: str) -> str:
    """A respondent's token for one event: it opens the event and answers as them."""
    mac = _signed(secret, "respondent-token", request_id, person)
    return f"p.{_person_part(person)}.{mac}"


def personal_token_holder(secret: bytes, request_id: str, token: str) -> str | None:
    """The person whose personal token for request_id this is, or None."""
    found = _holder(token, "p")
    if found is None:
        return None
    person, _ = found
    return person if same_secret(token, personal_token(secret, request_id, person)) else None


def inbox_token(secret: bytes, person: str) -> str:
    """A respondent's inbox token: it lists the events they may answer."""
    return f"i.{_person_part(person)}.{_signed(secret, 'inbox-token', person)}"


def inbox_token_holder(secret: bytes, token: str) -> str | None:
    """The person whose inbox token this is, or None."""
    found = _holder(token, "i")
    if found is None:
        return None
    person, _ = found
    return person if same_secret(token, inbox_token(secret, person)) else None

"""The JSON documents hitl stores, and where they live. Every one has a "version".

secret.json                  the store's token key, created on first use
events/{request_id}.json     the question, written once
outcomes/{request_id}.json   answered, cancelled or expired, written once
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from .identity import is_valid_request_id

__all__ = [
    "ANSWERED",
    "CANCELLED",
    "EXPIRED",
    "PENDING",
    "event_document",
    "event_path",
    "outcome_document",
    "outcome_path",
    "utc_now",
]

VERSION = 1
SECRET_PATH = "secret.json"
EVENTS_DIR = "events"
OUTCOMES_DIR = "outcomes"

PENDING = "pending"
ANSWERED = "answered"
CANCELLED = "cancelled"
EXPIRED = "expired"
CLOSED_STATES = (CANCELLED, EXPIRED)


def _checked(request_id: str) -> str:
    if not is_valid_request_id(request_id):
        raise ValueError(f"not a request id: {request_id!r}")
    return request_id


def event_path(request_id: str) -> str:
    return f"{EVENTS_DIR}/{_checked(request_id)}.json"


def outcome_path(request_id: str) -> str:
    return f"{OUTCOMES_DIR}/{_checked(request_id)}.json"


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def timestamp(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds")


def event_document(
    *,
    request_id: str,
    name: str,
    scope: str,
    run_id: str,
    prompt: str,
    type_description: dict[str, Any],
    token_hash: str,
    timeout_seconds: float,
    now: datetime,
    bound_to: str | None = None,
) -> dict[str, Any]:
    document = {
        "version": VERSION,
        "request_id": request_id,
        "name": name,
        "scope": scope,
        "run_id": run_id,
        "prompt": prompt,
        "type": type_description,
        "token_hash": token_hash,
        "timeout_seconds": timeout_seconds,
        "created_at": timestamp(now),
        # The deadline is stored so that it holds for every server and for a
        # restarted task, not only for the process that asked.
        "expires_at": timestamp(now + timedelta(seconds=timeout_seconds)),
    }
    if bound_to is not None:
        document["bound_to"] = bound_to  # what the answer approves, e.g. a call's digest
    return document


def outcome_document(
    request_id: str,
    state: str,
    *,
    now: datetime,
    value: Any = None,
    via: str = "",
    type_name: str = "",
    by: str | None = None,
    comment: str | None = None,
    question_sha256: str | None = None,
) -> dict[str, Any]:
    """An outcome; an answer also records who gave it (when known), their comment, and the
    digest of the question they saw (the audit trail)."""
    document = {
        "version": VERSION,
        "request_id": request_id,
        "state": state,
        "value": value,
        "data_type": type_name,
        "via": via,
        "at": timestamp(now),
    }
    if state == ANSWERED:
        document.update(by=by, comment=comment, question_sha256=question_sha256)
    return document


def _require(document: dict[str, Any], fields: dict[str, type]) -> None:
    for field, kind in fields.items():
        if not isinstance(document.get(field), kind):
            raise ValueError(f"its {field!r} is missing or not a {kind.__name__}")


def check_event(document: dict[str, Any]) -> None:
    """Raise ValueError unless this is a whole event document."""
    _require(
        document,
        {
            "request_id": str,
            "name": str,
            "scope": str,
            "prompt": str,
            "token_hash": str,
            "type": dict,
        },
    )
    _require(document["type"], {"kind": str, "type_name": str})


def check_outcome(document: dict[str, Any]) -> None:
    """Raise ValueError unless this is a whole outcome document."""
    _require(document, {"request_id": str, "state": str})
    if document["state"] not in (ANSWERED, *CLOSED_STATES):
        raise ValueError(f"its state {document['state']!r} is unknown")


def check_secret(document: dict[str, Any]) -> None:
    """Raise ValueError unless this is a whole secret document."""
    _require(document, {"secret": str})
    try:
        if len(bytes.fromhex(document["secret"])) < 16:
            raise ValueError("its secret is too short")
    except ValueError as exc:
        raise ValueError(f"its secret is not a hex key: {exc}") from None

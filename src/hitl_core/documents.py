"""The JSON documents hitl stores, and where they live. Every one has a "version"."""

from __future__ import annotations

from datetime import datetime, timezone
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


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


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
) -> dict[str, Any]:
    return {
        "version": VERSION,
        "request_id": request_id,
        "name": name,
        "scope": scope,
        "run_id": run_id,
        "prompt": prompt,
        "type": type_description,
        "token_hash": token_hash,
        "timeout_seconds": timeout_seconds,
        "created_at": now(),
    }


def outcome_document(
    request_id: str, state: str, *, value: Any = None, via: str = "", type_name: str = ""
) -> dict[str, Any]:
    return {
        "version": VERSION,
        "request_id": request_id,
        "state": state,
        "value": value,
        "data_type": type_name,
        "via": via,
        "at": now(),
    }

"""Where an event stands: the value status() returns, and the JSON the app and CLI show."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from . import documents, rules

__all__ = [
    "DEFAULT_PER_PAGE",
    "LIST_STATES",
    "MAX_PER_PAGE",
    "UNSET",
    "EventStatus",
    "Unset",
    "describe",
]

# How inboxes and `hitl list` filter and page events.
LIST_STATES = ("pending", "closed", "all", "answered", "cancelled", "expired")
DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 200


class Unset:
    """The type of UNSET: no default was given."""

    def __repr__(self) -> str:
        return "UNSET"


UNSET = Unset()


@dataclass(frozen=True)
class EventStatus:
    """Where an event stands; value is the typed answer when state is "answered"."""

    request_id: str
    state: str
    value: Any = None
    at: str | None = None
    via: str | None = None  # form, api, cli, auto; deadline, timeout or cancel for a closing
    # Who answered, when known ("operator" for the operator key); an Approval's deciding
    # respondents, in the order they voted.
    by: str | list[str] | None = None
    comment: str | None = None
    question_sha256: str | None = None  # the question the answer was given to
    # Notifications not delivered: each kind, to, channel, state ("sending" or "failed")
    # and, for a failure, its error.
    undelivered: tuple[dict[str, Any], ...] = ()

    @property
    def done(self) -> bool:
        return self.state != "pending"


EventStatus.__module__ = "hitl_core"


def describe(
    event: dict[str, Any], outcome: dict[str, Any] | None, *, now: datetime, response_path: str
) -> dict[str, Any]:
    """The JSON status of an event, as GET /status and `hitl show --json` give it:
    its question and the outcome that holds now."""
    holding = rules.effective(event, outcome, now)
    body: dict[str, Any] = {
        "request_id": event["request_id"],
        "name": event["name"],
        "prompt": event["prompt"],
        "data_type": event["type"]["type_name"],
        "status": holding["state"] if holding else documents.PENDING,
        "response_path": response_path,
        "created_at": event.get("created_at"),
        "expires_at": event.get("expires_at"),
    }
    if event.get("respondents"):
        body["respondents"] = event["respondents"]
        body["quorum"] = event.get("quorum", 1)
    if holding is not None:
        body["value"] = holding.get("value")
        answered = holding["state"] == documents.ANSWERED
        body["answered_at" if answered else "closed_at"] = holding.get("at")
        body["via"] = holding.get("via")
        if answered:
            for field in ("by", "comment", "question_sha256"):
                body[field] = holding.get(field)
    return body

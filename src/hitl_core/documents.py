"""The JSON documents hitl stores, and where they live. Every one has a "version".

secret.json                          the store's token key, created on first use
events/{request_id}.json             the question, written once
outcomes/{request_id}.json           answered, cancelled or expired, written once
votes/{request_id}/{person}.json     a respondent's vote on an approval, written once
notices/{request_id}/{key}.json      a notification's claim, then -sent or -failed (delivery.py)
listing/{entry}.json                 every event, newest first: the operator's inbox
reach/{entry}.json                   the events with notices to send: what `hitl serve` watches
people/{person}/{entry}.json         the events a respondent may answer: their inbox
changes/{hour}/{change}.json         an outcome or a vote is being written: the change feed

{person} is a digest of the respondent's id. An {entry} name says when the event
was made and when it expires (inverted milliseconds, so that names sort newest
first) and its request id: a page of an inbox, pending events only, is picked
from one listing of names and costs reads of that page's events alone.

The change feed tells waits which requests to look at, so that no poll lists
outcomes/: every outcome and every vote is announced by a change entry, written
once, before it. {hour} is the UTC hour the entry was named in (2025061314) and
{change} is "{milliseconds since 1970, 13 digits}-{request_id}-{kind}-{nonce}",
so that within a folder names sort by time and a reader lists from a cursor.
"""

from __future__ import annotations

import hashlib
import random
import re
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from .identity import is_valid_request_id

__all__ = [
    "ANSWERED",
    "CANCELLED",
    "EXPIRED",
    "OUTCOME_CHANGE",
    "PENDING",
    "VOTE_CHANGE",
    "Change",
    "Entry",
    "change_cursor",
    "change_document",
    "change_folders",
    "change_path",
    "entry_document",
    "entry_name",
    "event_document",
    "event_path",
    "listing_folder",
    "notices_folder",
    "outcome_document",
    "outcome_path",
    "parse_change",
    "parse_entry",
    "utc_now",
    "vote_path",
    "votes_folder",
]

VERSION = 1
SECRET_PATH = "secret.json"
EVENTS_DIR = "events"
OUTCOMES_DIR = "outcomes"
VOTES_DIR = "votes"
NOTICES_DIR = "notices"
LISTING_DIR = "listing"
REACH_DIR = "reach"
PEOPLE_DIR = "people"
CHANGES_DIR = "changes"

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


def _person_key(person: str) -> str:
    return hashlib.sha256(person.encode()).hexdigest()[:32]


def votes_folder(request_id: str) -> str:
    return f"{VOTES_DIR}/{_checked(request_id)}"


def notices_folder(request_id: str) -> str:
    return f"{NOTICES_DIR}/{_checked(request_id)}"


def vote_path(request_id: str, person: str) -> str:
    return f"{votes_folder(request_id)}/{_person_key(person)}.json"


def listing_folder(person: str | None = None) -> str:
    """The folder listing every event (None), or those a respondent may answer."""
    return LISTING_DIR if person is None else f"{PEOPLE_DIR}/{_person_key(person)}"


_NEVER = 10**13  # milliseconds since 1970, past the year 2286
_ENTRY = re.compile(r"^(\d{13})-(\d{13})-([a-z0-9-]+)\.json$")


@dataclass(frozen=True)
class Entry:
    """An event as a listing's name shows it."""

    request_id: str
    created_ms: int
    expires_ms: int

    def pending_at(self, now: datetime, closed: set[str] | frozenset[str]) -> bool:
        """Pending, unless its outcome is among closed or its deadline has passed."""
        return self.request_id not in closed and self.expires_ms > _milliseconds(now)


def _milliseconds(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def entry_name(event: dict[str, Any]) -> str:
    """The name of an event's entry in a listing folder (sorted newest first)."""
    created = _milliseconds(datetime.fromisoformat(event["created_at"]))
    expires = _milliseconds(datetime.fromisoformat(event["expires_at"]))
    return f"{_NEVER - created:013d}-{expires:013d}-{_checked(event['request_id'])}.json"


def entry_document(event: dict[str, Any]) -> dict[str, Any]:
    """What an entry holds: its name says the rest."""
    return {"version": VERSION, "request_id": event["request_id"]}


def parse_entry(name: str) -> Entry | None:
    """The event a listing name stands for, or None for a name hitl did not write."""
    found = _ENTRY.fullmatch(name)
    if found is None or not is_valid_request_id(found[3]):
        return None
    return Entry(found[3], _NEVER - int(found[1]), int(found[2]))


# What a change entry announces: an outcome, or a vote (which a wait on an approval counts).
OUTCOME_CHANGE = "outcome"
VOTE_CHANGE = "vote"
_CHANGE = re.compile(r"^(\d{13})-([a-z0-9-]+)-(outcome|vote)-([0-9a-f]{8})\.json$")
_HOUR_MS = 3_600_000


@dataclass(frozen=True)
class Change:
    """A change entry as its name shows it: written at at_ms (the writer's clock)."""

    request_id: str
    at_ms: int
    kind: str


def change_folder(at_ms: int) -> str:
    """The folder of the change entries written in the UTC hour of at_ms."""
    return f"{CHANGES_DIR}/{time.strftime('%Y%m%d%H', time.gmtime(at_ms // 1000))}"


def change_folders(start_ms: int, end_ms: int) -> list[str]:
    """The folders holding entries written from start_ms to end_ms, oldest first."""
    first, last = start_ms // _HOUR_MS, max(start_ms, end_ms) // _HOUR_MS
    return [change_folder(hour * _HOUR_MS) for hour in range(first, last + 1)]


def change_cursor(start_ms: int) -> str:
    """Where a listing of a change folder starts: after it sort the entries written at
    start_ms or later, and no others."""
    return f"{start_ms:013d}"  # a name sorts after its own prefix


def change_path(request_id: str, kind: str, at: datetime) -> str:
    """A new change entry's path: the nonce keeps two writers of one instant apart."""
    if kind not in (OUTCOME_CHANGE, VOTE_CHANGE):
        raise ValueError(f"not a change kind: {kind!r}")
    at_ms = _milliseconds(at)
    # Uniqueness is all a nonce needs here (random is reseeded in a forked child).
    name = f"{at_ms:013d}-{_checked(request_id)}-{kind}-{random.getrandbits(32):08x}.json"
    return f"{change_folder(at_ms)}/{name}"


def change_document(request_id: str, kind: str, at: datetime) -> dict[str, Any]:
    """What a change entry holds: its name says the rest (readers only list them)."""
    return {"version": VERSION, "request_id": request_id, "kind": kind, "at": timestamp(at)}


def parse_change(name: str) -> Change | None:
    """The change a name in a change folder stands for, or None for a name hitl did not
    write."""
    found = _CHANGE.fullmatch(name)
    if found is None or not is_valid_request_id(found[2]):
        return None
    return Change(found[2], int(found[1]), found[3])


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
    respondents: tuple[str, ...] = (),
    quorum: int | str = 1,
    reach: dict[str, Any] | None = None,
) -> dict[str, Any]:
    document: dict[str, Any] = {
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
    if respondents:
        document["respondents"] = list(respondents)  # who may answer; anyone with the link else
    if quorum != 1:
        document["quorum"] = quorum
    if reach is not None:
        document["reach"] = reach  # whom to tell, and when (schedule.py); never shown
    return document


def outcome_document(
    request_id: str,
    state: str,
    *,
    now: datetime,
    value: Any = None,
    via: str = "",
    type_name: str = "",
    by: str | list[str] | None = None,
    comment: str | None = None,
    question_sha256: str | None = None,
) -> dict[str, Any]:
    """An outcome; an answer also records who gave it (when known; the deciding respondents
    of an approval), their comment, and the digest of the question they saw (the audit
    trail)."""
    document: dict[str, Any] = {
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


def check_vote(document: dict[str, Any]) -> None:
    """Raise ValueError unless this is a whole vote document."""
    _require(document, {"request_id": str, "by": str, "approved": bool, "at": str, "via": str})


def check_change(document: dict[str, Any]) -> None:
    """Raise ValueError unless this is a whole change entry."""
    _require(document, {"request_id": str, "kind": str, "at": str})


def check_entry(document: dict[str, Any]) -> None:
    """Raise ValueError unless this is a whole listing entry."""
    _require(document, {"request_id": str})

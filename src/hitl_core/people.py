"""Who may answer an event, and how an approval is decided.

respondents   the ids of the people who may answer, stored with the event; each
              gets a personal link (identity.personal_token) and an inbox
quorum        how many distinct respondents' approvals decide an Approval, or
              "all" of them
votes         an Approval with respondents is answered by votes: one write-once
              document per respondent (documents.vote_path), so a second vote,
              from any replica, finds the first
tally()       the outcome the votes decide, or None: the first rejection decides
              at once (a veto), else `quorum` distinct approvals

These functions read no store and no clock, like rules.py.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from . import documents
from .identity import question_digest
from .strict_json import encodable

__all__ = [
    "ALL",
    "APPROVAL_KIND",
    "MAX_RESPONDENTS",
    "Approval",
    "approval_value",
    "check_person",
    "check_quorum",
    "check_respondents",
    "escalated",
    "may_answer",
    "needed_approvals",
    "respondents_at",
    "since_created",
    "tally",
    "vote_document",
]

ALL = "all"
APPROVAL_KIND = "approval"
MAX_RESPONDENTS = 100
_MAX_PERSON = 200


@dataclass(frozen=True)
class Approval:
    """A decision on an approval event: approved or not, the comment given, and by whom
    (the respondents whose votes decided; empty when the event has no respondents and
    its link's holder answered)."""

    approved: bool
    comment: str | None = None
    by: tuple[str, ...] = field(default=())


Approval.__module__ = "hitl_core"


def check_person(person: object) -> str:
    """A respondent id: text a person can read, at most 200 characters."""
    if (
        not isinstance(person, str)
        or not person.strip()
        or not encodable(person)
        or any(unicodedata.category(c) in ("Cc", "Cf") for c in person)
    ):
        raise ValueError(
            f"a respondent is a non-empty id without control characters, not {person!r}"
        )
    if len(person) > _MAX_PERSON:
        raise ValueError(f"a respondent id must be at most {_MAX_PERSON} characters")
    return person


def check_respondents(respondents: object) -> tuple[tuple[str, ...], dict[str, str]]:
    """The ids, in order, and the contacts given (id -> contact URL) of respondents=.

    None means anyone holding the event's link may answer.
    """
    if respondents is None:
        return (), {}
    if isinstance(respondents, (str, bytes)):
        raise TypeError("respondents= is a list of ids or a mapping of id to contact, not one id")
    contacts: dict[str, str] = {}
    if isinstance(respondents, Mapping):
        ids = [check_person(person) for person in respondents]
        for person, contact in respondents.items():
            if contact is None:
                continue
            if not isinstance(contact, str) or not contact.strip() or not encodable(contact):
                raise ValueError(f"the contact of {person!r} must be a URL, not {contact!r}")
            contacts[person] = contact
    elif isinstance(respondents, Iterable):
        ids = [check_person(person) for person in respondents]
    else:
        raise TypeError(f"respondents= is a list of ids or a mapping, not {respondents!r}")
    if not ids:
        raise ValueError("respondents= names nobody: give at least one id, or leave it out")
    if len(set(ids)) != len(ids):
        raise ValueError("respondents= names someone twice")
    if len(ids) > MAX_RESPONDENTS:
        raise ValueError(f"respondents= may name at most {MAX_RESPONDENTS} people")
    return tuple(ids), contacts


def check_quorum(quorum: object, kind: str, respondents: tuple[str, ...]) -> int | str:
    """quorum= checked against the type and the respondents: 1, n <= len(respondents),
    or "all"."""
    if quorum == 1 and not isinstance(quorum, bool):
        return 1
    if kind != APPROVAL_KIND:
        raise ValueError("quorum= other than 1 is for data_type=hitl.Approval only")
    if quorum == ALL:
        if not respondents:
            raise ValueError('quorum="all" needs respondents=')
        return ALL
    if isinstance(quorum, bool) or not isinstance(quorum, int) or quorum < 1:
        raise ValueError(f'quorum= is a number of approvals from 1, or "all", not {quorum!r}')
    if quorum > len(respondents):
        raise ValueError(
            f"quorum={quorum} needs at least {quorum} respondents, and "
            f"respondents= names {len(respondents)}"
        )
    return quorum


def needed_approvals(event: dict[str, Any]) -> int:
    """How many distinct approvals decide the event."""
    quorum = event.get("quorum", 1)
    if quorum == ALL:
        return len(event.get("respondents") or ())
    return int(quorum)


def since_created(event: dict[str, Any], now: datetime) -> float:
    return (now - datetime.fromisoformat(event["created_at"])).total_seconds()


def escalated(event: dict[str, Any], now: datetime) -> bool:
    """Whether the event has escalated by now."""
    after = (event.get("reach") or {}).get("escalate_after")
    return isinstance(after, (int, float)) and since_created(event, now) >= after


def respondents_at(event: dict[str, Any], now: datetime) -> list[str]:
    """Who may answer at now: the respondents, and once escalated, the escalate_to people."""
    listed = list(event.get("respondents") or [])
    if escalated(event, now):
        escalate_to = (event.get("reach") or {}).get("escalate_to") or {}
        listed += [p for p in escalate_to if p not in listed]
    return listed


def may_answer(event: dict[str, Any], person: str | None, now: datetime | None = None) -> bool:
    """Whether person may answer at now: anyone, without respondents; else a listed one,
    or, once the event has escalated, one it escalated to."""
    if not event.get("respondents"):
        return True
    return person in respondents_at(event, now or documents.utc_now())


def approval_value(approved: bool, comment: str | None, by: list[str]) -> dict[str, Any]:
    """The stored value of a decided approval (Approval's JSON form)."""
    return {"approved": approved, "comment": comment, "by": by}


def vote_document(
    event: dict[str, Any],
    person: str,
    approved: bool,
    *,
    comment: str | None,
    via: str,
    now: datetime,
) -> dict[str, Any]:
    """A respondent's vote, with the digest of the question they were shown."""
    return {
        "version": documents.VERSION,
        "request_id": event["request_id"],
        "by": person,
        "approved": approved,
        "comment": comment,
        "via": via,
        "at": documents.timestamp(now),
        "question_sha256": question_digest(event),
    }


def tally(event: dict[str, Any], votes: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The answer the votes decide, or None while they decide nothing.

    Only listed respondents' votes count, each once, in the order they were cast.
    The votes decide as soon as they do: at the first rejection (a veto), or at
    the approval that completes the quorum; a vote cast after that changes
    nothing. Every process that tallies the same votes decides the same outcome.
    """
    # Whoever it escalates to may vote too, once it has: no vote of theirs is stored before.
    escalate_to = (event.get("reach") or {}).get("escalate_to") or {}
    listed = set(event.get("respondents") or ()) | set(escalate_to)
    needed = needed_approvals(event)
    seen: set[str] = set()
    approvals: list[dict[str, Any]] = []
    deciding: list[dict[str, Any]] | None = None
    for vote in sorted(votes, key=lambda v: (str(v.get("at")), str(v.get("by")))):
        person = vote.get("by")
        if not isinstance(person, str) or person not in listed or person in seen:
            continue
        if not isinstance(vote.get("approved"), bool):
            continue
        seen.add(person)
        if not vote["approved"]:
            deciding = [vote]
            break
        approvals.append(vote)
        if len(approvals) >= needed:
            deciding = approvals
            break
    if deciding is None:
        return None
    last = deciding[-1]
    value = approval_value(
        deciding[0]["approved"], _joined_comments(deciding), [vote["by"] for vote in deciding]
    )
    return documents.outcome_document(
        event["request_id"],
        documents.ANSWERED,
        value=value,
        via=last["via"],
        type_name=event["type"]["type_name"],
        now=datetime.fromisoformat(last["at"]),
        by=value["by"],
        comment=value["comment"],
        question_sha256=question_digest(event),
    )


def _joined_comments(votes: list[dict[str, Any]]) -> str | None:
    """One vote's comment as it is; several, each after its author."""
    said = [vote for vote in votes if vote.get("comment")]
    if len(votes) == 1:
        return said[0]["comment"] if said else None
    return "\n".join(f"{vote['by']}: {vote['comment']}" for vote in said) or None

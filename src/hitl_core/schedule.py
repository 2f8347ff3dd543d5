"""When each notice of an event is due: reminders, escalation, and the closing word.

An event asked with any of notify=, respondents' contacts, remind_every= or
escalate_after= stores its reach (documents.event_document's "reach"): whom to
tell, where its links point, and when. From that, the time and what the store
holds, due() says which notices are due now, and next_check() when to look
again, so any process (the waiting task, any `hitl serve`) plans the same
notices; their claims (delivery.py) let one of them send each.

- every remind_every seconds until the deadline: a reminder to each respondent
  with a contact who has not answered (to the notify= targets, for an event
  without respondents); a process that was away sends the latest round only;
- at escalate_after: the escalate_to people become respondents and get their
  own links;
- once the event is closed (answered, cancelled, expired): the notify= targets
  are told the outcome and who decided.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any

from . import documents, reach, rules
from .people import escalated, since_created
from .reach import Notice

__all__ = ["due", "next_check", "reach_document"]

Link = Callable[[str | None], str]  # a respondent's link, or (None) the event's own


def reach_document(
    *,
    targets: Iterable[str],
    contacts: Mapping[str, str],
    remind_every: float | None,
    escalate_after: float | None,
    escalate_to: Mapping[str, str],
    link_base: str,
) -> dict[str, Any] | None:
    """What the event stores of its reach, or None when it has none."""
    targets = list(targets)
    if not (targets or contacts or remind_every or escalate_after):
        return None
    return {
        "notify": targets,
        "contacts": dict(contacts),
        "remind_every": remind_every,
        "escalate_after": escalate_after,
        "escalate_to": dict(escalate_to),
        "link_base": link_base,
    }


def _reach(event: dict[str, Any]) -> dict[str, Any]:
    found = event.get("reach")
    return found if isinstance(found, dict) else {}


def _round(event: dict[str, Any], now: datetime) -> int:
    """The latest reminder round due at now (0: none yet)."""
    every = _reach(event).get("remind_every")
    if not isinstance(every, (int, float)) or every <= 0:
        return 0
    deadline = event.get("timeout_seconds", math.inf)
    elapsed = min(since_created(event, now), float(deadline) - 1e-9)
    return max(0, int(elapsed // every))


def next_check(event: dict[str, Any], now: datetime, *, every: float) -> float:
    """Seconds until this event's notices should be looked at again: at its next
    reminder round, its escalation or its deadline, and at least every `every`
    seconds (an outcome may come at any time)."""
    found = _reach(event)
    since = since_created(event, now)
    moments = [float(event.get("timeout_seconds", math.inf))]
    remind = found.get("remind_every")
    if isinstance(remind, (int, float)) and remind > 0:
        moments.append((math.floor(since / remind) + 1) * remind)
    after = found.get("escalate_after")
    if isinstance(after, (int, float)):
        moments.append(float(after))
    upcoming = [moment - since for moment in moments if moment > since]
    return max(0.0, min([every, *upcoming]))


def due(
    event: dict[str, Any],
    outcome: dict[str, Any] | None,
    *,
    answered: set[str],
    now: datetime,
    link: Link,
) -> list[Notice]:
    """The notices due at now. outcome is the stored one (an expiry is worked out
    here); answered, who has answered (voted) already."""
    found = _reach(event)
    request_id = event["request_id"]
    targets = [url for url in found.get("notify") or [] if isinstance(url, str)]
    holding = rules.effective(event, outcome, now)
    if holding is not None:
        return [_closing(event, holding, url) for url in targets]
    # The question itself, in case the process that asked stopped before it sent it.
    notices: list[Notice] = reach.asking(
        event,
        event_link=link(None),
        personal_links={person: link(person) for person in found.get("contacts") or {}},
        contacts=found.get("contacts") or {},
        targets=targets,
    )
    escalate_to = found.get("escalate_to") or {}
    if escalated(event, now):
        for person, url in escalate_to.items():
            title, body = reach.message(event, link(person))
            key = reach.notice_key("escalate", request_id, person, url)
            notices.append(Notice(key, "escalate", person, url, "Escalated: " + title, body))
    round_ = _round(event, now)
    if round_:
        contacts = dict(found.get("contacts") or {})
        if escalated(event, now):
            contacts.update(escalate_to)
        reminded: list[tuple[str, str, str]] = [
            (person, url, link(person))
            for person, url in contacts.items()
            if person not in answered
        ]
        if not event.get("respondents"):
            reminded += [("notify", url, link(None)) for url in targets]
        for person, url, their_link in reminded:
            title, body = reach.message(event, their_link)
            key = reach.notice_key(f"remind {round_}", request_id, person, url)
            notices.append(Notice(key, "remind", person, url, f"Reminder {round_}: {title}", body))
    return notices


def _closing(event: dict[str, Any], holding: dict[str, Any], url: str) -> Notice:
    state = holding["state"]
    value = holding.get("value")
    by = holding.get("by")
    who = ", ".join(by) if isinstance(by, list) else by
    if state == documents.ANSWERED:
        if isinstance(value, dict) and set(value) == {"approved", "comment", "by"}:
            said = "approved" if value["approved"] else "rejected"
        else:
            said = f"answered: {value!r}"
        line = f"{said}{f' by {who}' if who else ''}"
        comment = holding.get("comment")
        if comment:
            line += f"\n\n> {comment}"
    else:
        line = state
    title = f"{event['name']}: {line.splitlines()[0]}"
    body = f"{event['prompt']}\n\n**{line}**"
    key = reach.notice_key("close", event["request_id"], "notify", url)
    return Notice(key, "close", "notify", url, title, body)

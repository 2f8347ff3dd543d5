"""Bringing a question to people: who is told what, as notices to deliver.

Respondents given with a contact (an Apprise URL) are sent their personal link;
notify= targets (HITL_NOTIFY by default) the event's own link. A message
carries the prompt (Markdown, for channels that take it), the link and the
deadline.

Each notice has a key derived from what it is (its kind, its recipient, its
channel), so every process that plans the same notice names it the same: its
claim, a write-once document, lets exactly one of them send it
(delivery.py). These functions read no store and send nothing.
"""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from . import labels
from .strict_json import encodable

__all__ = [
    "Later",
    "Notice",
    "asking",
    "channel",
    "check_schedule",
    "check_targets",
    "message",
    "notice_key",
]

MAX_TARGETS = 50
_PROMPT_IN_TITLE = 80


@dataclass(frozen=True)
class Notice:
    """One message to one channel, named by key (the claim's name)."""

    key: str
    kind: str  # "ask" for now
    to: str  # a respondent's id, or "notify" for a notify= target
    url: str  # the Apprise URL: never shown, it may hold a secret
    title: str
    body: str  # Markdown

    def describe(self) -> dict[str, Any]:
        """What status() shows of it: never the URL, which may hold a secret."""
        return {"kind": self.kind, "to": self.to, "channel": channel(self.url)}


def channel(url: str) -> str:
    """A channel as people may see it: the URL's scheme (mailto, slack, json, ...)."""
    return urlsplit(url).scheme or "unknown"


def _looks_like_a_url(url: object) -> bool:
    """Text with a scheme; whether Apprise can send to it, delivery.check_url() says."""
    return isinstance(url, str) and "://" in url and encodable(url)


def check_targets(targets: object) -> tuple[str, ...]:
    """notify= as URLs: a list of them (one URL alone is taken as a list of one)."""
    if targets is None:
        return ()
    if isinstance(targets, str):
        targets = [targets]
    if not isinstance(targets, Iterable) or isinstance(targets, (bytes, Mapping)):
        raise TypeError(f"notify= is a list of Apprise URLs, not {targets!r}")
    found = list(targets)
    for url in found:
        if not _looks_like_a_url(url):
            raise ValueError(
                f"notify= takes Apprise URLs like slack://... or mailto://..., not {url!r}"
            )
    if len(found) > MAX_TARGETS:
        raise ValueError(f"notify= may name at most {MAX_TARGETS} targets")
    return tuple(dict.fromkeys(found))


@dataclass(frozen=True)
class Later:
    """remind_every=, escalate_after= and escalate_to=, checked."""

    remind_every: float | None
    escalate_after: float | None
    escalate_to: dict[str, str]


def _seconds(value: object, what: str, timeout: float) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value < timeout:
        raise ValueError(
            f"{what} must be a number of seconds between 0 and the timeout ({timeout:g}), "
            f"not {value!r}"
        )
    return float(value)


def check_schedule(
    timeout: float,
    respondents: tuple[str, ...],
    contacts: Mapping[str, str],
    targets: tuple[str, ...],
    *,
    remind_every: object,
    escalate_after: object,
    escalate_to: object,
) -> Later:
    """The reminders and escalation asked for, or ValueError for ones that cannot happen."""
    every = _seconds(remind_every, "remind_every=", timeout)
    after = _seconds(escalate_after, "escalate_after=", timeout)
    if every is not None and not (contacts or (targets and not respondents)):
        raise ValueError(
            "remind_every= has nobody to remind: give respondents a contact "
            "(respondents={id: url}), or notify= targets to an event without respondents"
        )
    if (after is None) != (escalate_to is None):
        raise ValueError("escalate_after= and escalate_to= go together")
    added: dict[str, str] = {}
    if escalate_to is not None:
        from .people import check_person

        if not respondents:
            raise ValueError("escalate_to= adds respondents: the event needs respondents=")
        if not isinstance(escalate_to, Mapping) or not escalate_to:
            raise TypeError("escalate_to= is a mapping of respondent id to contact URL")
        for person, url in escalate_to.items():
            check_person(person)
            if person in respondents:
                raise ValueError(f"{person!r} is a respondent already")
            if not _looks_like_a_url(url):
                raise ValueError(f"the contact of {person!r} must be an Apprise URL, not {url!r}")
            added[person] = url
    return Later(every, after, added)


def notice_key(*parts: str) -> str:
    """A notice's name: the same for the same notice, in every process."""
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]


def _plain(markdown_line: str) -> str:
    """A line of Markdown as plain text, for a title: its emphasis and links dropped."""
    from . import markdown  # markdown-it loads on the first message, not with hitl

    rendered = markdown.to_html(markdown_line)
    return html.unescape(re.sub(r"<[^>]*>", "", rendered)).strip() or markdown_line


def message(event: dict[str, Any], link: str) -> tuple[str, str]:
    """The title and Markdown body that ask a person the event's question."""
    prompt = event["prompt"]
    first = _plain(prompt.strip().splitlines()[0]) if prompt.strip() else event["name"]
    if len(first) > _PROMPT_IN_TITLE:
        first = first[: _PROMPT_IN_TITLE - 1] + "…"
    title = f"{event['name']}: {first}"
    expected = labels.expected_answer(event["type"])
    body = (
        f"{prompt}\n\n"
        f"Answer here: <{link}>\n\n"
        f"Expected: {expected}. Please answer before {event['expires_at']} (UTC)."
    )
    return title, body


def asking(
    event: dict[str, Any],
    *,
    event_link: str,
    personal_links: Mapping[str, str],
    contacts: Mapping[str, str],
    targets: Iterable[str],
) -> list[Notice]:
    """The notices that ask the question: each contact gets their own link, each
    notify= target the event's."""
    notices = []
    for person, url in contacts.items():
        title, body = message(event, personal_links[person])
        key = notice_key("ask", event["request_id"], person, url)
        notices.append(Notice(key, "ask", person, url, title, body))
    for url in targets:
        title, body = message(event, event_link)
        key = notice_key("ask", event["request_id"], "notify", url)
        notices.append(Notice(key, "ask", "notify", url, title, body))
    return notices

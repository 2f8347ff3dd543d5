# WARNING: generated from src/hitl_async/_listing.py by codegen/unasync.py. DO NOT EDIT.
"""Inboxes: a page of events, newest first, for the operator (every event) or for
a respondent (the events that name them), as GET /inbox and `hitl list` show them.

A page is chosen from names alone: one listing of the inbox's entries (their
names say when each event was made and expires) and one of the outcomes. Then
only the page's own events are read. So a page of pending, closed or all events
costs O(page) reads however many events the store holds. The finer filters
(answered, cancelled, expired) must read the outcomes of closed events to tell
them apart, in order, until the page is full.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from hitl_core import rules
from hitl_core.documents import Entry
from hitl_core.errors import StoreError, StoreUnavailable

from ._store import Store

__all__ = ["Page", "page_of"]

log = logging.getLogger("hitl")


@dataclass(frozen=True)
class Page:
    """Events of one page, each with the outcome that holds now, and whether more follow."""

    events: list[tuple[dict[str, Any], dict[str, Any] | None]]
    number: int
    per_page: int
    state: str
    more: bool


def page_of(
    store: Store, person: str | None, *, state: str, number: int, per_page: int, now: datetime
) -> Page:
    """Page `number` (from 1) of an inbox, filtered by state."""
    entries = store.inbox_entries(person)
    closed = frozenset() if state == "all" else frozenset(store.list_outcomes())
    first = (number - 1) * per_page
    if state in ("pending", "closed", "all"):
        chosen = [e for e in entries if _chosen(e, state, now, closed)]
        window = chosen[first : first + per_page]
        events = [found for found in [_read(store, e, now) for e in window] if found]
        return Page(events, number, per_page, state, len(chosen) > first + per_page)
    matched: list[tuple[dict[str, Any], dict[str, Any] | None]] = []
    for entry in entries:
        if len(matched) > first + per_page:
            break
        if entry.pending_at(now, closed):
            continue
        found = _read(store, entry, now)
        if found is not None and found[1] is not None and found[1]["state"] == state:
            matched.append(found)
    shown = matched[first : first + per_page]
    return Page(shown, number, per_page, state, len(matched) > first + per_page)


def _chosen(entry: Entry, state: str, now: datetime, closed: frozenset[str]) -> bool:
    if state == "all":
        return True
    return entry.pending_at(now, closed) == (state == "pending")


def _read(
    store: Store, entry: Entry, now: datetime
) -> tuple[dict[str, Any], dict[str, Any] | None] | None:
    """The entry's event and the outcome that holds now; None if it cannot be read."""
    try:
        event = store.read_event(entry.request_id)
        if event is None:
            return None
        outcome = store.read_outcome(entry.request_id)
    except StoreUnavailable:
        raise
    except StoreError as exc:  # a damaged document: the rest of the page still shows
        log.warning("hitl: skipping %s in an inbox: %s", entry.request_id, exc)
        return None
    return event, rules.effective(event, outcome, now)

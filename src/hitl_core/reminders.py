"""The process's watch over events with a reach: it sends their reminders, escalations
and closing words when they fall due (schedule.py), through Deliveries.

One thread per process, started on first use, reads the store directly (the
blocking backends of storage.py): each watched event's outcome and votes, when
its next notice is due and at least every few seconds. The waiting task
watches the events it asked; `hitl serve` watches every event with a reach,
so reminders go on while the task is down. Claims make each notice go once,
however many processes watch.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from . import documents, identity, people, rules, schedule
from .delivery import Deliveries
from .errors import StoreError
from .storage import Backend
from .threads import leave_signals_to_the_main_thread

__all__ = ["CHECK_EVERY_SECONDS", "Reminders"]

log = logging.getLogger("hitl")

CHECK_EVERY_SECONDS = 5.0


class Reminders:
    """Events watched by this process, and the thread that sends what falls due."""

    def __init__(
        self, deliveries: Callable[[], Deliveries], *, check_every: float = CHECK_EVERY_SECONDS
    ) -> None:
        self.deliveries = deliveries  # the process's senders, looked up at each send
        self.check_every = check_every
        self._lock = threading.Condition()
        self._watched: dict[tuple[str, str], tuple[Backend, dict[str, Any], float]] = {}
        self._thread: threading.Thread | None = None

    def watch(self, backend: Backend, event: dict[str, Any]) -> None:
        """Send event's notices as they fall due, until it is closed and its closing
        word is sent (again is harmless)."""
        if not isinstance(event.get("reach"), dict):
            return
        with self._lock:
            self._watched.setdefault((backend.url, event["request_id"]), (backend, event, 0.0))
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="hitl-reminders", daemon=True
                )
                self._thread.start()
            self._lock.notify_all()

    def watches(self, store_url: str, request_id: str) -> bool:
        """Whether this process still watches the event (until its closing word is sent)."""
        with self._lock:
            return (store_url, request_id) in self._watched

    def clear(self) -> None:
        """Stop watching every event."""
        with self._lock:
            self._watched.clear()

    def _run(self) -> None:
        leave_signals_to_the_main_thread()
        while True:
            with self._lock:
                now = time.monotonic()
                ready = [(k, v) for k, v in self._watched.items() if v[2] <= now]
                if not ready:
                    soonest = min((v[2] for v in self._watched.values()), default=now + 60)
                    self._lock.wait(max(0.01, soonest - now))
                    continue
            for key, (backend, event, _) in ready:
                wait = self._look(backend, event)
                with self._lock:
                    if wait is None:
                        self._watched.pop(key, None)
                    else:
                        self._watched[key] = (backend, event, time.monotonic() + wait)

    def _look(self, backend: Backend, event: dict[str, Any]) -> float | None:
        """Submit what is due; seconds until the next look, or None once it is closed."""
        request_id = event["request_id"]
        try:
            outcome = _read(backend, documents.outcome_path(request_id))
            answered = {
                str(vote.get("by"))
                for vote in _votes(backend, request_id)
                if isinstance(vote.get("by"), str)
            }
            secret = bytes.fromhex((_read(backend, documents.SECRET_PATH) or {})["secret"])
        except (StoreError, KeyError, ValueError) as exc:
            log.warning("hitl: the notices of %s wait: %s", request_id, exc)
            return self.check_every
        now = documents.utc_now()
        base = str(event["reach"].get("link_base", "")).rstrip("/")

        def link(person: str | None) -> str:
            token = (
                identity.event_token(secret, request_id)
                if person is None
                else identity.personal_token(secret, request_id, person)
            )
            return f"{base}/form/{request_id}?token={token}"

        notices = schedule.due(event, outcome, answered=answered, now=now, link=link)
        if people.escalated(event, now):
            _list_escalated(backend, event)
        if notices:
            self.deliveries().submit(backend, request_id, notices)
        if rules.effective(event, outcome, now) is not None:
            return None  # closed (an expiry included): its closing word is among the notices
        return schedule.next_check(event, now, every=self.check_every)


def _read(backend: Backend, path: str) -> dict[str, Any] | None:
    data = backend.read(path)
    if data is None:
        return None
    try:
        found = json.loads(data)
    except ValueError as exc:
        raise StoreError(f"{path} is damaged: {exc}") from exc
    return found if isinstance(found, dict) else None


def _votes(backend: Backend, request_id: str) -> list[dict[str, Any]]:
    folder = documents.votes_folder(request_id)
    found = []
    for name in backend.list(folder):
        vote = _read(backend, f"{folder}/{name}") if name.endswith(".json") else None
        if vote is not None:
            found.append(vote)
    return found


def _list_escalated(backend: Backend, event: dict[str, Any]) -> None:
    """Put the event in the inboxes of the people it escalated to (again is harmless)."""
    name = documents.entry_name(event)
    entry = json.dumps(documents.entry_document(event))
    for person in event["reach"].get("escalate_to") or {}:
        backend.create(f"{documents.listing_folder(person)}/{name}", entry.encode())

# WARNING: generated from src/hitl_async/_waiting.py by codegen/unasync.py. DO NOT EDIT.
"""Waiting for an outcome: wake-ups, the app's long-poll, and the store's change feed.

Storage is the source of truth; everything else only makes a wait end sooner.
The timing decisions are hitl_core.waiting's (WaitSchedule, FeedState); this
module does the I/O they call for.

- Same process: storing an outcome wakes its local waiters at once (wakeups);
  a waiter holding a long-poll learns of it through the app instead, which
  looks at the store every second.
- Other processes: the waiter holds a long-poll on the app that serves the
  event, which answers as soon as the outcome is stored.
- Always: the store is polled on ticks of poll_interval_seconds. The waiters
  of one event loop (one process, for the blocking flavor) share an
  OutcomeFeed, which lists the store's change feed once per tick from a
  cursor (one request per hour folder, two at most), however many events wait
  and however many outcomes the store holds; a waiter reads its outcome only
  when the feed shows its request changed.
- A store that does not answer is retried with backoff and a log line; the
  wait goes on. A damaged document is an error for the caller.
"""

from __future__ import annotations

import logging
import math
from typing import Any

from hitl_core import documents
from hitl_core.endpoint import tls_context
from hitl_core.errors import StoreUnavailable
from hitl_core.waiting import LONG_POLL, SIGNAL, FeedState, Pause, WaitSchedule, wall_ms

from . import _compat, _operations
from ._store import Store

__all__ = ["LongPoll", "OutcomeFeed", "outcome_of"]

log = logging.getLogger("hitl")

# Longest hold asked of the app per long-poll request (it allows up to 60 s).
LONG_POLL_SECONDS = 25.0


class OutcomeFeed:
    """Which requests of a store may have an outcome, from the change feed listed once
    per tick for every waiter of the event loop.

    A failed listing fails every waiter that would have shared it, so an outage
    costs one try per tick, not one per waiter. What the listings tell is kept
    in a FeedState (see hitl_core.waiting).
    """

    def __init__(self, store: Store) -> None:
        self._store = store
        self.state = FeedState(wall_ms())
        self._lock = _compat.Lock()
        self._listed_at = -math.inf
        self._failed_at = -math.inf
        self._failure: StoreUnavailable | None = None

    @staticmethod
    def of(store: Store) -> OutcomeFeed:
        """The feed of a store for the running event loop."""
        feeds: dict[str, OutcomeFeed] = _compat.loop_state().setdefault("outcome_feeds", {})
        feed = feeds.get(store.key)
        if feed is None:
            feed = feeds[store.key] = OutcomeFeed(store)
        return feed

    def known_pending(self, request_id: str, *, votes: bool = False) -> bool:
        """True if a read found no outcome of request_id (and for votes=True, no
        decision in its votes) and no listing since showed it changed: reading it
        again would find what that read found. Costs no storage request."""
        return self.state.known_pending(request_id, votes=votes)

    def may_have_outcome(self, request_id: str, since: float, *, votes: bool) -> bool:
        """False if the request is known pending after a listing begun at or after
        `since` (on the monotonic clock)."""
        with self._lock:
            if self._listed_at < since:
                if self._failure is not None and self._failed_at >= since:
                    raise self._failure
                started = _compat.monotonic()
                window = self.state.window(wall_ms())
                try:
                    changes = self._store.list_changes(window.start_ms, window.folders)
                except StoreUnavailable as exc:
                    self._failure, self._failed_at = exc, started
                    raise
                self.state.listed(window, changes)
                self._listed_at = started
        return not self.state.known_pending(request_id, votes=votes)

    def read(
        self, request_id: str, voted_on: dict[str, Any] | None = None
    ) -> dict[str, Any] | None:
        """The stored outcome (with voted_on, the event's document: the decision its
        votes make, recorded); None is remembered as known pending."""
        began = wall_ms()
        outcome = self._store.read_outcome(request_id)
        if outcome is None and voted_on is not None:
            outcome = _operations.decide(self._store, voted_on)
        if outcome is None:
            self.state.nothing_at(request_id, votes=voted_on is not None, read_ms=began)
        else:
            self.state.forget(request_id)
        return outcome


class LongPoll:
    """Asks the app serving an event to answer as soon as the event's outcome is stored.

    Holds an HTTP client until close(); httpx is imported by the first one, so a
    process whose events are served in-process never loads it.
    """

    def __init__(self, endpoint: str, request_id: str, token: str) -> None:
        import httpx

        self._httpx = httpx
        self._client = httpx.Client(verify=tls_context())
        self._url = f"{endpoint}/events/{request_id}/wait"
        self._token = token
        self.reachable = True

    def close(self) -> None:
        self._client.close()

    def closed_within(self, seconds: float) -> bool:
        """True if the app reports the event closed within that many seconds."""
        if seconds <= 0:
            return False
        try:
            response = self._client.get(
                self._url,
                params={"timeout": f"{seconds:.3f}"},
                headers={"Authorization": f"Bearer {self._token}"},
                # Connecting must not outlast the pause: the store is polled after it.
                timeout=self._httpx.Timeout(seconds + 10, connect=min(5.0, seconds)),
            )
            response.raise_for_status()
            body = response.json()
        except (self._httpx.HTTPError, ValueError) as exc:
            if self.reachable:
                log.warning(
                    "hitl: cannot long-poll %s (%s); polling the store until it answers",
                    self._url,
                    exc,
                )
            self.reachable = False
            return False
        if not self.reachable:
            log.warning("hitl: long-polling %s again", self._url)
            self.reachable = True
        return isinstance(body, dict) and body.get("status") != documents.PENDING


def _pause(
    signal: _compat.Signal, pause: Pause, long_poll: LongPoll | None, schedule: WaitSchedule
) -> str | None:
    """Wait until the pause ends or something wakes the waiter; what woke it, if anything."""
    until = pause.until
    if long_poll is not None and pause.long_poll:
        # One try per pause even after a failure, so a recovered app is used again.
        while (left := until - _compat.monotonic()) > 0:
            if long_poll.closed_within(min(left, LONG_POLL_SECONDS)):
                return LONG_POLL
            if not long_poll.reachable:
                until = schedule.long_poll_failed(_compat.monotonic(), until)
                break
    return SIGNAL if signal.wait(until - _compat.monotonic()) else None


def outcome_of(
    store: Store,
    request_id: str,
    *,
    until: float,
    poll_interval: float,
    long_poll: LongPoll | None = None,
    expire: bool = False,
    voted_on: dict[str, Any] | None = None,
    trust_feed: bool = False,
) -> dict[str, Any] | None:
    """The event's outcome once stored.

    At monotonic time `until`, with expire=True, the event is marked expired
    (unless an outcome stands) and the standing outcome returned; otherwise
    the outcome is read one last time and returned, or None. The store's
    wake-ups end a pause when this process stores the outcome.

    voted_on, the document of an event decided by votes, has each look count
    them too: the decision is recorded even if the process that stored the
    deciding vote stopped before it recorded the decision.

    trust_feed=True lets the first and the last look trust this event loop's
    change feed: a request it knows pending (an earlier wait read it, and no
    change of it was listed since) is not read, so a wait renewed again and again
    (the app's long-poll) costs no storage request while nothing changes. Only
    for stores whose every writer announces its outcomes in the change feed.
    """
    feed = OutcomeFeed.of(store)
    votes = voted_on is not None
    signal = _compat.Signal()
    schedule = WaitSchedule(
        request_id=request_id,
        started=_compat.monotonic(),
        until=until,
        poll_interval=poll_interval,
        long_poll=long_poll is not None,
    )
    wakeups = store.wakeups
    wake = signal.set
    wakeups.listen(store.key, request_id, wake)
    try:
        while True:
            try:
                if schedule.deadline_reached(_compat.monotonic()):
                    if expire:
                        return _operations.expire(store, request_id, via="timeout")
                    trusted = trust_feed and not schedule.read_now  # a wake-up reads
                    if trusted and feed.known_pending(request_id, votes=votes):
                        return None
                    return store.read_outcome(request_id)
                if schedule.first:
                    # Read: the outcome may have been stored before the wait began.
                    look = not (trust_feed and feed.known_pending(request_id, votes=votes))
                else:
                    look = schedule.read_now or feed.may_have_outcome(
                        request_id, schedule.since, votes=votes
                    )
                outcome = feed.read(request_id, voted_on) if look else None
                schedule.store_answered()
                if outcome is not None:
                    return outcome
                reachable = long_poll is not None and long_poll.reachable
                pause = schedule.nothing_yet(_compat.monotonic(), long_poll_reachable=reachable)
            except StoreUnavailable as exc:
                failed = schedule.store_failed(_compat.monotonic(), expire=expire, reason=exc)
                if failed is None:
                    raise
                pause = failed
            # A plain pair of calls, not a context manager: thousands of waits pause at once.
            wakeups.pause(request_id)
            try:
                woken_by = _pause(signal, pause, long_poll, schedule)
            finally:
                wakeups.resume(request_id)
            if woken_by is not None:
                # Only now: a wake-up given after a pause ran out must not be lost.
                signal.clear()
            schedule.resumed(pause, woken_by, _compat.monotonic())
    finally:
        wakeups.unlisten(store.key, request_id, wake)

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
import threading
from typing import Any

from hitl_core import documents
from hitl_core.endpoint import tls_context
from hitl_core.errors import StoreUnavailable
from hitl_core.waiting import LONG_POLL, SIGNAL, FeedState, Pause, WaitSchedule, wall_ms

from . import _compat, _operations
from ._store import Store

__all__ = ["LongPoll", "LongPolls", "OutcomeFeed", "outcome_of"]

log = logging.getLogger("hitl")

# Longest hold asked of the app per long-poll request (it allows up to 60 s).
LONG_POLL_SECONDS = 25.0
# Events one long-poll request watches (the app takes up to 400).
LONG_POLL_BATCH = 400
# How long a wait that begins a long-poll request waits for others to join it.
GATHER_SECONDS = 0.02


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
        self._listing: _compat.Flag | None = None  # set when the listing in flight ends
        # Who lists is claimed under a plain lock: the blocking flavor's threads share a
        # feed (on an event loop nothing contends for it, and nothing awaits under it).
        self._claim = threading.Lock()
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

    async def may_have_outcome(self, request_id: str, since: float, *, votes: bool) -> bool:
        """False if the request is known pending after a listing begun at or after
        `since` (on the monotonic clock)."""
        if self._listed_at < since:  # else a listing shared this tick has told
            await self._list_since(since)
        return not self.state.known_pending(request_id, votes=votes)

    async def _list_since(self, since: float) -> None:
        """List the feed, unless a listing begun at or after since did meanwhile.

        Waits that need a listing while one is in flight wait for it together (and
        list again if it began before they needed it), rather than queue one by one:
        thousands of waits look at every tick.
        """
        while self._listed_at < since:
            if self._failure is not None and self._failed_at >= since:
                raise self._failure
            with self._claim:
                in_flight = self._listing
                if in_flight is None:
                    self._listing = done = _compat.Flag()
            if in_flight is not None:
                await in_flight.wait()
                continue
            started = _compat.monotonic()
            try:
                window = self.state.window(wall_ms())
                changes = await self._store.list_changes(window.start_ms, window.folders)
                self.state.listed(window, changes)
                self._listed_at = started
            except StoreUnavailable as exc:
                self._failure, self._failed_at = exc, started
                raise
            finally:
                self._listing = None
                done.set()

    async def read(
        self, request_id: str, voted_on: dict[str, Any] | None = None
    ) -> dict[str, Any] | None:
        """The stored outcome (with voted_on, the event's document: the decision its
        votes make, recorded); None is remembered as known pending."""
        began = wall_ms()
        outcome = await self._store.read_outcome(request_id)
        if outcome is None and voted_on is not None:
            outcome = await _operations.decide(self._store, voted_on)
        if outcome is None:
            self.state.nothing_at(request_id, votes=voted_on is not None, read_ms=began)
        else:
            self.state.forget(request_id)
        return outcome


class LongPoll:
    """Asks the app serving an event to tell as soon as the event's outcome is stored.

    The long-polls of one event loop (of a process, for the blocking flavor) on one
    app share their requests (LongPolls): one request watches up to LONG_POLL_BATCH
    events, so 10,000 waiting events hold 25 connections, not 10,000. A long-poll
    belongs to its batch from creation to close(), between its pauses too.
    """

    def __init__(self, endpoint: str, request_id: str, token: str) -> None:
        self._polls = LongPolls.of(endpoint)
        self._member = _Member(request_id, token)
        self._polls.join(self._member)

    @property
    def reachable(self) -> bool:
        return self._member.reachable

    async def close(self) -> None:
        await self._polls.leave(self._member)

    async def closed_within(self, seconds: float) -> bool:
        """True if the app reports the event closed within that many seconds."""
        if seconds <= 0:
            return False
        return await self._polls.closed_within(self._member, seconds)


class _Member:
    """One event in the long-polls of its loop."""

    # Thousands of waits may each hold one.
    __slots__ = ("closed", "covered", "reachable", "request_id", "signal", "token")

    def __init__(self, request_id: str, token: str) -> None:
        self.request_id = request_id
        self.token = token
        self.signal = _compat.Signal()
        self.covered = False  # a request in flight watches it
        self.closed = False  # the app said so, and its wait has not heard yet
        self.reachable = True


class LongPolls:
    """The long-polls of an event loop on one app, in shared requests.

    A wait that pauses on its long-poll while no request watches its event leads
    one: it waits GATHER_SECONDS for the waits that begin with it, takes up to
    LONG_POLL_BATCH events that no request watches, hands the rest to another
    waiting wait, and sends POST /events/wait. When the app answers, the events it
    names are closed, every wait of the batch is woken, and the next pause of any
    of them leads the next request. An app without that route (an older hitl) is
    asked one event at a time, as before.
    """

    def __init__(self, endpoint: str) -> None:
        import httpx

        self._httpx = httpx
        self._endpoint = endpoint
        self._url = f"{endpoint}/events/wait"
        self._members: set[_Member] = set()
        self._idle: set[_Member] = set()  # waiting for a request to take them
        self._gathering = False
        self._requests = 0  # in flight
        self._client: Any = None
        self._batched = True

    @staticmethod
    def of(endpoint: str) -> LongPolls:
        """The long-polls of the running event loop on endpoint."""
        polls: dict[str, LongPolls] = _compat.loop_state().setdefault("long_polls", {})
        found = polls.get(endpoint)
        if found is None:
            found = polls[endpoint] = LongPolls(endpoint)
        return found

    @property
    def requests(self) -> int:
        """Requests in flight: connections held on the app."""
        return self._requests

    def join(self, member: _Member) -> None:
        self._members.add(member)

    async def leave(self, member: _Member) -> None:
        self._members.discard(member)
        self._idle.discard(member)
        if not self._members and not self._requests and self._client is not None:
            client, self._client = self._client, None
            await client.aclose()

    async def closed_within(self, member: _Member, seconds: float) -> bool:
        until = _compat.monotonic() + seconds
        try:
            while True:
                if member.closed:
                    member.closed = False
                    return True
                left = until - _compat.monotonic()
                if left <= 0:
                    return False
                if not member.covered and not self._gathering:
                    await self._lead(member, until)
                    if not member.reachable:
                        return False
                    continue
                if not member.covered:
                    self._idle.add(member)
                await member.signal.wait(left)
                member.signal.clear()
                self._idle.discard(member)
        finally:
            self._idle.discard(member)

    async def _lead(self, member: _Member, until: float) -> None:
        """Send one request for member and the events no request watches."""
        self._gathering = True
        try:
            await _compat.sleep(GATHER_SECONDS)  # the waits that begin with this one join
        finally:
            self._gathering = False
        size = LONG_POLL_BATCH if self._batched else 1
        # Copies: in the blocking flavor other threads join and leave meanwhile.
        others = [m for m in list(self._members) if not m.covered and m is not member]
        batch = [member, *others][:size]
        for taken in batch:
            taken.covered = True
            self._idle.discard(taken)
        for left_out in list(self._idle)[:1]:  # one of the waits left out leads the next
            left_out.signal.set()
        self._requests += 1
        closed: set[str] = set()
        reachable = False
        try:
            hold = max(0.0, min(LONG_POLL_SECONDS, until - _compat.monotonic()))
            closed, reachable = await self._ask(batch, hold)
        finally:
            self._requests -= 1
            for taken in batch:
                taken.covered = False
                taken.reachable = reachable
                taken.closed = taken.closed or taken.request_id in closed
                if taken is not member:
                    taken.signal.set()

    async def _ask(self, batch: list[_Member], hold: float) -> tuple[set[str], bool]:
        """The events of batch the app reports closed within hold seconds, and whether
        the app answered at all (a failure is logged once, and once more on recovery)."""
        client = self._client
        if client is None:
            client = self._client = self._httpx.AsyncClient(verify=tls_context())
        # Connecting must not outlast the pause: the store is polled after it.
        timeout = self._httpx.Timeout(hold + 10, connect=min(5.0, max(hold, 0.1)))
        try:
            if self._batched:
                events = [{"request_id": m.request_id, "token": m.token} for m in batch]
                response = await client.post(
                    self._url, json={"events": events, "timeout": round(hold, 3)}, timeout=timeout
                )
                if response.status_code in (404, 405):  # an app from before this route
                    self._batched = False
                    return set(), True
                response.raise_for_status()
                body = response.json()
                closed = body.get("closed") if isinstance(body, dict) else None
                if not isinstance(closed, list):
                    raise ValueError(f"not a reply of {self._url}: {body!r}")
                found = {rid for rid in closed if isinstance(rid, str)}
            else:
                found = await self._ask_one(client, batch[0], hold, timeout)
        except (self._httpx.HTTPError, ValueError) as exc:
            if any(m.reachable for m in batch):
                log.warning(
                    "hitl: cannot long-poll %s (%s); polling the store until it answers",
                    self._endpoint,
                    exc,
                )
            return set(), False
        if not all(m.reachable for m in batch):
            log.warning("hitl: long-polling %s again", self._endpoint)
        return found, True

    async def _ask_one(self, client: Any, member: _Member, hold: float, timeout: Any) -> set[str]:
        response = await client.get(
            f"{self._endpoint}/events/{member.request_id}/wait",
            params={"timeout": f"{hold:.3f}"},
            headers={"Authorization": f"Bearer {member.token}"},
            timeout=timeout,
        )
        response.raise_for_status()
        body = response.json()
        if isinstance(body, dict) and body.get("status") != documents.PENDING:
            return {member.request_id}
        return set()


async def _pause_on_long_poll(
    signal: _compat.Signal, pause: Pause, long_poll: LongPoll, schedule: WaitSchedule
) -> str | None:
    """Wait until the pause ends, the app reports the event closed, or a wake-up;
    what ended it early, if anything."""
    until = pause.until
    # One try per pause even after a failure, so a recovered app is used again.
    while (left := until - _compat.monotonic()) > 0:
        if await long_poll.closed_within(min(left, LONG_POLL_SECONDS)):
            return LONG_POLL
        if not long_poll.reachable:
            until = schedule.long_poll_failed(_compat.monotonic(), until)
            break
    return SIGNAL if await signal.wait(until - _compat.monotonic()) else None


async def outcome_of(
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
                        return await _operations.expire(store, request_id, via="timeout")
                    trusted = trust_feed and not schedule.read_now  # a wake-up reads
                    if trusted and feed.known_pending(request_id, votes=votes):
                        return None
                    return await store.read_outcome(request_id)
                if schedule.first:
                    # Read: the outcome may have been stored before the wait began.
                    look = not (trust_feed and feed.known_pending(request_id, votes=votes))
                else:
                    look = schedule.read_now or await feed.may_have_outcome(
                        request_id, schedule.since, votes=votes
                    )
                outcome = await feed.read(request_id, voted_on) if look else None
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
                if long_poll is not None and pause.long_poll:
                    woken_by = await _pause_on_long_poll(signal, pause, long_poll, schedule)
                else:  # awaited here: no frame of its own for thousands of waits
                    woken = await signal.wait(pause.until - _compat.monotonic())
                    woken_by = SIGNAL if woken else None
            finally:
                wakeups.resume(request_id)
            if woken_by is not None:
                # Only now: a wake-up given after a pause ran out must not be lost.
                signal.clear()
            schedule.resumed(pause, woken_by, _compat.monotonic())
    finally:
        wakeups.unlisten(store.key, request_id, wake)

"""When a wait looks at the store, holds the app's long-poll, or pauses; and what
the change feed tells the waiters of a process.

WaitSchedule makes every timing decision of a wait and does no I/O: the
flavors' outcome_of() drives it with what happened and the time it happened
(a monotonic clock in seconds), so the schedule can be tested on a fake clock.
FeedState does the same for the change feed the waiters of a process share
(wall-clock milliseconds, as the feed's entries are named).

A wait repeats: look for the outcome; if none, pause until the next tick, the
deadline or a wake-up. Its rules:

- The first look reads the outcome: it may have been stored before the wait
  began (by a version of hitl that wrote no change entries, too).
- Ticks fall on multiples of the poll interval, so the waiters of a process
  wake together and share one listing of the change feed per tick: one
  request per hour folder the window spans (two at most), however many
  outcomes the store holds. A wait reads its outcome again only when the feed
  lists a change of its request.
- A wait that holds the app's long-poll lets the app watch the store for it
  and pauses until its deadline; once the long-poll fails, it pauses until
  the next tick at the latest and polls the store from then on, trying the
  app again at each pause.
- A long-poll that reports the event closed before its outcome can be read
  (an expiry nobody has stored yet) sits out one tick, so a wait cannot spin.
- A wake-up (this process stored the outcome) makes the next look a read.
- A store that does not answer is retried after 0.5 s, doubling to 30 s; the
  deadline does not end the retries of a wait that must record the expiry.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass

from .bounded import Bounded
from .documents import OUTCOME_CHANGE, Change, change_folders

__all__ = [
    "CHANGE_MARGIN_SECONDS",
    "FIRST_RETRY_SECONDS",
    "LAST_RETRY_SECONDS",
    "LONG_POLL",
    "MAX_KNOWN_PENDING",
    "SIGNAL",
    "FeedState",
    "FeedWindow",
    "Pause",
    "WaitSchedule",
    "next_tick",
    "wall_ms",
]

log = logging.getLogger("hitl")

FIRST_RETRY_SECONDS = 0.5
LAST_RETRY_SECONDS = 30.0
# What ended a pause early.
LONG_POLL = "long-poll"
SIGNAL = "signal"


def next_tick(now: float, interval: float) -> float:
    """The first multiple of interval after now."""
    return (math.floor(now / interval) + 1) * interval


@dataclass(frozen=True, slots=True)
class Pause:
    """How a wait pauses: until when at the latest, and holding the long-poll or not."""

    until: float
    long_poll: bool
    polling: bool  # not holding the long-poll: looks at the store (its change feed) at its end


class WaitSchedule:
    """The timing decisions of one wait for one event."""

    # Thousands of waits may each hold one.
    __slots__ = (
        "first",
        "has_long_poll",
        "poll_interval",
        "read_now",
        "request_id",
        "retry_delay",
        "since",
        "until",
        "use_long_poll",
    )

    def __init__(
        self,
        *,
        request_id: str,
        started: float,
        until: float,
        poll_interval: float,
        long_poll: bool,
    ) -> None:
        self.request_id = request_id
        self.until = until
        self.poll_interval = poll_interval
        self.has_long_poll = long_poll
        self.use_long_poll = long_poll
        self.first = True  # the first look joins the waits that begin with it
        self.read_now = False  # woken: read the outcome without asking the listing
        self.since = started  # a listing begun before this cannot tell of the outcome
        self.retry_delay = 0.0

    def deadline_reached(self, now: float) -> bool:
        return now >= self.until

    def nothing_yet(self, now: float, *, long_poll_reachable: bool) -> Pause:
        """The store holds no outcome yet: pause until the deadline (holding the
        long-poll) or the next tick (polling)."""
        self.first = False
        held = self.use_long_poll and long_poll_reachable
        until = self.until if held else min(next_tick(now, self.poll_interval), self.until)
        return Pause(until=until, long_poll=self.use_long_poll, polling=not held)

    def store_failed(self, now: float, *, expire: bool, reason: object) -> Pause | None:
        """The store did not answer: the pause before a retry, or None to give up
        (past the deadline, unless the wait must record the expiry)."""
        if self.deadline_reached(now) and not expire:
            return None
        self.retry_delay = min(LAST_RETRY_SECONDS, max(FIRST_RETRY_SECONDS, self.retry_delay * 2))
        log.warning(
            "hitl: the store failed while waiting for event %r; retrying in %.1f s: %s",
            self.request_id,
            self.retry_delay,
            reason,
        )
        until = now + self.retry_delay
        if now < self.until:
            until = min(until, self.until)
        return Pause(until=until, long_poll=self.use_long_poll, polling=True)

    def store_answered(self) -> None:
        """A look at the store succeeded (after failures, say so once)."""
        if self.retry_delay:
            log.warning(
                "hitl: the store answers again; still waiting for event %r", self.request_id
            )
            self.retry_delay = 0.0

    def long_poll_failed(self, now: float, until: float) -> float:
        """The app did not answer a long-poll: the pause ends at the next tick at the latest."""
        return min(until, next_tick(now, self.poll_interval))

    def resumed(self, pause: Pause, woken_by: str | None, now: float) -> None:
        """The pause ended, at its end or woken (by a wake-up or the long-poll)."""
        self.read_now = woken_by is not None
        self.use_long_poll = self.has_long_poll and woken_by != LONG_POLL
        self.since = min(pause.until, now)


# How far behind its last listing the change feed lists again. Entries are named
# by their writers' clocks, which differ from ours, and an entry may become
# visible a while after it is named (a slow request, a retried write): an entry
# named up to this long before our last listing may still be new to us. Entries
# seen twice are counted once per look (see FeedState.listed).
CHANGE_MARGIN_SECONDS = 60.0
# Requests the feed remembers as pending (found without an outcome, no change since).
MAX_KNOWN_PENDING = 100_000
# Hour folders one listing may span: the current one, and the one before when the
# window crosses the hour. A longer gap between listings starts the feed afresh.
MAX_CHANGE_FOLDERS = 2


def wall_ms() -> int:
    """Now on the wall clock, in milliseconds since 1970 (what change entries are named by)."""
    return int(time.time() * 1000)


@dataclass(frozen=True, slots=True)
class FeedWindow:
    """What a listing of the change feed covers: the entries named from start_ms on, in
    folders; fresh when the feed starts afresh (a gap too long to list)."""

    start_ms: int
    folders: tuple[str, ...]
    listed_ms: int
    fresh: bool


class FeedState:
    """What the waiters of a process know from a store's change feed; no I/O.

    The feed lists, from a cursor that lags its last listing by the margin,
    the change entries written since; window() says what to list, listed()
    takes what was listed. A request is *known pending* once a read found it
    without an outcome (nothing_at()) and no listing since has shown a change
    of it named at most a margin before that read: listings have covered every
    moment since, so a wait on it can skip reading until one does. Thread-safe
    (the waiting threads of the blocking flavor share one), and bounded: the
    least recently asked of MAX_KNOWN_PENDING requests is forgotten (and then
    read again).

    A change that concerns a wait is an outcome, or for a wait that counts votes
    (votes=True) a vote too.
    """

    def __init__(
        self,
        now_ms: int,
        *,
        margin_seconds: float = CHANGE_MARGIN_SECONDS,
        remembered: int = MAX_KNOWN_PENDING,
    ) -> None:
        self.margin_ms = int(margin_seconds * 1000)
        self._lock = threading.Lock()
        # The feed begins as if it had just listed: no read it vouches for is older.
        self._listed_ms = now_ms
        self._covered_from = now_ms - self.margin_ms
        self._pending = Bounded(remembered)  # (request_id, votes) -> when the read began
        # request_id -> (latest change of any kind, latest outcome change) that recent
        # listings showed: a read that raced a listing must not be vouched for by it.
        self._recent: dict[str, tuple[int, int]] = {}

    def window(self, now_ms: int) -> FeedWindow:
        """What the next listing covers, begun at now_ms."""
        with self._lock:
            start = min(self._listed_ms, now_ms) - self.margin_ms
        folders = change_folders(start, now_ms)
        if len(folders) <= MAX_CHANGE_FOLDERS:
            return FeedWindow(start, tuple(folders), now_ms, fresh=False)
        # Nobody listed for about an hour: rather than list every hour since, start
        # afresh and let each wait read its outcome once more.
        start = now_ms - self.margin_ms
        return FeedWindow(start, tuple(change_folders(start, now_ms)), now_ms, fresh=True)

    def listed(self, window: FeedWindow, changes: Iterable[Change]) -> None:
        """Take a listing of window: the requests it shows changed are pending no more.

        Windows overlap by the margin, so an entry is usually seen twice or more;
        each sighting only ends what is known pending of its request, which is
        harmless: an entry named before a change is written (the store writes it
        first) makes the waits look again until the change shows, or the entry is
        older than their last read by more than the margin.
        """
        with self._lock:
            if window.fresh:
                self._pending.clear()
                self._recent.clear()
                self._covered_from = window.start_ms
            self._listed_ms = window.listed_ms
            for change in changes:
                is_outcome = change.kind == OUTCOME_CHANGE
                any_ms, outcome_ms = self._recent.get(change.request_id, (-1, -1))
                self._recent[change.request_id] = (
                    max(any_ms, change.at_ms),
                    max(outcome_ms, change.at_ms) if is_outcome else outcome_ms,
                )
                for votes in (True, False) if is_outcome else (True,):
                    key = (change.request_id, votes)
                    read_ms = self._pending.get(key)
                    if read_ms is not None and change.at_ms >= read_ms - self.margin_ms:
                        del self._pending[key]
            oldest = window.listed_ms - 2 * self.margin_ms
            if any(latest < oldest for latest, _ in self._recent.values()):
                self._recent = {
                    request_id: seen
                    for request_id, seen in self._recent.items()
                    if seen[0] >= oldest
                }

    def nothing_at(self, request_id: str, *, votes: bool, read_ms: int) -> None:
        """A read begun at read_ms found no outcome (for a wait that counts votes: and
        the votes decide nothing): the request is known pending, unless a listing
        showed it changed since (a listing that ran while it was read)."""
        with self._lock:
            if read_ms - self.margin_ms < self._covered_from:
                return  # the feed started afresh after this read began
            if read_ms < self._listed_ms - self.margin_ms:
                return  # a read slower than the margin: what raced it may be forgotten
            any_ms, outcome_ms = self._recent.get(request_id, (-1, -1))
            if (any_ms if votes else outcome_ms) >= read_ms - self.margin_ms:
                return
            key = (request_id, votes)
            # The latest read vouches for every wait: a change named more than a
            # margin before it would have shown to it.
            self._pending[key] = max(read_ms, self._pending.get(key, read_ms))
            self._pending.touch(key)

    def known_pending(self, request_id: str, *, votes: bool) -> bool:
        """Whether a read found no outcome and the feed has listed no change since."""
        key = (request_id, votes)
        with self._lock:
            if key not in self._pending:
                return False
            self._pending.touch(key)
            return True

    def forget(self, request_id: str) -> None:
        """The request has an outcome (this process read or stored it)."""
        with self._lock:
            for votes in (True, False):
                self._pending.pop((request_id, votes), None)

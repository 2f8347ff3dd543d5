"""When a wait looks at the store, holds the app's long-poll, or pauses.

WaitSchedule makes every timing decision of a wait and does no I/O: the
flavors' outcome_of() drives it with what happened and the time it happened
(a monotonic clock in seconds), so the schedule can be tested on a fake clock.

A wait repeats: look for the outcome; if none, pause until the next tick, the
deadline or a wake-up. Its rules:

- Ticks fall on multiples of the poll interval, so the waiters of a process
  wake together and share one listing of the store per tick.
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
from dataclasses import dataclass

__all__ = [
    "FIRST_RETRY_SECONDS",
    "LAST_RETRY_SECONDS",
    "LONG_POLL",
    "SIGNAL",
    "Pause",
    "WaitSchedule",
    "next_tick",
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
    polling: bool  # counted among the waiters that poll the store (and share its listings)


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

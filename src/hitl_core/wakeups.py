"""Wake-ups within one process: a stored outcome wakes the local waiters of its event.

Storage stays the source of truth. A wake-up only makes a waiter read its
outcome now instead of at its next poll, so a lost wake-up costs time, never
an answer. Callbacks must not block: they run on the thread that stored the
outcome (often the embedded server's).
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable

__all__ = ["Wake", "Wakeups"]

Wake = Callable[[], None]


class Wakeups:
    """The waiters of this process, by store and request id, and the apps it serves.

    Holds one entry per waiting wait() and per embedded server, and drops each
    when it ends, so its size follows what is live, not what has been.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        # Tuples, not lists: thousands of waits may listen, most of them alone on an event.
        self._listeners: dict[tuple[str, str], tuple[Wake, ...]] = {}
        self._paused: Counter[str] = Counter()
        self._endpoints: set[str] = set()

    def listen(self, store_key: str, request_id: str, wake: Wake) -> None:
        """Call wake() whenever an outcome of request_id is stored by this process."""
        key = (store_key, request_id)
        with self._lock:
            self._listeners[key] = (*self._listeners.get(key, ()), wake)

    def unlisten(self, store_key: str, request_id: str, wake: Wake) -> None:
        key = (store_key, request_id)
        with self._lock:
            listeners = self._listeners.get(key, ())
            if wake in listeners:
                at = listeners.index(wake)
                listeners = listeners[:at] + listeners[at + 1 :]
            if listeners:
                self._listeners[key] = listeners
            else:
                self._listeners.pop(key, None)

    def notify(self, store_key: str, request_id: str) -> None:
        """An outcome of request_id was just stored: wake its local waiters."""
        with self._lock:
            listeners = self._listeners.get((store_key, request_id), ())
        for wake in listeners:
            wake()

    def pause(self, request_id: str) -> None:
        """A wait of request_id pauses: until its next tick only a wake-up or the
        app's long-poll can end the pause early. resume() when it ends."""
        with self._lock:
            self._paused[request_id] += 1

    def resume(self, request_id: str) -> None:
        with self._lock:
            self._paused[request_id] -= 1
            if not self._paused[request_id]:
                del self._paused[request_id]

    def paused(self, request_id: str) -> int:
        """How many waits of this process are paused on request_id now."""
        with self._lock:
            return self._paused[request_id]

    def mark_served_here(self, endpoint: str) -> None:
        """endpoint is an app in this process, whose stores wake local waiters directly."""
        with self._lock:
            self._endpoints.add(endpoint.rstrip("/"))

    def unmark_served_here(self, endpoint: str) -> None:
        with self._lock:
            self._endpoints.discard(endpoint.rstrip("/"))

    def served_here(self, endpoint: str) -> bool:
        with self._lock:
            return endpoint.rstrip("/") in self._endpoints

    def __len__(self) -> int:
        """Waiters listening now."""
        with self._lock:
            return sum(len(listeners) for listeners in self._listeners.values())

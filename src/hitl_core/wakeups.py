"""Wake-ups within one process: a stored outcome wakes the local waiters of its event.

Storage stays the source of truth. A wake-up only makes a waiter read its
outcome now instead of at its next poll, so a lost wake-up costs time, never
an answer. Callbacks must not block: they run on the thread that stored the
outcome (often the embedded server's).
"""

from __future__ import annotations

import threading
from collections.abc import Callable

__all__ = ["listen", "mark_served_here", "notify", "served_here", "unlisten"]

Wake = Callable[[], None]

_lock = threading.Lock()
_listeners: dict[tuple[str, str], list[Wake]] = {}
_endpoints: set[str] = set()


def listen(store_key: str, request_id: str, wake: Wake) -> None:
    """Call wake() whenever an outcome of request_id is stored by this process."""
    with _lock:
        _listeners.setdefault((store_key, request_id), []).append(wake)


def unlisten(store_key: str, request_id: str, wake: Wake) -> None:
    key = (store_key, request_id)
    with _lock:
        listeners = _listeners.get(key, [])
        if wake in listeners:
            listeners.remove(wake)
        if not listeners:
            _listeners.pop(key, None)


def notify(store_key: str, request_id: str) -> None:
    """An outcome of request_id was just stored: wake its local waiters."""
    with _lock:
        listeners = list(_listeners.get((store_key, request_id), ()))
    for wake in listeners:
        wake()


def mark_served_here(endpoint: str) -> None:
    """endpoint is an app in this process, whose stores wake local waiters directly."""
    with _lock:
        _endpoints.add(endpoint.rstrip("/"))


def served_here(endpoint: str) -> bool:
    with _lock:
        return endpoint.rstrip("/") in _endpoints

"""Documents that are written once, remembered after they are read.

An event's question and its outcome never change once stored, so a copy read
earlier is as good as a read now: the app answers a repeated answer, a form
or a renewed long-poll without asking storage again. Only documents that
exist are remembered (an absent outcome may appear at any moment), and the
least recently used are forgotten beyond a size, so memory stays bounded.
"""

from __future__ import annotations

import threading
from typing import Any

from .bounded import Bounded

__all__ = ["EVENTS_REMEMBERED", "OUTCOMES_REMEMBERED", "WrittenOnce"]

# A parsed event document takes about 2 KB, an outcome about 1 KB.
EVENTS_REMEMBERED = 10_000
OUTCOMES_REMEMBERED = 10_000


class WrittenOnce:
    """Write-once documents by request id, bounded; safe to share between threads
    (the embedded server's loop and the caller's use one store)."""

    def __init__(self, size: int) -> None:
        self._documents = Bounded(size)
        self._lock = threading.Lock()

    def get(self, request_id: str) -> dict[str, Any] | None:
        with self._lock:
            document: dict[str, Any] | None = self._documents.get(request_id)
            if document is not None:
                self._documents.touch(request_id)
            return document

    def remember(self, request_id: str, document: dict[str, Any] | None) -> None:
        """Keep document (a stored one, never a draft); None is not remembered."""
        if document is None:
            return
        with self._lock:
            self._documents[request_id] = document
            self._documents.touch(request_id)

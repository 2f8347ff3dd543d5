"""The blocking flavor's waiting threads share one change feed: threads that need a
listing at the same moment make one listing between them."""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from hitl_core.storage import Backend
from hitl_sync._store import open_store
from hitl_sync._waiting import OutcomeFeed

THREADS = 16


class SlowListing:
    """A local store whose feed listings take a while, counted."""

    def __init__(self, backend: Backend) -> None:
        self.backend = backend
        self.url = backend.url
        self.listings = 0
        self._lock = threading.Lock()

    def read(self, path: str) -> bytes | None:
        return self.backend.read(path)

    def create(self, path: str, data: bytes, *, durable: bool = True) -> bool:
        return self.backend.create(path, data, durable=durable)

    def list(self, prefix: str) -> list[str]:
        return self.backend.list(prefix)

    def list_after(self, prefix: str, start_after: str) -> list[str]:
        with self._lock:
            self.listings += 1
        time.sleep(0.05)  # a listing in flight, for the others to find
        return self.backend.list_after(prefix, start_after)


@pytest.fixture
def switching_often() -> Iterator[None]:
    """Threads switch as often as the interpreter allows: races show."""
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        yield
    finally:
        sys.setswitchinterval(interval)


@pytest.mark.usefixtures("switching_often")
def test_threads_that_need_a_listing_together_share_one(tmp_path: Path) -> None:
    store = open_store(str(tmp_path))
    slow = SlowListing(store.backend)
    store.backend = slow  # type: ignore[assignment]
    feed = OutcomeFeed(store)
    since = time.monotonic()
    start = threading.Barrier(THREADS)
    answers: list[bool] = []

    def look() -> None:
        start.wait()
        answers.append(feed.may_have_outcome("an-event", since, votes=False))

    threads = [threading.Thread(target=look) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    # Not read yet, so each may have an outcome; the folders of one window were listed once.
    assert answers == [True] * THREADS
    assert slow.listings == listings_of_one_window(tmp_path)


def listings_of_one_window(tmp_path: Path) -> int:
    """How many folders one listing of a fresh feed reads (one per hour in its window)."""
    store = open_store(str(tmp_path))
    counting = SlowListing(store.backend)
    store.backend = counting  # type: ignore[assignment]
    OutcomeFeed(store).may_have_outcome("an-event", time.monotonic(), votes=False)
    return counting.listings

"""Cancelling an async waiter, including the .aio twins of the blocking flavor."""

from __future__ import annotations

import threading

import anyio
import pytest

import hitl_async
import hitl_sync

pytestmark = pytest.mark.anyio


def busy_threads() -> set[str]:
    """Threads other than the main one, the embedded server and anyio's idle pool."""
    return {
        t.name
        for t in threading.enumerate()
        if t is not threading.main_thread()
        and t.name not in ("hitl-server", "AnyIO worker thread")
        and not t.name.startswith("Trio thread")
    }


async def test_cancel_scope_stops_wait_and_changes_nothing() -> None:
    event = await hitl_async.new_event("cancelled-wait", data_type=int, poll_interval_seconds=30)
    before = busy_threads()
    with anyio.move_on_after(0.2) as scope:
        await event.wait()
    assert scope.cancelled_caught
    assert busy_threads() == before
    assert (await event.status()).state == "pending"


async def test_cancel_scope_stops_the_aio_twin() -> None:
    event = await hitl_sync.new_event.aio("cancelled-aio", data_type=int, poll_interval_seconds=30)
    assert isinstance(event, hitl_sync.Event)
    with anyio.move_on_after(0.2) as scope:
        await event.wait.aio()
    assert scope.cancelled_caught
    assert (await event.status.aio()).state == "pending"
    assert event.status().state == "pending"


async def test_aio_twins_return_the_answer() -> None:
    event = await hitl_sync.Event.create.aio(
        "aio-answer", data_type=bool, timeout_seconds=0.1, default=False
    )
    assert await event.wait.aio() is False
    assert event.wait() is False

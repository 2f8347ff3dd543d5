"""Cancelling an async waiter, including the .aio twins of the blocking flavor."""

from __future__ import annotations

import threading

import anyio
import httpx
import pytest

import hitl_async
import hitl_sync

pytestmark = pytest.mark.anyio


# Storage calls run on pooled threads; a pool may start a worker for a call and keep it idle.
POOL_THREADS = ("hitl-io", "AnyIO worker thread", "Trio thread")


def snapshot() -> tuple[int, int]:
    """Threads alive outside the storage pools, and tasks of this event loop."""
    others = [t for t in threading.enumerate() if not t.name.startswith(POOL_THREADS)]
    return len(others), len(anyio.get_running_tasks())


async def test_cancel_scope_stops_wait_and_changes_nothing() -> None:
    event = await hitl_async.new_event("cancelled-wait", data_type=int, poll_interval_seconds=30)
    await event.status()  # the worker thread that reads the store is now started
    threads, tasks = snapshot()
    with anyio.move_on_after(0.2) as scope:
        await event.wait()
    assert scope.cancelled_caught
    after_threads, after_tasks = snapshot()
    # A wait left running would hold a task or a thread of its own.
    assert after_threads <= threads and after_tasks == tasks
    assert (await event.status()).state == "pending"


async def test_cancel_scope_stops_the_aio_twin() -> None:
    event = await hitl_sync.new_event.aio("cancelled-aio", data_type=int, poll_interval_seconds=30)
    assert isinstance(event, hitl_sync.Event)
    await event.status.aio()
    threads, tasks = snapshot()
    with anyio.move_on_after(0.2) as scope:
        await event.wait.aio()
    assert scope.cancelled_caught
    after_threads, after_tasks = snapshot()
    assert after_threads <= threads and after_tasks == tasks
    assert (await event.status.aio()).state == "pending"
    assert event.status().state == "pending"


async def test_aio_twins_return_the_answer() -> None:
    event = await hitl_sync.Event.create.aio(
        "aio-answer", data_type=bool, poll_interval_seconds=0.05
    )
    async with httpx.AsyncClient() as client:
        body = {"request_id": event.request_id, "value": "yes"}
        assert (await client.post(event.api_url, json=body)).status_code == 200
    assert await event.wait.aio() is True
    with pytest.warns(RuntimeWarning, match=r"use `await event\.wait\.aio\(\)`"):
        assert event.wait() is True  # blocks this loop, though only for a look
    assert (await event.status.aio()).value is True

"""Test primitives of the async flavor; tests/_sync/_compat.py is the blocking twin."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

import anyio
import anyio.to_thread

T = TypeVar("T")
Call = Callable[[], Awaitable[None]]


async def run_concurrently(calls: list[Call]) -> None:
    """Run every call at once and return when all are done."""
    async with anyio.create_task_group() as group:
        for call in calls:
            group.start_soon(call)


async def within(seconds: float, call: Callable[[], Awaitable[T]]) -> T:
    """call's result; TimeoutError (not a subclass) if it takes longer than seconds."""
    with anyio.fail_after(seconds):
        return await call()


async def sleep(seconds: float) -> None:
    await anyio.sleep(seconds)


async def in_thread(call: Callable[[], T]) -> T:
    """call's result, run in a worker thread so that this loop's tasks go on meanwhile."""
    return await anyio.to_thread.run_sync(call)

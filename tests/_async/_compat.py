"""Test primitives of the async flavor; tests/_sync/_compat.py is the blocking twin."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import anyio


async def run_concurrently(calls: list[Callable[[], Awaitable[None]]]) -> None:
    """Run every call at once and return when all are done."""
    async with anyio.create_task_group() as group:
        for call in calls:
            group.start_soon(call)


async def sleep(seconds: float) -> None:
    await anyio.sleep(seconds)

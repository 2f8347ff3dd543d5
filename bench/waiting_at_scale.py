"""Many events waited on at once by one async process: storage requests and memory.

Creates EVENTS events in an S3 bucket served by moto_server on 127.0.0.1 and
waits on all of them at once on asyncio. While nobody answers, it counts the
storage requests per poll interval from moto's request log, next to the
baseline of one request per waiting event per interval. Memory per waiting
event is what tracemalloc sees allocated once every wait has begun, divided
by EVENTS (measured midway between two ticks, once every wait pauses, as the
runtime reports): once for waits started as asyncio tasks, once in an anyio task
group (which adds its own bookkeeping per task). The S3 client's connection
pool and buffers are reported apart: they are bounded and do not grow with
the number of waiters.

    python bench/waiting_at_scale.py --events 1000     # the polling-cost figure
    python bench/waiting_at_scale.py --events 10000    # the scale figure
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import tempfile
import time
import tracemalloc
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import anyio
from _support import BUCKET, MotoServer, moto, s3_environment

# Thousands of events: their link lines are not what is measured.
logging.getLogger("hitl.links").setLevel(logging.WARNING)

S3_CLIENT = ("aiohttp", "aiobotocore", "botocore", "s3fs", "fsspec", "urllib3", "multidict", "yarl")


async def _settled(events: list[Any], poll: float) -> None:
    """Return once every wait has made its first look and pauses, midway between ticks."""
    from hitl_core import runtime

    wakeups = runtime.current().wakeups
    # The signal is a count that other threads change: look at it often.
    while not all(wakeups.paused(event.request_id) for event in events):  # noqa: ASYNC110
        await anyio.sleep(0.01)
    await anyio.sleep(poll + (poll / 2 - time.monotonic() % poll) % poll)


async def _memory(
    start: Callable[[], Awaitable[None]], events: list[Any], poll: float
) -> tuple[float, float]:
    """Bytes per waiting event, without and with the S3 client's buffers."""
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    await start()
    await _settled(events, poll)
    total = tracemalloc.get_traced_memory()[0] - before
    snapshot = tracemalloc.take_snapshot()
    tracemalloc.stop()
    client = snapshot.filter_traces([tracemalloc.Filter(True, f"*/{n}/*") for n in S3_CLIENT])
    client_bytes = sum(stat.size for stat in client.statistics("filename"))
    return (total - client_bytes) / len(events), total / len(events)


async def measure(events_count: int, poll: float, intervals: int, s3: MotoServer) -> dict[str, Any]:
    import hitl_async as hitl

    limiter = anyio.CapacityLimiter(32)
    events: list[hitl.Event[int]] = []

    async def create(n: int) -> None:
        async with limiter:
            events.append(
                await hitl.new_event(
                    f"scale-{n}", data_type=int, poll_interval_seconds=poll, timeout_seconds=3600
                )
            )

    started = time.monotonic()
    async with anyio.create_task_group() as group:
        for n in range(events_count):
            group.start_soon(create, n)
    figures: dict[str, Any] = {"created_in": time.monotonic() - started}

    # Waits as asyncio tasks: memory, then the storage requests per interval.
    tasks: list[asyncio.Task[int]] = []

    async def start_tasks() -> None:
        tasks.extend(asyncio.create_task(event.wait()) for event in events)

    figures["tasks"] = await _memory(start_tasks, events, poll)
    mark = len(s3.requests())
    window_start = time.monotonic()
    await anyio.sleep(intervals * poll)
    window = time.monotonic() - window_start
    requests = s3.requests()[mark:]
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    figures["per_interval"] = len(requests) / (window / poll)
    figures["listings_per_interval"] = sum("list-type=2" in r[1] for r in requests) / (
        window / poll
    )

    # The same waits in an anyio task group.
    async with anyio.create_task_group() as group:

        async def start_group() -> None:
            for event in events:
                group.start_soon(event.wait)

        figures["task_group"] = await _memory(start_group, events, poll)
        group.cancel_scope.cancel()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=1000)
    parser.add_argument("--poll", type=float, default=2.0, help="poll_interval_seconds")
    parser.add_argument("--intervals", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="hitl-bench-") as tmp, moto(Path(tmp) / "moto") as s3:
        os.environ.update(s3_environment(s3.endpoint, Path(tmp)))
        os.environ.update(HITL_STORE=f"s3://{BUCKET}/scale", HITL_PORT="0", HITL_RUN_ID="scale")
        os.environ.pop("HITL_ENDPOINT", None)
        figures = anyio.run(measure, args.events, args.poll, args.intervals, s3)
    print(f"{args.events} events waited on at once (asyncio, S3 on moto_server)")
    print(f"  created in {figures['created_in']:.1f} s")
    print(
        f"  storage requests per poll interval: {figures['per_interval']:.1f} "
        f"({figures['listings_per_interval']:.1f} listings); "
        f"one-request-per-event baseline: {args.events}"
    )
    for label, key in (("asyncio tasks", "tasks"), ("an anyio task group", "task_group")):
        own, total = figures[key]
        print(
            f"  memory per waiting event, waits as {label}: {own / 1024:.2f} KB "
            f"({total / 1024:.2f} KB with the S3 client's buffers; tracemalloc)"
        )


if __name__ == "__main__":
    main()

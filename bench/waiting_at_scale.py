"""Many events waited on at once by one async process: storage requests and memory.

Creates EVENTS events in an S3 bucket served by moto_server on 127.0.0.1, waits
on all of them at once (asyncio), and while nobody answers counts the storage
requests per poll interval from moto's request log, next to the baseline of
one request per waiting event per interval. Memory per waiting event is what
tracemalloc sees allocated once every wait has begun, divided by EVENTS.

    python bench/waiting_at_scale.py --events 1000     # the polling-cost figure
    python bench/waiting_at_scale.py --events 10000    # the scale figure
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

import anyio
from _support import BUCKET, moto, s3_environment

S3_CLIENT = ("aiohttp", "aiobotocore", "botocore", "s3fs", "fsspec", "urllib3", "multidict", "yarl")


async def measure(events_count: int, poll: float, intervals: int, s3: Any) -> dict[str, float]:
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
    created_in = time.monotonic() - started

    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    async with anyio.create_task_group() as group:
        for event in events:
            group.start_soon(event.wait)
        # Until every wait has begun and made its first read of the store.
        reads = len(s3.requests())
        while True:
            await anyio.sleep(poll)
            reads, previous = len(s3.requests()), reads
            if reads - previous < events_count / 10:
                break
        waiting = tracemalloc.get_traced_memory()[0] - before
        snapshot = tracemalloc.take_snapshot()
        tracemalloc.stop()
        # The S3 client's connection pool and buffers are bounded; they do not
        # grow with the number of waiters.
        client = snapshot.filter_traces(
            [tracemalloc.Filter(True, f"*/{name}/*") for name in S3_CLIENT]
        )
        client_bytes = sum(stat.size for stat in client.statistics("filename"))
        if os.environ.get("HITL_BENCH_TOP"):
            for stat in snapshot.statistics("lineno")[:15]:
                print(stat)
        mark = len(s3.requests())
        window_start = time.monotonic()
        await anyio.sleep(intervals * poll)
        window = time.monotonic() - window_start
        requests = s3.requests()[mark:]
        group.cancel_scope.cancel()
    listings = sum("list-type=2" in path for _, path, _ in requests)
    return {
        "created_in": created_in,
        "bytes_per_wait": waiting / events_count,
        "bytes_per_wait_without_client": (waiting - client_bytes) / events_count,
        "per_interval": len(requests) / (window / poll),
        "listings_per_interval": listings / (window / poll),
    }


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
    print(
        f"  memory per waiting event: {figures['bytes_per_wait_without_client'] / 1024:.2f} KB "
        f"({figures['bytes_per_wait'] / 1024:.2f} KB with the S3 client's buffers; tracemalloc)"
    )


if __name__ == "__main__":
    main()

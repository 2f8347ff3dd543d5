"""Child process of resume_latency.py: create events, wait on all, say when each wait returns.

Usage: python bench/_waiter.py FLAVOR COUNT POLL_SECONDS (FLAVOR: asyncio, trio or sync).
Prints one JSON line per event ({"id", "api_url"}), then "ready" once every
wait has begun, then one
{"done", "at"} line per returned wait, "at" being time.time() at the return.
"""

from __future__ import annotations

import json
import logging
import sys
import threading
import time
from typing import Any

# Thousands of events: their link lines are not what is measured.
logging.getLogger("hitl.links").setLevel(logging.WARNING)

_print_lock = threading.Lock()
READY_WITHIN_SECONDS = 120


def all_paused(request_ids: list[str]) -> bool:
    """Whether every wait has made its first look and pauses (the readiness signal)."""
    from hitl_core import runtime

    wakeups = runtime.current().wakeups
    return all(wakeups.paused(request_id) for request_id in request_ids)


def say(line: Any) -> None:
    with _print_lock:
        print(line if isinstance(line, str) else json.dumps(line), flush=True)


def run_blocking(count: int, poll: float) -> None:
    import hitl_sync as hitl

    events = [
        hitl.new_event(f"bench-{n}", data_type=int, poll_interval_seconds=poll, timeout_seconds=900)
        for n in range(count)
    ]
    for event in events:
        say({"id": event.request_id, "api_url": event.api_url})

    def wait(event: hitl.Event[int]) -> None:
        event.wait()
        say({"done": event.request_id, "at": time.time()})

    threads = [threading.Thread(target=wait, args=(event,)) for event in events]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + READY_WITHIN_SECONDS
    while not all_paused([event.request_id for event in events]):
        if time.monotonic() > deadline:
            raise RuntimeError("the waits did not all begin in time")
        time.sleep(0.002)
    say("ready")
    for thread in threads:
        thread.join()


def run_async(backend: str, count: int, poll: float) -> None:
    import anyio

    import hitl_async as hitl

    async def main() -> None:
        events = [
            await hitl.new_event(
                f"bench-{n}", data_type=int, poll_interval_seconds=poll, timeout_seconds=900
            )
            for n in range(count)
        ]
        for event in events:
            say({"id": event.request_id, "api_url": event.api_url})

        async def wait(event: hitl.Event[int]) -> None:
            await event.wait()
            say({"done": event.request_id, "at": time.time()})

        async with anyio.create_task_group() as group:
            for event in events:
                group.start_soon(wait, event)
            with anyio.fail_after(READY_WITHIN_SECONDS):
                # The signal is a count that other threads change: look at it often.
                while not all_paused([event.request_id for event in events]):  # noqa: ASYNC110
                    await anyio.sleep(0.002)
            say("ready")

    anyio.run(main, backend=backend)


if __name__ == "__main__":
    flavor, count, poll = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
    if flavor == "sync":
        run_blocking(count, poll)
    else:
        run_async(flavor, count, poll)

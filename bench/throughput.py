"""Throughput of the app: JSON API submissions and form page renders per second.

A bounded loopback load generator (CONCURRENCY connections, at most COUNT
requests and MAX_SECONDS per run) measures two servers on a local store:

- embedded: the in-process app of a task that created the events and waits
  on them (one Hypercorn worker in a thread of that process);
- hitl serve: `hitl serve` with its defaults (one process, one worker).

Each submission answers a distinct pending event (200 expected); each render
fetches a distinct event's form. The load generator shares the machine's
cores with the server, so the figures are a floor.

    python bench/throughput.py [--count 2000] [--concurrency 16]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from _support import clean_env, hitl_serve, percentile, stop_process

# Thousands of events: their link lines are not what is measured.
logging.getLogger("hitl.links").setLevel(logging.WARNING)

WAITER = Path(__file__).with_name("_waiter.py")
MAX_SECONDS = 60.0


async def load(requests: list[tuple[str, str, Any]], concurrency: int) -> dict[str, float]:
    """Send every (method, url, json) request with `concurrency` workers; rate and latency."""
    queue: asyncio.Queue[tuple[str, str, Any]] = asyncio.Queue()
    for item in requests:
        queue.put_nowait(item)
    latencies: list[float] = []
    failures = 0
    deadline = time.monotonic() + MAX_SECONDS

    async def worker(client: httpx.AsyncClient) -> None:
        nonlocal failures
        while not queue.empty() and time.monotonic() < deadline:
            method, url, body = queue.get_nowait()
            started = time.perf_counter()
            response = await client.request(method, url, json=body)
            latencies.append(time.perf_counter() - started)
            failures += response.status_code != 200

    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(timeout=30, limits=limits) as client:
        started = time.perf_counter()
        await asyncio.gather(*(worker(client) for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    return {
        "rate": len(latencies) / elapsed,
        "p50": percentile(latencies, 0.5) * 1000,
        "p99": percentile(latencies, 0.99) * 1000,
        "done": len(latencies),
        "failures": failures,
    }


def requests_for(events: list[dict[str, str]], base: str) -> tuple[list[Any], list[Any]]:
    renders, submissions = [], []
    for event in events:
        token = event["api_url"].split("token=", 1)[1]
        renders.append(("GET", f"{base}/form/{event['id']}?token={token}", None))
        body = {"request_id": event["id"], "value": 1}
        submissions.append(("POST", f"{base}/submit/json?token={token}", body))
    return renders, submissions


@contextlib.contextmanager
def embedded(count: int, work: Path) -> Any:
    """A waiting task's process with its embedded app; yields (endpoint, events)."""
    env = clean_env(HITL_STORE=str(work / "embedded-store"), HITL_PORT="0", HITL_RUN_ID="tp")
    child = subprocess.Popen(
        [sys.executable, str(WAITER), "asyncio", str(count), "5"],
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        events = []
        assert child.stdout is not None
        for line in child.stdout:
            if line.strip() == "ready":
                break
            events.append(json.loads(line))
        endpoint = events[0]["api_url"].split("/submit/json", 1)[0]
        yield endpoint, events
    finally:
        stop_process(child)


def created_through(endpoint: str, store: str, count: int) -> list[dict[str, str]]:
    os.environ.update(HITL_STORE=store, HITL_ENDPOINT=endpoint, HITL_RUN_ID="tp-serve")
    import hitl_sync as hitl

    events = [hitl.new_event(f"tp-{n}", data_type=int, timeout_seconds=3600) for n in range(count)]
    return [{"id": event.request_id, "api_url": event.api_url} for event in events]


def report(name: str, what: str, figures: dict[str, float]) -> None:
    print(
        f"  {name:11s} {what:12s} {figures['rate']:7.0f} /s   p50 {figures['p50']:6.1f} ms   "
        f"p99 {figures['p99']:6.1f} ms   ({figures['done']:.0f} requests, "
        f"{figures['failures']:.0f} not 200)",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()
    print(f"throughput, {args.count} requests per run, {args.concurrency} connections")
    with tempfile.TemporaryDirectory(prefix="hitl-bench-") as tmp:
        work = Path(tmp)
        with embedded(args.count, work) as (endpoint, events):
            renders, submissions = requests_for(events, endpoint)
            report("embedded", "form renders", asyncio.run(load(renders, args.concurrency)))
            report("embedded", "submissions", asyncio.run(load(submissions, args.concurrency)))
        store = str(work / "served-store")
        with hitl_serve(store, work) as endpoint:
            events = created_through(endpoint, store, args.count)
            renders, submissions = requests_for(events, endpoint)
            report("hitl serve", "form renders", asyncio.run(load(renders, args.concurrency)))
            report("hitl serve", "submissions", asyncio.run(load(submissions, args.concurrency)))


if __name__ == "__main__":
    main()

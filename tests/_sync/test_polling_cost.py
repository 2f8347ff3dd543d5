# WARNING: generated from tests/_async/test_polling_cost.py by codegen/unasync.py. DO NOT EDIT.
"""Polling cost does not grow with the number of waiting events."""

from __future__ import annotations

import time
from typing import Any

import pytest

import hitl_sync as hitl

from ..servers import BUCKET, MotoServer
from ._compat import run_concurrently, sleep, within
from .helpers import answer, until_paused

# Slow: once per run, on one flavor; each flavor has a slow fault test of its own.
pytestmark = [pytest.mark.anyio, pytest.mark.slow(flavor="asyncio")]
EVENTS = 40
INTERVAL = 0.25


def test_many_waiters_share_one_listing_per_tick(s3_store: str, s3_server: MotoServer) -> None:
    prefix = s3_store.removeprefix(f"s3://{BUCKET}/")
    events = [
        hitl.new_event(f"many-{n}", data_type=int, poll_interval_seconds=INTERVAL)
        for n in range(EVENTS)
    ]
    seen: list[Any] = []
    counted: dict[str, Any] = {}

    def waiter(event: hitl.Event[int]) -> Any:
        def wait() -> None:
            seen.append(event.wait())

        return wait

    def people() -> None:
        for event in events:
            until_paused(event)  # every waiter has made its first look
        started = time.monotonic()
        before = len(s3_server.requests())
        sleep(8 * INTERVAL)
        counted["requests"] = s3_server.requests()[before:]
        counted["ticks"] = (time.monotonic() - started) / INTERVAL
        for n, event in enumerate(events):
            assert (answer(event, n)).status_code == 200

    within(60, lambda: run_concurrently([*map(waiter, events), people]))
    assert sorted(seen) == list(range(EVENTS))

    requests = counted["requests"]
    listings = [r for r in requests if f"prefix={prefix}/changes/" in r[1]]
    reads = [r for r in requests if r[1].startswith(f"/{BUCKET}/{prefix}/outcomes/")]
    # One listing of the change feed per tick for all forty waiters (two when the
    # window crosses an hour; a tick may fall on either edge of the window), and
    # no read while nothing changes.
    assert 1 <= len(listings) <= 2 * (counted["ticks"] + 2)
    assert all("start-after=" in r[1] for r in listings), listings
    assert not reads
    assert len(requests) == len(listings), requests

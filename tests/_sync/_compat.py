"""Test primitives of the blocking flavor: the twin of tests/_async/_compat.py."""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor


def run_concurrently(calls: list[Callable[[], None]]) -> None:
    """Run every call at once, one thread each, and return when all are done."""
    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        for future in [pool.submit(call) for call in calls]:
            future.result()


def sleep(seconds: float) -> None:
    time.sleep(seconds)

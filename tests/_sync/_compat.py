"""Test primitives of the blocking flavor: the twin of tests/_async/_compat.py."""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FuturesTimeout
from typing import TypeVar

T = TypeVar("T")
Call = Callable[[], None]


def run_concurrently(calls: list[Call]) -> None:
    """Run every call at once, one thread each, and return when all are done."""
    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        for future in [pool.submit(call) for call in calls]:
            future.result()


def within(seconds: float, call: Callable[[], T]) -> T:
    """call's result; TimeoutError (not a subclass) if it takes longer than seconds."""
    pool = ThreadPoolExecutor(max_workers=1)
    future = pool.submit(call)
    try:
        return future.result(timeout=seconds)
    except FuturesTimeout:
        if not future.done():  # the wait ran out, not the call
            raise TimeoutError(f"still running after {seconds} s") from None
        raise
    finally:
        pool.shutdown(wait=False)


def sleep(seconds: float) -> None:
    time.sleep(seconds)


def in_thread(call: Callable[[], T]) -> T:
    """call's result; the other threads go on meanwhile."""
    return call()

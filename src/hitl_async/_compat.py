"""Primitives of the async flavor: the only module here that imports anyio.

hitl_sync/_compat.py is its hand-written blocking twin, with the same names and
signatures. Generated modules import these and nothing else for sleeping,
threads and clocks.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import anyio
import anyio.to_thread

__all__ = ["monotonic", "run_sync", "sleep", "twin", "twin_method"]

P = ParamSpec("P")
R = TypeVar("R")
F = TypeVar("F", bound=Callable[..., object])


async def run_sync(fn: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
    """Run blocking fn in a worker thread; a cancelled caller waits for it to finish."""
    return await anyio.to_thread.run_sync(functools.partial(fn, *args, **kwargs))


async def sleep(seconds: float) -> None:
    await anyio.sleep(seconds)


def monotonic() -> float:
    return time.monotonic()


def twin(fn: F) -> F:
    """Marks a public function; the blocking flavor gives it an awaitable .aio twin."""
    return fn


def twin_method(fn: F) -> F:
    """Marks a public method; the blocking flavor gives it an awaitable .aio twin."""
    return fn

"""Primitives of the async flavor: the only module here that imports anyio.

hitl_sync/_compat.py is its hand-written blocking twin, with the same names and
signatures. Generated modules import these and nothing else for sleeping,
threads and clocks.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import time
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

import anyio
import anyio.lowlevel
import anyio.to_thread

__all__ = [
    "Lock",
    "Signal",
    "loop_state",
    "monotonic",
    "run_sync",
    "sleep",
    "twin",
    "twin_method",
]

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


Lock = anyio.Lock

_loop_state: anyio.lowlevel.RunVar[dict[str, Any]] = anyio.lowlevel.RunVar("hitl_loop_state")


def loop_state() -> dict[str, Any]:
    """Objects shared by the tasks of the running event loop: one dict per loop."""
    try:
        return _loop_state.get()
    except LookupError:
        state: dict[str, Any] = {}
        _loop_state.set(state)
        return state


def _thread_safe_scheduler() -> Callable[[Callable[[], None]], object]:
    """Schedules a callback on the running loop from any thread, without blocking."""
    try:
        return asyncio.get_running_loop().call_soon_threadsafe
    except RuntimeError:  # not asyncio: the other backend anyio runs on
        import trio

        return trio.lowlevel.current_trio_token().run_sync_soon


class Signal:
    """A wake-up that any thread may give; the task that made it waits for it."""

    __slots__ = ("_event", "_is_set", "_schedule")

    def __init__(self) -> None:
        self._is_set = False
        # Made only while a task waits: thousands of idle waiters stay small.
        self._event: anyio.Event | None = None
        self._schedule = _thread_safe_scheduler()

    def set(self) -> None:
        """Wake the waiter. Callable from any thread; never blocks."""
        # A loop that has ended raises RuntimeError: nobody is waiting any more.
        with contextlib.suppress(RuntimeError):
            self._schedule(self._fire)

    def _fire(self) -> None:
        self._is_set = True
        if self._event is not None:
            self._event.set()

    def clear(self) -> None:
        self._is_set = False

    async def wait(self, seconds: float) -> bool:
        """True once woken, False after that many seconds."""
        if self._is_set:
            return True
        self._event = event = anyio.Event()
        try:
            with anyio.move_on_after(max(0.0, seconds)):
                await event.wait()
        finally:
            self._event = None
        return self._is_set


def twin(fn: F) -> F:
    """Marks a public function; the blocking flavor gives it an awaitable .aio twin."""
    return fn


def twin_method(fn: F) -> F:
    """Marks a public method; the blocking flavor gives it an awaitable .aio twin."""
    return fn

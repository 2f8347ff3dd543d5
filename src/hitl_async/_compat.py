"""Primitives of the async flavor: the only module here that imports anyio.

hitl_sync/_compat.py is its hand-written blocking twin, with the same names and
signatures. Generated modules import these and nothing else for sleeping,
threads and clocks.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import contextvars
import functools
import logging
import os
import sys
import threading
import time
import warnings
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Concatenate, ParamSpec, Protocol, TypeVar, overload

import anyio
import anyio.from_thread
import anyio.lowlevel
import anyio.to_thread

from hitl_core.loops import running_event_loop
from hitl_core.threads import leave_signals_to_the_main_thread

if TYPE_CHECKING:
    from ._events import Event

__all__ = [
    "EventFactory",
    "Flag",
    "Signal",
    "awaitable",
    "blocking",
    "check_loop_not_blocked",
    "event_factory",
    "loop_state",
    "monotonic",
    "run_sync",
    "sleep",
    "twin",
    "twin_method",
]

P = ParamSpec("P")
R = TypeVar("R")
T = TypeVar("T")
F = TypeVar("F", bound=Callable[..., object])


# Threads for storage calls on asyncio: a plain executor costs the event loop about
# half of what anyio's worker threads do per call, and a request makes several.
_IO_THREADS = 40
_io_executor: concurrent.futures.ThreadPoolExecutor | None = None
_io_executor_lock = threading.Lock()


def _executor() -> concurrent.futures.ThreadPoolExecutor:
    global _io_executor
    if _io_executor is None:
        with _io_executor_lock:
            if _io_executor is None:
                _io_executor = concurrent.futures.ThreadPoolExecutor(
                    _IO_THREADS,
                    thread_name_prefix="hitl-io",
                    initializer=leave_signals_to_the_main_thread,
                )
    return _io_executor


def _forget_executor() -> None:
    # A forked child has none of its parent's threads.
    global _io_executor
    _io_executor = None


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_executor)


async def run_sync(fn: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
    """Run blocking fn in a worker thread; a cancelled caller waits for it to finish."""
    call = functools.partial(fn, *args, **kwargs)
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:  # trio
        return await anyio.to_thread.run_sync(call)
    # In the caller's context, as anyio's threads run it: an orchestrator's run (Flyte's
    # report, Prefect's artifacts) lives in context variables.
    future = loop.run_in_executor(_executor(), contextvars.copy_context().run, call)
    try:
        return await asyncio.shield(future)
    except asyncio.CancelledError:
        # The call runs to its end (a write is not left to finish unseen); a cancel
        # scope that cancels again meanwhile is told once it has.
        while not future.done():
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.shield(future)
        raise


def check_loop_not_blocked(call: str) -> None:
    """Nothing in this flavor blocks; the blocking flavor warns here (see its twin)."""


def awaitable(fn: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R]]:
    """fn itself, for an awaiting caller (the blocking flavor gives its async twin)."""
    return fn


def blocking(fn: Callable[P, Awaitable[R]]) -> Callable[P, R]:
    """fn run to completion for a blocking caller, in an event loop of its own.

    On a thread that runs an event loop already, the loop runs in a helper
    thread while this one waits, with the warning the blocking flavor gives.
    """

    @functools.wraps(fn)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        call = functools.partial(fn, *args, **kwargs)
        running = running_event_loop()
        if running is None:
            return anyio.run(call)
        message = (
            f"asking for an approval blocks the {running} event loop running on this "
            "thread until a person answers; guard a coroutine function instead, so that "
            "the call is awaited"
        )
        logging.getLogger("hitl").warning("hitl: %s", message)
        warnings.warn(message, RuntimeWarning, stacklevel=3)  # the guarded call
        return _in_a_loop_of_its_own(call)

    return run


def _run_afresh(fn: Callable[[], Awaitable[T]]) -> T:
    """anyio.run(fn) in a context copied from a thread that runs a loop: the copy says
    which library runs there (sniffio's variable), which is not so in this thread."""
    sniffio: Any = sys.modules.get("sniffio")
    if sniffio is not None:
        sniffio.current_async_library_cvar.set(None)
    return anyio.run(fn)


def _in_a_loop_of_its_own(call: Callable[[], Awaitable[R]]) -> R:
    """call run by an event loop in a helper thread, in this thread's context (an
    orchestrator's run lives in context variables); an interrupt while this thread
    waits (Ctrl-C) cancels it there before it propagates.

    This thread waits on a bare lock that the helper releases when it is done: an
    interrupt can land there without leaving a half-restored condition behind, as it
    can inside ``Future.result()`` or ``Event.wait()``.
    """
    started = threading.Event()
    finished = threading.Lock()
    finished.acquire()
    handle: list[Any] = []  # the helper loop's cancel scope and token
    outcome: list[tuple[bool, Any]] = []  # (True, result) or (False, exception)

    async def cancellable() -> R | None:
        with anyio.CancelScope() as scope:  # made in the helper's loop, for its backend
            handle.extend((scope, anyio.lowlevel.current_token()))
            started.set()
            return await call()
        return None  # cancelled: the caller is raising already

    def helper() -> None:
        leave_signals_to_the_main_thread()
        try:
            outcome.append((True, context.run(_run_afresh, cancellable)))
        except BaseException as exc:  # handed to the waiting thread, which raises it
            outcome.append((False, exc))
        finally:
            started.set()
            finished.release()

    context = contextvars.copy_context()
    thread = threading.Thread(target=helper, name="hitl-blocking", daemon=True)
    thread.start()
    try:
        finished.acquire()
    except BaseException:
        if started.wait(30) and handle:
            with contextlib.suppress(RuntimeError):  # its loop may have ended already
                anyio.from_thread.run_sync(handle[0].cancel, token=handle[1])
        thread.join()
        raise
    thread.join()
    succeeded, value = outcome[0]
    if not succeeded:
        raise value
    return value  # type: ignore[no-any-return]  # only a cancelled run returns None


async def sleep(seconds: float) -> None:
    await anyio.sleep(seconds)


def monotonic() -> float:
    return time.monotonic()


# Set once; any number of tasks wait for it, all woken together.
Flag = anyio.Event

_loop_state: anyio.lowlevel.RunVar[dict[str, Any]] = anyio.lowlevel.RunVar("hitl_loop_state")


def loop_state() -> dict[str, Any]:
    """Objects shared by the tasks of the running event loop: one dict per loop."""
    try:
        return _loop_state.get()
    except LookupError:
        state: dict[str, Any] = {}
        _loop_state.set(state)
        return state


def _resolve(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


class Signal:
    """A wake-up that any thread may give; the task that made it waits for it.

    Thousands of tasks may each hold one, so it waits on the backend's lightest
    parts: on asyncio a future and a timer, on trio an event in a cancel scope.
    """

    __slots__ = ("_is_set", "_loop", "_trio_token", "_waiter")

    def __init__(self) -> None:
        self._is_set = False
        self._waiter: Any = None  # what the waiting task awaits, while it waits
        self._trio_token: Any = None
        try:
            self._loop: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
        except RuntimeError:  # not asyncio: the other backend anyio runs on
            import trio

            self._loop = None
            self._trio_token = trio.lowlevel.current_trio_token()

    def set(self) -> None:
        """Wake the waiter. Callable from any thread; never blocks."""
        # A loop that has ended raises RuntimeError: nobody is waiting any more.
        with contextlib.suppress(RuntimeError):
            if self._loop is not None:
                self._loop.call_soon_threadsafe(self._fire)
            else:
                self._trio_token.run_sync_soon(self._fire)

    def _fire(self) -> None:  # on the waiter's loop
        self._is_set = True
        waiter = self._waiter
        if isinstance(waiter, asyncio.Future):
            _resolve(waiter)
        elif waiter is not None:
            waiter.set()

    def clear(self) -> None:
        self._is_set = False

    async def wait(self, seconds: float) -> bool:
        """True once woken, False after that many seconds."""
        if self._is_set:
            return True
        seconds = max(0.0, seconds)
        if self._loop is not None:
            future = self._loop.create_future()
            timer = self._loop.call_later(seconds, _resolve, future)
            self._waiter = future
            try:
                await future
            finally:
                timer.cancel()
                self._waiter = None
        else:
            import trio

            self._waiter = event = trio.Event()
            try:
                with trio.move_on_after(seconds):
                    await event.wait()
            finally:
                self._waiter = None
        return self._is_set


def twin(fn: F) -> F:
    """Marks a public function; the blocking flavor gives it an awaitable .aio twin."""
    return fn


def twin_method(fn: F) -> F:
    """Marks a public method; the blocking flavor gives it an awaitable .aio twin."""
    return fn


class EventFactory(Protocol[P]):
    """new_event() as type checkers see it: Event[int] for int, Event[Any] for
    what only pydantic can name as a type (Literal[...], Optional[int], ...)."""

    @overload
    async def __call__(
        self, name: str, data_type: type[T], *args: P.args, **kwargs: P.kwargs
    ) -> Event[T]: ...

    @overload
    async def __call__(
        self, name: str, data_type: object, *args: P.args, **kwargs: P.kwargs
    ) -> Event[Any]: ...


def event_factory(
    fn: Callable[Concatenate[str, Any, P], Awaitable[Event[Any]]],
) -> EventFactory[P]:
    """Marks new_event() and Event.create(): typed per data_type, the rest of the call as fn."""
    return fn  # type: ignore[return-value]

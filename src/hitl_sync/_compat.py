"""Primitives of the blocking flavor: the hand-written twin of hitl_async/_compat.py.

Same names and signatures, blocking. twin() and twin_method() also give each
public function and method an awaitable .aio twin, which runs the hitl_async
counterpart on the caller's event loop (asyncio or trio), so cancelling it is
as clean as cancelling the async flavor itself.
"""

from __future__ import annotations

import functools
import importlib
import logging
import threading
import time
import warnings
from collections.abc import Awaitable, Callable
from typing import (
    TYPE_CHECKING,
    Any,
    Concatenate,
    Generic,
    ParamSpec,
    Protocol,
    TypeVar,
    cast,
    overload,
)

from hitl_core import runtime
from hitl_core.loops import running_event_loop

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
S = TypeVar("S")
T = TypeVar("T")


def run_sync(fn: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
    return fn(*args, **kwargs)


def check_loop_not_blocked(call: str) -> None:
    """Warn when a blocking call (call(), e.g. event.wait) is made on a thread that
    runs an event loop.

    Nothing else on that loop runs until the call returns: a gathered sibling
    does not even start. The warning names the awaitable twin to use instead.
    """
    running = running_event_loop()
    if running is None:
        return
    message = (
        f"{call}() blocks the {running} event loop running on this thread: no other task "
        f"on it runs until this returns; use `await {call}.aio()` instead"
    )
    logging.getLogger("hitl").warning("hitl: %s", message)
    # The caller of the public method: past this function, the method and its twin.
    warnings.warn(message, RuntimeWarning, stacklevel=4)


def awaitable(fn: Callable[P, R]) -> Callable[P, Awaitable[R]]:
    """The async flavor's twin of fn, for an awaiting caller."""
    found: Callable[P, Awaitable[R]] = _async_counterpart(fn)
    return found


def blocking(fn: Callable[P, R]) -> Callable[P, R]:
    """fn itself, for a blocking caller."""
    return fn


def sleep(seconds: float) -> None:
    time.sleep(seconds)


def monotonic() -> float:
    return time.monotonic()


# Set once; any number of threads wait for it, all woken together.
Flag = threading.Event


def loop_state() -> dict[str, Any]:
    """Objects shared by the waiting threads: one dict per process."""
    return runtime.current().blocking_state


class Signal:
    """A wake-up that any thread may give; the thread that made it waits for it."""

    __slots__ = ("_event",)

    def __init__(self) -> None:
        self._event = threading.Event()

    def set(self) -> None:
        """Wake the waiter. Callable from any thread; never blocks."""
        self._event.set()

    def clear(self) -> None:
        self._event.clear()

    def wait(self, seconds: float) -> bool:
        """True once woken, False after that many seconds."""
        return self._event.wait(max(0.0, seconds))


def _counterpart_module(module: str) -> Any:
    return importlib.import_module(module.replace("hitl_sync", "hitl_async", 1))


def _async_counterpart(fn: Callable[..., Any]) -> Callable[..., Any]:
    found: Any = _counterpart_module(fn.__module__)
    for part in fn.__qualname__.split("."):
        found = getattr(found, part)
    return found  # type: ignore[no-any-return]


def _crossing(obj: Any, source: str, target: str) -> Any:
    """obj as its twin class of the other flavor, if it is a flavored object."""
    cls = type(obj)
    if not cls.__module__.startswith(source) or not hasattr(obj, "_state"):
        return obj
    module = importlib.import_module(cls.__module__.replace(source, target, 1))
    return getattr(module, cls.__qualname__)(obj._state)


class FunctionTwin(Generic[P, R]):
    """A blocking function with .aio, its awaitable twin."""

    def __init__(self, fn: Callable[P, R]) -> None:
        self._fn = fn
        functools.update_wrapper(self, fn)

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> R:
        return self._fn(*args, **kwargs)

    async def aio(self, *args: P.args, **kwargs: P.kwargs) -> R:
        result = await _async_counterpart(self._fn)(*args, **kwargs)
        return _crossing(result, "hitl_async", "hitl_sync")  # type: ignore[no-any-return]


class BoundTwin(Generic[P, R]):
    """A blocking method bound to its object, with .aio, its awaitable twin."""

    def __init__(self, fn: Callable[..., R], instance: Any) -> None:
        self._fn = fn
        self._instance = instance

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> R:
        return self._fn(self._instance, *args, **kwargs)

    async def aio(self, *args: P.args, **kwargs: P.kwargs) -> R:
        twin_instance = _crossing(self._instance, "hitl_sync", "hitl_async")
        result = await getattr(twin_instance, self._fn.__name__)(*args, **kwargs)
        return _crossing(result, "hitl_async", "hitl_sync")  # type: ignore[no-any-return]


class MethodTwin(Generic[S, P, R]):
    """Descriptor: a blocking method whose bound form has .aio."""

    def __init__(self, fn: Callable[Concatenate[S, P], R]) -> None:
        self._fn = fn
        functools.update_wrapper(self, fn)  # type: ignore[arg-type]

    @overload
    def __get__(self, instance: None, owner: type[Any]) -> MethodTwin[S, P, R]: ...

    @overload
    def __get__(self, instance: S, owner: type[Any]) -> BoundTwin[P, R]: ...

    def __get__(self, instance: S | None, owner: type[Any]) -> Any:
        if instance is None:
            return self
        return BoundTwin(self._fn, instance)


def twin(fn: Callable[P, R]) -> FunctionTwin[P, R]:
    """Give a public blocking function an awaitable .aio twin."""
    return FunctionTwin(fn)


def twin_method(fn: Callable[Concatenate[S, P], R]) -> MethodTwin[S, P, R]:
    """Give a public blocking method an awaitable .aio twin."""
    return MethodTwin(fn)


class EventFactory(Protocol[P]):
    """new_event() as type checkers see it: Event[int] for int, Event[Any] for
    what only pydantic can name as a type (Literal[...], Optional[int], ...),
    and the same for its awaitable twin .aio."""

    @overload
    def __call__(
        self, name: str, data_type: type[T], *args: P.args, **kwargs: P.kwargs
    ) -> Event[T]: ...

    @overload
    def __call__(
        self, name: str, data_type: object, *args: P.args, **kwargs: P.kwargs
    ) -> Event[Any]: ...

    @overload
    async def aio(
        self, name: str, data_type: type[T], *args: P.args, **kwargs: P.kwargs
    ) -> Event[T]: ...

    @overload
    async def aio(
        self, name: str, data_type: object, *args: P.args, **kwargs: P.kwargs
    ) -> Event[Any]: ...


def event_factory(fn: Callable[Concatenate[str, Any, P], Event[Any]]) -> EventFactory[P]:
    """Marks new_event() and Event.create(): typed per data_type, with an awaitable .aio."""
    factory: Any = FunctionTwin(cast("Callable[..., Event[Any]]", fn))
    return cast("EventFactory[P]", factory)

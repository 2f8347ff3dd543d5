"""Approvals of function calls (require_approval): what a call is, as a person sees it,
and the guard that asks before the body runs.

A call is shown as the function's name and its arguments, and bound to a
SHA-256 digest of the function's qualified name and the arguments' JSON, so an
approval of delete("/tmp/a") never lets delete("/") run. The flavors supply
the asking (hitl_async/_approvals.py); this module knows no flavor.
"""

from __future__ import annotations

import functools
import hashlib
import inspect
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic_core import to_jsonable_python

__all__ = ["Call", "approved", "check_options", "describe_call", "guard"]

F = TypeVar("F", bound=Callable[..., Any])

# Options of new_event() an approval must not take: it sets them itself, or
# (key) they would let one approval answer calls with other arguments.
_OWN_OPTIONS = frozenset({"name", "data_type", "prompt", "key", "_bound_to"})
_SHOWN_PER_ARGUMENT = 1_000
_SHOWN_IN_ALL = 8_000


@dataclass(frozen=True)
class Call:
    """One call of a guarded function."""

    function: str  # module and qualified name
    name: str
    arguments: dict[str, Any]  # as JSON values
    digest: str

    def prompt(self, asked: str | None) -> str:
        """The question: the owner's prompt (or a default), the call and its arguments."""
        lines = [asked or f"Allow {self.name} to run?", "", f"Call: {self.name}("]
        shown = 0
        for argument, value in self.arguments.items():
            text = json.dumps(value, ensure_ascii=False)
            if len(text) > _SHOWN_PER_ARGUMENT:
                text = text[:_SHOWN_PER_ARGUMENT] + " ... (cut)"
            shown += len(text)
            if shown > _SHOWN_IN_ALL:
                lines.append("    ... (more arguments, not shown)")
                break
            lines.append(f"    {argument}={text},")
        lines += [")", "", f"Arguments digest (SHA-256): {self.digest}"]
        return "\n".join(lines)


def describe_call(
    fn: Callable[..., Any], signature: inspect.Signature, args: Any, kwargs: Any
) -> Call:
    """The call of fn with these arguments; a TypeError if fn cannot take them."""
    bound = signature.bind(*args, **kwargs)
    bound.apply_defaults()
    arguments = dict(bound.arguments)
    first = next(iter(signature.parameters), None)
    if first in ("self", "cls"):  # the object's identity is not what is approved
        arguments.pop(first)
    as_json = to_jsonable_python(arguments, fallback=repr)
    function = f"{fn.__module__}.{fn.__qualname__}"
    canonical = json.dumps([function, as_json], sort_keys=True, ensure_ascii=False)
    digest = hashlib.sha256(canonical.encode()).hexdigest()
    return Call(function, fn.__name__, as_json, digest)


def approved(answer: Any) -> bool:
    """Whether an approval's answer approves: True, or an Approval that approves."""
    if isinstance(answer, bool):
        return answer
    return bool(getattr(answer, "approved", False))


def check_options(options: dict[str, Any], new_event: Callable[..., Any]) -> None:
    """Refuse, when the decorator is applied, options that new_event() would refuse."""
    own = sorted(_OWN_OPTIONS.intersection(options))
    if own:
        raise TypeError(f"require_approval() sets {', '.join(own)} itself")
    inspect.signature(new_event).bind_partial("name", bool, **options)


def guard(
    fn: F,
    ask_awaiting: Callable[[Call], Awaitable[None]],
    ask_blocking: Callable[[Call], None],
) -> F:
    """fn, asking for approval of each call before its body runs.

    A coroutine function is guarded by an awaited approval; any other function
    by a blocking one.
    """
    signature = inspect.signature(fn)

    if inspect.iscoroutinefunction(fn):

        @functools.wraps(fn)
        async def approved_coroutine(*args: Any, **kwargs: Any) -> Any:
            await ask_awaiting(describe_call(fn, signature, args, kwargs))
            return await fn(*args, **kwargs)

        return approved_coroutine  # type: ignore[return-value]

    @functools.wraps(fn)
    def approved_function(*args: Any, **kwargs: Any) -> Any:
        ask_blocking(describe_call(fn, signature, args, kwargs))
        return fn(*args, **kwargs)

    return approved_function  # type: ignore[return-value]

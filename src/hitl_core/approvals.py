"""Approvals of function calls (require_approval): what a call is, as a person sees it,
and the guard that asks before the body runs.

A call is shown as the function's name and its arguments, and bound to a
SHA-256 digest of the function's qualified name and the arguments' JSON, so an
approval of delete("/tmp/a") never lets delete("/") run. The JSON is canonical
(sorted keys, sets sorted), so the same call has the same digest in every
process. An argument with no JSON form (an object shown by its repr) has no
stable digest: such a call is bound to a random one, so its approval is never
reused, not even by a retry. A method's object is an argument like any other.
The flavors supply the asking (hitl_async/_approvals.py); this module knows no flavor.
"""

from __future__ import annotations

import functools
import hashlib
import inspect
import json
import re
import secrets
import unicodedata
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
_SHOWN_AT_LEAST = 40


@dataclass(frozen=True)
class Call:
    """One call of a guarded function."""

    function: str  # module and qualified name
    name: str
    arguments: dict[str, Any]  # as JSON values
    digest: str

    def prompt(self, asked: str | None) -> str:
        """The question: the owner's prompt (or a default), the call and every argument.

        Every argument is named; a long value is cut, so that no argument hides
        another from the person who approves.
        """
        call = [f"{self.name}("]
        each = max(
            _SHOWN_AT_LEAST, min(_SHOWN_PER_ARGUMENT, _SHOWN_IN_ALL // max(1, len(self.arguments)))
        )
        for argument, value in self.arguments.items():
            text = _visible(json.dumps(value, ensure_ascii=False))
            if len(text) > each:
                text = text[:each] + f" ... (cut; {len(text)} characters)"
            call.append(f"    {argument}={text},")
        call.append(")")
        # A fence longer than any run of backticks inside, so no argument can close it.
        longest = max((len(run) for run in re.findall(r"`+", "\n".join(call))), default=0)
        fence = "`" * max(3, longest + 1)
        lines = [asked or f"Allow `{self.name}` to run?", "", fence, *call, fence]
        lines += ["", f"Arguments digest (SHA-256): `{self.digest}`"]
        return "\n".join(lines)


def _visible(text: str) -> str:
    """text with control and format characters (bidi overrides, zero-width) written as escapes,
    so that what the person reads is what the call gets."""
    return "".join(
        f"\\u{ord(c):04x}" if unicodedata.category(c) in ("Cc", "Cf") else c for c in text
    )


def _sets_sorted(value: Any) -> Any:
    """value with its sets (in dicts, lists and tuples) as sorted lists: a set's order
    changes from process to process, and the digest must not."""
    if isinstance(value, dict):
        return {key: _sets_sorted(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_sets_sorted(item) for item in value]
    if isinstance(value, (set, frozenset)):
        items = [to_jsonable_python(_sets_sorted(item), fallback=repr) for item in value]
        return sorted(items, key=lambda item: json.dumps(item, sort_keys=True))
    return value


def describe_call(
    fn: Callable[..., Any], signature: inspect.Signature, args: Any, kwargs: Any
) -> Call:
    """The call of fn with these arguments; a TypeError if fn cannot take them."""
    bound = signature.bind(*args, **kwargs)
    bound.apply_defaults()
    unstable: list[str] = []

    def shown(value: Any) -> Any:
        unstable.append(type(value).__qualname__)
        return repr(value)

    as_json = to_jsonable_python(_sets_sorted(dict(bound.arguments)), fallback=shown)
    function = f"{fn.__module__}.{fn.__qualname__}"
    canonical = json.dumps([function, as_json], sort_keys=True, ensure_ascii=False)
    if unstable:  # a repr is no identity: this call is a question of its own
        canonical += secrets.token_hex(16)
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
    inspect.signature(new_event).bind_partial("name", "Approval", **options)


def guard(
    fn: F,
    ask_awaiting: Callable[[Call], Awaitable[None]],
    ask_blocking: Callable[[Call], None],
) -> F:
    """fn, asking for approval of each call before its body runs.

    A coroutine function is guarded by an awaited approval, an async generator
    function by one awaited before its first item; any other function by a
    blocking one, when it is called.
    """
    if isinstance(fn, (staticmethod, classmethod)):
        raise TypeError(f"put @require_approval below @{type(fn).__name__}, on the function itself")
    signature = inspect.signature(fn)

    if inspect.isasyncgenfunction(fn):

        @functools.wraps(fn)
        async def approved_generator(*args: Any, **kwargs: Any) -> Any:
            await ask_awaiting(describe_call(fn, signature, args, kwargs))
            async for item in fn(*args, **kwargs):
                yield item

        return approved_generator  # type: ignore[return-value]

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

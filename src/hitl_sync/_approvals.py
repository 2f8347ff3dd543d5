# WARNING: generated from src/hitl_async/_approvals.py by codegen/unasync.py. DO NOT EDIT.
"""require_approval(): a person approves each call of a function before its body runs."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar, overload

from hitl_core import approvals
from hitl_core.errors import ApprovalRejected
from hitl_core.people import Approval

from . import _compat
from ._events import new_event

__all__ = ["ask_approval", "require_approval"]

F = TypeVar("F", bound=Callable[..., Any])


def ask_approval(
    call: approvals.Call, name: str | None, prompt: str | None, options: dict[str, Any]
) -> None:
    """Ask for the approval of call; return once approved, else raise ApprovalRejected."""
    event = new_event(
        name or f"approve {call.name}",
        Approval,
        prompt=call.prompt(prompt),
        _bound_to=call.digest,
        **options,
    )
    answer = event.wait()
    if not approvals.approved(answer):
        raise ApprovalRejected(event.request_id, call.function, getattr(answer, "comment", None))


@overload
def require_approval(name: F, /) -> F: ...


@overload
def require_approval(
    name: str | None = None, /, *, prompt: str | None = None, **options: Any
) -> Callable[[F], F]: ...


def require_approval(name: Any = None, /, *, prompt: str | None = None, **options: Any) -> Any:
    """Decorate a function so that a person approves each call before its body runs.

        @hitl.require_approval(prompt="Send this email?", timeout_seconds=600)
        def send_email(to: str, body: str) -> None: ...

    Each call asks for an Approval (Approve and Reject buttons, a comment) that
    shows the function's name and its arguments; the approval is bound to a
    digest of them, so it approves that call and no other. A rejection raises
    ApprovalRejected, with the rejecting comment, and the body does not run.
    A coroutine function asks when its call is run, a generator of the event
    loop before its first item; a plain function blocks while it asks, when it
    is called. The other options are new_event()'s (scope, timeout_seconds,
    default, respondents, quorum, run_id, store, endpoint, show, ...); a timeout
    with no default raises EventTimeout. name defaults to "approve <function>".
    """
    if callable(name) or isinstance(name, (staticmethod, classmethod)):  # bare: @require_approval
        return require_approval()(name)
    if name is not None and not isinstance(name, str):
        raise TypeError(f"require_approval() takes an event name, not {name!r}")
    approvals.check_options(options, new_event)
    asked = {"name": name, "prompt": prompt, "options": options}

    def decorate(fn: F) -> F:
        return approvals.guard(
            fn,
            functools.partial(_compat.awaitable(ask_approval), **asked),
            functools.partial(_compat.blocking(ask_approval), **asked),
        )

    return decorate

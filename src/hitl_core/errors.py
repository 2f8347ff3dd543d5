"""The one exception tree of hitl, shared by the async and blocking flavors.

    HitlError
    ├── EventTimeout        (also a builtin TimeoutError)
    ├── EventCancelled
    ├── EventNotFound
    ├── InvalidValue        (also a ValueError)
    ├── AlreadyAnswered     (answered, or closed: cancelled or expired)
    ├── ApprovalRejected    (require_approval(): the call was not approved)
    └── StoreError          (storage failed; the cause is chained)
        └── StoreUnavailable  (the store did not answer; waits retry these)

Errors from the libraries beneath (OSError, botocore, ...) are translated at
the storage boundary, so callers only ever catch these. Every one pickles to
an equal copy: multiprocessing and orchestrators (Prefect, Airflow, Flyte)
carry them between processes.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "AlreadyAnswered",
    "AlreadyVoted",
    "ApprovalRejected",
    "EventCancelled",
    "EventNotFound",
    "EventTimeout",
    "HitlError",
    "InvalidValue",
    "NotARespondent",
    "StoreError",
    "StoreUnavailable",
]


class HitlError(Exception):
    """Base class of every error hitl raises."""

    def _arguments(self) -> tuple[Any, ...]:
        """What the constructor takes to make this error again (its args by default)."""
        return self.args

    def __reduce__(self) -> tuple[Any, ...]:
        # Exception pickles as cls(*self.args); errors whose constructor takes other
        # arguments than their message say which, so a copy is built as the original.
        return type(self), self._arguments(), dict(vars(self))


class EventTimeout(HitlError, TimeoutError):
    """No answer arrived before the event's deadline; the event is now expired."""

    def __init__(self, request_id: str, timeout_seconds: float) -> None:
        super().__init__(f"no answer to {request_id!r} within {timeout_seconds:g} seconds")
        self.request_id = request_id
        self.timeout_seconds = timeout_seconds

    def _arguments(self) -> tuple[Any, ...]:
        return self.request_id, self.timeout_seconds

    def __str__(self) -> str:
        # TimeoutError is an OSError, whose str() would show errno fields.
        return f"no answer to {self.request_id!r} within {self.timeout_seconds:g} seconds"


class EventCancelled(HitlError):
    """The event was cancelled before anyone answered it."""

    def __init__(self, request_id: str) -> None:
        super().__init__(f"event {request_id!r} was cancelled")
        self.request_id = request_id

    def _arguments(self) -> tuple[Any, ...]:
        return (self.request_id,)


class EventNotFound(HitlError):
    """No event with this request id exists in the store."""

    def __init__(self, request_id: str) -> None:
        super().__init__(f"no event {request_id!r} in the store")
        self.request_id = request_id

    def _arguments(self) -> tuple[Any, ...]:
        return (self.request_id,)


class InvalidValue(HitlError, ValueError):
    """A value does not fit the type the event declared."""


class AlreadyAnswered(HitlError):
    """The event is answered, or closed (cancelled or expired); what stands stays.

    state says which ("answered", "cancelled" or "expired"); value is the
    standing answer when there is one.
    """

    def __init__(self, request_id: str, state: str, value: Any = None) -> None:
        super().__init__(f"event {request_id!r} is already {state}")
        self.request_id = request_id
        self.state = state
        self.value = value

    def _arguments(self) -> tuple[Any, ...]:
        return self.request_id, self.state, self.value


class AlreadyVoted(HitlError):
    """This respondent has voted on the approval already; their first vote stands.

    vote is the standing vote document (approved, comment, at, via).
    """

    def __init__(self, request_id: str, person: str, vote: dict[str, Any]) -> None:
        super().__init__(f"{person!r} has voted on {request_id!r} already; the first vote stands")
        self.request_id = request_id
        self.person = person
        self.vote = vote

    def _arguments(self) -> tuple[Any, ...]:
        return self.request_id, self.person, self.vote


class NotARespondent(HitlError, PermissionError):
    """The event names its respondents, and this person is not among them."""

    def __init__(self, request_id: str, person: str | None) -> None:
        who = "only its respondents" if person is None else f"{person!r} is not among them"
        super().__init__(f"event {request_id!r} names who may answer it: {who}")
        self.request_id = request_id
        self.person = person

    def _arguments(self) -> tuple[Any, ...]:
        return self.request_id, self.person


class ApprovalRejected(HitlError):
    """A call guarded by require_approval() was rejected; its body did not run.

    function is the guarded function's qualified name, request_id the
    approval's event, comment what the person who rejected it wrote, if anything.
    """

    def __init__(self, request_id: str, function: str, comment: str | None = None) -> None:
        reason = f": {comment}" if comment else ""
        super().__init__(f"the call of {function} was rejected (event {request_id!r}){reason}")
        self.request_id = request_id
        self.function = function
        self.comment = comment

    def _arguments(self) -> tuple[Any, ...]:
        return self.request_id, self.function, self.comment


class StoreError(HitlError):
    """Reading or writing the store failed, or a stored document is damaged."""


class StoreUnavailable(StoreError):
    """The store could not be reached or did not complete a request; a retry may succeed."""


for _cls in (
    HitlError,
    EventTimeout,
    EventCancelled,
    EventNotFound,
    InvalidValue,
    AlreadyAnswered,
    ApprovalRejected,
    StoreError,
    StoreUnavailable,
):
    _cls.__module__ = "hitl_core"

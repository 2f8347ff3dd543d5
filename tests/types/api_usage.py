"""How users call hitl, checked by mypy --strict in the types session (never run).

assert_type fails the check when the inferred type differs.
"""

from __future__ import annotations

import dataclasses
import enum
from typing import Annotated, Any, Literal, Optional, Union

import pydantic
from typing_extensions import assert_type

import hitl_async
import hitl_sync


class Colour(enum.Enum):
    RED = "red"


@dataclasses.dataclass
class Point:
    x: int


class Release(pydantic.BaseModel):
    version: str


def blocking() -> None:
    assert_type(hitl_sync.new_event("n", data_type=int), hitl_sync.Event[int])
    assert_type(hitl_sync.new_event("n", int, "run", "How many?"), hitl_sync.Event[int])
    assert_type(hitl_sync.new_event("c", data_type=Colour), hitl_sync.Event[Colour])
    assert_type(hitl_sync.new_event("p", data_type=Point), hitl_sync.Event[Point])
    assert_type(hitl_sync.new_event("r", data_type=Release), hitl_sync.Event[Release])
    assert_type(hitl_sync.Event.create("n", data_type=bool), hitl_sync.Event[bool])
    # Type forms pydantic handles but type[T] cannot name.
    hitl_sync.new_event("l", data_type=Literal["low", "high"], prompt="Level?")
    hitl_sync.new_event("o", data_type=Optional[int], timeout_seconds=60)  # noqa: UP045
    hitl_sync.new_event("u", data_type=Union[int, str], key="k")  # noqa: UP007
    hitl_sync.new_event("a", data_type=Annotated[int, pydantic.Field(gt=0)])
    hitl_sync.new_event("t", data_type=int | None, default=None)
    event = hitl_sync.new_event("n", data_type=int, poll_interval_seconds=1)
    assert_type(event.wait(), int)
    assert_type(event.status(), hitl_sync.EventStatus)


async def awaiting() -> None:
    assert_type(await hitl_async.new_event("n", data_type=int), hitl_async.Event[int])
    assert_type(await hitl_async.Event.create("n", data_type=str), hitl_async.Event[str])
    maybe = await hitl_async.new_event("o", data_type=Optional[int])  # noqa: UP045
    assert_type(maybe, hitl_async.Event[Any])
    event = await hitl_async.new_event("n", data_type=float)
    assert_type(await event.wait(), float)
    twin = await hitl_sync.new_event.aio("n", data_type=int, scope="global")
    assert_type(twin, hitl_sync.Event[int])
    assert_type(await twin.wait.aio(), int)
    await hitl_sync.new_event.aio("l", data_type=Literal[1, 2])
    await hitl_sync.Event.create.aio("n", data_type=bool)


@hitl_async.require_approval(prompt="Send it?", timeout_seconds=60)
async def send(to: str, body: str) -> bool:
    return bool(to and body)


@hitl_sync.require_approval
def delete(path: str) -> int:
    return len(path)


async def approvals() -> None:
    # A guarded function keeps its signature and its result type.
    assert_type(await send("ops@example.com", "done"), bool)
    assert_type(delete("/tmp/x"), int)
    gated = hitl_sync.require_approval("gate", show=False)(delete)
    assert_type(gated("/tmp/y"), int)


def canned() -> None:
    with hitl_sync.testing.auto_answer({"approve": True}):
        assert_type(hitl_sync.new_event("approve", data_type=bool).wait(), bool)
    with hitl_async.testing.auto_answer({"count": 3}):
        pass


async def people() -> None:
    # An approval is typed; respondents take a list or a mapping to contacts.
    vote = hitl_sync.new_event(
        "deploy", data_type=hitl_sync.Approval, respondents=["alice", "bob"], quorum=2
    )
    assert_type(vote, hitl_sync.Event[hitl_sync.Approval])
    decision = vote.wait()
    assert_type(decision.approved, bool)
    assert_type(decision.by, tuple[str, ...])
    assert_type(vote.link_for("alice"), str)
    assert_type(vote.respondents, tuple[str, ...])
    assert_type(hitl_sync.inbox_url("alice"), str)
    assert_type(await hitl_sync.inbox_url.aio("alice"), str)
    asked = await hitl_async.new_event(
        "deploy", data_type=hitl_async.Approval, respondents={"alice": "mailto://a@example.com"}
    )
    assert_type(await asked.wait(), hitl_async.Approval)
    assert_type(await hitl_async.inbox_url("alice"), str)

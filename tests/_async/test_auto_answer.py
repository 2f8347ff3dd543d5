"""testing.auto_answer(): a flow tested without a person, through the same validation."""

from __future__ import annotations

import os
from pathlib import Path

import pydantic
import pytest

import hitl_async as hitl
from hitl_async import _operations
from hitl_async._store import open_store

pytestmark = pytest.mark.anyio


class Release(pydantic.BaseModel):
    version: str
    replicas: int = pydantic.Field(gt=0)


async def stored_outcome(event: hitl.Event[object]) -> dict[str, object]:
    _, outcome = await _operations.look(open_store(os.environ["HITL_STORE"]), event.request_id)
    assert outcome is not None
    return outcome


async def test_matching_events_are_answered_as_they_are_created() -> None:
    with hitl.testing.auto_answer({"approve": True, "release": Release(version="2.3", replicas=3)}):
        approve = await hitl.new_event("approve", data_type=bool, timeout_seconds=30)
        release = await hitl.new_event("release", data_type=Release, timeout_seconds=30)
        other = await hitl.new_event("other", data_type=int, timeout_seconds=30)
    assert await approve.wait() is True
    assert await release.wait() == Release(version="2.3", replicas=3)
    outcome = await stored_outcome(approve)
    assert outcome["via"] == "auto" and outcome["value"] is True
    status = await approve.status()
    assert (status.via, status.by, status.comment) == ("auto", None, None)
    assert (
        status.question_sha256 == outcome["question_sha256"] and len(status.question_sha256) == 64
    )
    assert (await other.status()).state == "pending"


async def test_a_canned_answer_the_type_refuses_raises_and_stores_nothing() -> None:
    with hitl.testing.auto_answer({"release": {"version": "2.3", "replicas": 0}}):
        with pytest.raises(hitl.InvalidValue):
            await hitl.new_event("release", data_type=Release)
    with hitl.testing.auto_answer({"approve": "banana"}):
        with pytest.raises(hitl.InvalidValue):
            await hitl.new_event("approve", data_type=bool)
    events = Path(os.environ["HITL_STORE"]) / "events"
    assert not events.is_dir() or not list(events.glob("*.json"))


async def test_contexts_nest_and_end() -> None:
    with hitl.testing.auto_answer({"count": 1}):
        with hitl.testing.auto_answer({"count": 2}):
            inner = await hitl.new_event("count", data_type=int)
        outer = await hitl.new_event("count", data_type=int)
    after = await hitl.new_event("count", data_type=int)
    assert [await inner.wait(), await outer.wait()] == [2, 1]
    assert (await after.status()).state == "pending"


async def test_an_approved_tool_runs_without_a_person() -> None:
    sent: list[str] = []

    @hitl.require_approval
    async def send(to: str) -> None:
        sent.append(to)

    with hitl.testing.auto_answer({"approve send": True}):
        await send("ops@example.com")
    with hitl.testing.auto_answer({"approve send": False}):
        with pytest.raises(hitl.ApprovalRejected):
            await send("all@example.com")
    assert sent == ["ops@example.com"]

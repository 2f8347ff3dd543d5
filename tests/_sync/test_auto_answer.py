# WARNING: generated from tests/_async/test_auto_answer.py by codegen/unasync.py. DO NOT EDIT.
"""testing.auto_answer(): a flow tested without a person, through the same validation."""

from __future__ import annotations

import os
from pathlib import Path

import pydantic
import pytest

import hitl_sync as hitl
from hitl_sync import _operations
from hitl_sync._store import open_store

pytestmark = pytest.mark.anyio


class Release(pydantic.BaseModel):
    version: str
    replicas: int = pydantic.Field(gt=0)


def stored_outcome(event: hitl.Event[object]) -> dict[str, object]:
    _, outcome = _operations.look(open_store(os.environ["HITL_STORE"]), event.request_id)
    assert outcome is not None
    return outcome


def test_matching_events_are_answered_as_they_are_created() -> None:
    with hitl.testing.auto_answer({"approve": True, "release": Release(version="2.3", replicas=3)}):
        approve = hitl.new_event("approve", data_type=bool, timeout_seconds=30)
        release = hitl.new_event("release", data_type=Release, timeout_seconds=30)
        other = hitl.new_event("other", data_type=int, timeout_seconds=30)
    assert approve.wait() is True
    assert release.wait() == Release(version="2.3", replicas=3)
    outcome = stored_outcome(approve)
    assert outcome["via"] == "auto" and outcome["value"] is True
    status = approve.status()
    assert (status.via, status.by, status.comment) == ("auto", None, None)
    assert (
        status.question_sha256 == outcome["question_sha256"] and len(status.question_sha256) == 64
    )
    assert (other.status()).state == "pending"


def test_a_canned_answer_the_type_refuses_raises_and_stores_nothing() -> None:
    with hitl.testing.auto_answer({"release": {"version": "2.3", "replicas": 0}}):
        with pytest.raises(hitl.InvalidValue):
            hitl.new_event("release", data_type=Release)
    with hitl.testing.auto_answer({"approve": "banana"}):
        with pytest.raises(hitl.InvalidValue):
            hitl.new_event("approve", data_type=bool)
    events = Path(os.environ["HITL_STORE"]) / "events"
    assert not events.is_dir() or not list(events.glob("*.json"))


def test_contexts_nest_and_end() -> None:
    with hitl.testing.auto_answer({"count": 1}):
        with hitl.testing.auto_answer({"count": 2}):
            inner = hitl.new_event("count", data_type=int)
        outer = hitl.new_event("count", data_type=int)
    after = hitl.new_event("count", data_type=int)
    assert [inner.wait(), outer.wait()] == [2, 1]
    assert (after.status()).state == "pending"


def test_an_approved_tool_runs_without_a_person() -> None:
    sent: list[str] = []

    @hitl.require_approval
    def send(to: str) -> None:
        sent.append(to)

    with hitl.testing.auto_answer({"approve send": True}):
        send("ops@example.com")
    with hitl.testing.auto_answer({"approve send": False}):
        with pytest.raises(hitl.ApprovalRejected):
            send("all@example.com")
    assert sent == ["ops@example.com"]

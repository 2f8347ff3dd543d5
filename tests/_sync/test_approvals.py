# WARNING: generated from tests/_async/test_approvals.py by codegen/unasync.py. DO NOT EDIT.
"""require_approval(): each call is approved, for its own arguments, before its body runs."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

import hitl_sync as hitl
from hitl_core import runtime
from hitl_sync import _operations
from hitl_sync._store import open_store

from ._compat import run_concurrently
from .helpers import answer_when_asked, pending_event

pytestmark = pytest.mark.anyio


class Outbox:
    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []

    @hitl.require_approval(prompt="Send this email?", timeout_seconds=30)
    def send(self, to: str, body: str = "hello") -> str:
        self.sent.append((to, body))
        return f"sent to {to}"


def test_an_approved_call_runs_and_shows_the_call() -> None:
    outbox = Outbox()
    results: list[str] = []
    asked: list[dict[str, Any]] = []

    def call() -> None:
        results.append(outbox.send("ops@example.com", body="deploy done"))

    def approve() -> None:
        asked.append(answer_when_asked("approve send", True))

    run_concurrently([call, approve])
    assert results == ["sent to ops@example.com"]
    assert outbox.sent == [("ops@example.com", "deploy done")]
    prompt = asked[0]["prompt"]
    assert prompt.startswith("Send this email?")
    assert 'to="ops@example.com"' in prompt and 'body="deploy done"' in prompt
    assert "self=" in prompt  # the object is an argument like any other
    assert len(asked[0]["bound_to"]) == 64


def test_a_rejected_call_raises_and_its_body_does_not_run() -> None:
    outbox = Outbox()

    def call() -> None:
        with pytest.raises(hitl.ApprovalRejected, match="send") as raised:
            outbox.send("all@example.com")
        assert raised.value.function.endswith("Outbox.send")

    def reject() -> None:
        answer_when_asked("approve send", False)

    run_concurrently([call, reject])
    assert outbox.sent == []


def test_an_approval_binds_the_arguments_it_was_given() -> None:
    calls: list[str] = []

    @hitl.require_approval
    def delete(path: str) -> None:
        calls.append(path)

    asked: list[dict[str, Any]] = []

    def first() -> None:
        delete("/tmp/scratch")

    def approve_first() -> None:
        asked.append(answer_when_asked("approve delete", True))

    run_concurrently([first, approve_first])

    # A restarted program asks for the same call again: the standing approval holds.
    runtime.current().forget_occurrences()
    delete("/tmp/scratch")
    assert calls == ["/tmp/scratch", "/tmp/scratch"]

    # Other arguments are another question, however the calls are counted.
    runtime.current().forget_occurrences()
    rejected: list[dict[str, Any]] = []

    def other() -> None:
        with pytest.raises(hitl.ApprovalRejected):
            delete("/")

    def reject_other() -> None:
        rejected.append(answer_when_asked("approve delete", False))

    run_concurrently([other, reject_other])
    assert calls == ["/tmp/scratch", "/tmp/scratch"]
    assert rejected[0]["request_id"] != asked[0]["request_id"]
    assert rejected[0]["bound_to"] != asked[0]["bound_to"]


def test_a_generator_is_approved_before_its_first_item() -> None:
    @hitl.require_approval
    def rows(count: int) -> Iterator[int]:
        for row in range(count):
            yield row * 10

    got: list[int] = []

    def consume() -> None:
        for row in rows(3):
            got.append(row)

    def approve() -> None:
        answer_when_asked("approve rows", True)

    run_concurrently([consume, approve])
    assert got == [0, 10, 20]

    def refused() -> None:
        with pytest.raises(hitl.ApprovalRejected):
            for row in rows(2):
                got.append(row)

    def reject() -> None:
        answer_when_asked("approve rows", False)

    run_concurrently([refused, reject])
    assert got == [0, 10, 20]


def test_a_timeout_with_a_default_decides() -> None:
    ran: list[int] = []

    @hitl.require_approval(timeout_seconds=0.05, default=False)
    def charge(cents: int) -> None:
        ran.append(cents)

    with pytest.raises(hitl.ApprovalRejected):
        charge(500)
    assert ran == []


def test_wrong_arguments_fail_before_anyone_is_asked() -> None:
    @hitl.require_approval
    def resize(width: int) -> None: ...

    with pytest.raises(TypeError):
        resize(1, 2)  # type: ignore[call-arg]


def test_options_are_checked_when_decorating() -> None:
    with pytest.raises(TypeError, match="key"):
        hitl.require_approval(key="one-for-all")
    with pytest.raises(TypeError):
        hitl.require_approval(timeout=5)
    with pytest.raises(TypeError):
        hitl.require_approval(42)  # type: ignore[call-overload]
    with pytest.raises(TypeError, match="below @classmethod"):
        hitl.require_approval(classmethod(lambda cls: None))  # type: ignore[call-overload]


def test_respondents_approve_a_call_by_quorum_and_a_veto_says_why() -> None:
    ran: list[str] = []

    @hitl.require_approval(respondents=["alice", "bob"], quorum=2, timeout_seconds=30)
    def restart(service: str) -> None:
        ran.append(service)

    def votes(*cast: tuple[str, bool, str | None]) -> None:
        document = pending_event("approve restart")
        store = open_store(os.environ["HITL_STORE"])
        for person, approved, comment in cast:
            _operations.vote(store, document, approved, person=person, via="form", comment=comment)

    def call(service: str) -> None:
        restart(service)

    run_concurrently(
        [lambda: call("api"), lambda: votes(("alice", True, None), ("bob", True, None))]
    )
    assert ran == ["api"]

    def rejected_call() -> None:
        with pytest.raises(hitl.ApprovalRejected) as rejected:
            restart("db")
        assert rejected.value.comment == "not the primary"

    run_concurrently([rejected_call, lambda: votes(("bob", False, "not the primary"))])
    assert ran == ["api"]

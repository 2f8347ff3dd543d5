# WARNING: generated from tests/_async/test_reattach.py by codegen/unasync.py. DO NOT EDIT.
"""Re-attaching to stored requests: only to the same question, and loudly when closed."""

from __future__ import annotations

import logging
import uuid

import pytest

import hitl_sync as hitl
from hitl_core import runtime

from ..servers import Served, free_port
from .helpers import answer

pytestmark = pytest.mark.anyio


def test_same_request_with_another_prompt_is_refused() -> None:
    hitl.new_event("approve", data_type=bool, prompt="Delete staging?", key="nightly")
    with pytest.raises(hitl.InvalidValue, match="own name or key"):
        hitl.new_event("approve", data_type=bool, prompt="Delete production?", key="nightly")


def test_concurrent_questions_under_one_name_cannot_swap_answers() -> None:
    # Two tasks of one run reach new_event("approve") in one order, then after a
    # restart in the other: the second order must not receive the first's answers.
    run = f"swap-{uuid.uuid4().hex}"
    hitl.new_event("approve", data_type=bool, prompt="Delete staging?", run_id=run)
    hitl.new_event("approve", data_type=bool, prompt="Delete production?", run_id=run)
    runtime.current().forget_occurrences()  # a new process: the call counter starts again
    with pytest.raises(hitl.InvalidValue, match="Delete staging"):
        hitl.new_event("approve", data_type=bool, prompt="Delete production?", run_id=run)


def test_a_name_whose_count_was_forgotten_is_asked_anew(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A process that asks more distinct questions than it keeps counts for never
    hands an old answer to a new question of a name it had to forget."""
    small = runtime.Runtime(counted_names=3)
    monkeypatch.setattr(runtime, "_current", small)
    try:
        first = hitl.new_event("approve", data_type=bool, run_id="service")
        assert (answer(first, True)).status_code == 200
        for n in range(5):
            hitl.new_event(f"order-{n}", data_type=int, run_id="service")
        again = hitl.new_event("approve", data_type=bool, run_id="service")
        assert again.request_id != first.request_id
        assert (again.status()).state == "pending"
    finally:
        small.stop_servers()


def test_reattaching_to_an_expired_event_warns(caplog: pytest.LogCaptureFixture) -> None:
    first = hitl.new_event("late", data_type=int, key="expired-once", timeout_seconds=0.05)
    with pytest.raises(hitl.EventTimeout):
        first.wait()
    with caplog.at_level(logging.WARNING, logger="hitl"):
        again = hitl.new_event("late", data_type=int, key="expired-once", timeout_seconds=30)
    assert "was expired in an earlier attempt" in caplog.text
    with pytest.raises(hitl.EventTimeout):
        again.wait()


def test_unreachable_endpoint_warns(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("HITL_ENDPOINT", f"http://127.0.0.1:{free_port()}")
    with caplog.at_level(logging.WARNING, logger="hitl"):
        event = hitl.new_event("nowhere", data_type=int)
    assert "does not answer" in caplog.text
    assert event.form_url.startswith(event.endpoint)


def test_endpoint_with_another_store_warns(
    served: Served, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("HITL_ENDPOINT", served.endpoint)  # HITL_STORE stays this test's own
    with caplog.at_level(logging.WARNING, logger="hitl"):
        hitl.new_event("elsewhere", data_type=int)
    assert "serves another store" in caplog.text


def test_endpoint_with_the_same_store_is_quiet(
    remote: Served, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="hitl"):
        hitl.new_event("here", data_type=int)
    assert caplog.text == ""
